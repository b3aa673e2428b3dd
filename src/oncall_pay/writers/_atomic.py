"""Files that appear whole or not at all.

Every writer builds its output in a temporary file beside the target and
renames it into place, so a run that fails half-way leaves no partial file
and an older file of the same name untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; rename it into place on success.

    The temporary file exists (empty) when the block starts; the block writes
    it by name. On any exception, including ``KeyboardInterrupt``, the
    temporary file is removed and ``target`` is left as it was.

    Args:
        target: Where the finished file should appear.

    Yields:
        The temporary path to write.
    """
    final = Path(target)
    tmp = _create_beside(final)
    try:
        yield tmp
        # Flush to disk before the rename, so a crash cannot leave a renamed
        # but empty file in place of the older one.
        with tmp.open("rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _create_beside(final: Path) -> Path:
    # os.open with 0o666 lets the umask decide the permissions, as for any
    # other file the user creates (mkstemp would force 0o600).
    while True:
        tmp = final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        os.close(fd)
        return tmp
