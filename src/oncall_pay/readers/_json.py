"""Saved API answers in: one JSON loader for every vendor's files.

Every JSON source (PagerDuty, Grafana OnCall) is read here, so each refuses
the same hostile or damaged input the same way, naming the file: bytes
that are not UTF-8, text that is not JSON (with its line and column),
arrays or objects nested too deeply for the parser, and strings holding
half of a UTF-16 surrogate pair (``"\\ud800"``), which are not text and
could not be written to any report.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Final

from .._errors import InputError, Problem

__all__ = ["load_json"]

#: A surrogate code point, escaped in JSON text or already in a string.
_SURROGATE: Final = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[\ud800-\udfff]")


def load_json(item: str | os.PathLike[str], *, vendor: str) -> tuple[str, Any]:
    """Parse a file (or JSON text given as a string starting with ``{`` or ``[``).

    Args:
        item: The file, or the text itself.
        vendor: Whose answer it is, for the hint ("as PagerDuty returned it").

    Returns:
        The source's name for errors (the path as given, or ``<JSON text>``)
        and the parsed document.

    Raises:
        InputError: The bytes are not UTF-8, the text is not JSON, it is
            nested too deeply, or a string or key holds a lone surrogate
            (one problem per such place, with its JSON path).
        OSError: The file cannot be read.
    """
    if isinstance(item, str) and item.lstrip()[:1] in ("{", "["):
        source, raw = "<JSON text>", item
    else:
        source = os.fspath(item)
        data = Path(item).read_bytes()
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            msg = f"not UTF-8: byte 0x{data[e.start]:02X} cannot be decoded (save it as UTF-8)"
            raise InputError(Problem(msg, source=source)) from None
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as e:
        msg = (
            f"not JSON ({e.msg} at column {e.colno}); save the API response body exactly "
            f"as {vendor} returned it"
        )
        raise InputError(Problem(msg, source=source, line=e.lineno)) from None
    except RecursionError:
        msg = "not JSON that can be read: arrays or objects are nested too deeply"
        raise InputError(Problem(msg, source=source)) from None
    # Rare: only then walk the document. The tests run at C speed and clear
    # almost every file before the slower pattern: a backslash is looked for
    # first (one character is found at memory speed; "\\u" is not), and
    # the ASCII test reads a flag of the string.
    if (("\\" in raw and "\\u" in raw) or not raw.isascii()) and _SURROGATE.search(raw):
        bad = _lone_surrogates(document)
        if bad:
            raise InputError(
                Problem(
                    f"contains \\u{ord(char):04x}, one half of a UTF-16 surrogate pair "
                    "without the other: not text (the export is damaged; the character "
                    "it stood for is lost)",
                    source=source,
                    field=path or None,
                )
                for path, char in bad
            )
    return source, document


def _lone_surrogates(data: Any) -> list[tuple[str, str]]:
    """The path of every string (or key) holding an unpaired surrogate, and
    the first such character; walked without recursion, as deep as JSON went."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            char = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
            if char is not None:
                found.append((path, char))
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                stack.append((where, key))
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return sorted(dict.fromkeys(found))
