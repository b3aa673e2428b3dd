"""Snapshots: the raw API answers of one fetch, and the manifest that vouches for them.

A snapshot is a folder written once by ``oncall-pay fetch``: every answer
saved byte for byte, and ``manifest.json`` with the query, the time of the
fetch and each file's SHA-256 and the pay-run source that reads it. A pay
run priced from the snapshot (``export --snapshot``) checks every SHA-256
first, so a workbook can be reproduced from the same files, and a file
changed since refuses to be read. This module does no HTTP.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs

from .._errors import InputError, Problem

__all__ = ["FORMAT", "MANIFEST", "SavedFile", "Snapshot", "SnapshotWriter", "read_snapshot"]

MANIFEST = "manifest.json"
#: The manifest's ``format``; a later layout gets a new number.
FORMAT = "oncall-pay snapshot 1"


def utc_now() -> str:
    """Now, in UTC, to the second, as ``2026-12-01T09:30:00Z``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@attrs.frozen
class SavedFile:
    """One saved answer, as the manifest lists it.

    Attributes:
        name: The file's name in the snapshot folder.
        source: The pay-run source that reads it (a key of ``pay_run.SOURCES``).
        request: ``GET`` and the address asked for.
        fetched_at: When the answer came, UTC.
        sha256: The SHA-256 of the file's bytes, in hex.
        size: The file's size in bytes.
    """

    name: str
    source: str
    request: str
    fetched_at: str
    sha256: str
    size: int


class SnapshotWriter:
    """Writes a snapshot into a hidden folder beside ``out``, then renames it.

    Nothing appears at ``out`` until :meth:`finish`: a fetch that fails
    half-way leaves nothing behind (use it as a context manager).

    Raises:
        InputError: ``out`` exists and is not an empty folder.
    """

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        if self.out.exists() and (not self.out.is_dir() or any(self.out.iterdir())):
            msg = (
                "already exists and is not empty; fetch into a new folder "
                "(a snapshot is never changed once written)"
            )
            raise InputError(Problem(msg, source=str(self.out), field="--out"))
        self.out.parent.mkdir(parents=True, exist_ok=True)
        # A plain mkdir (not mkdtemp's 0700) so the folder gets the usual permissions.
        self._tmp = self.out.parent / f".{self.out.name}.partial-{uuid.uuid4().hex[:12]}"
        self._tmp.mkdir()
        self.files: list[SavedFile] = []

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if self._tmp.exists():
            shutil.rmtree(self._tmp, ignore_errors=True)

    def add(self, name: str, source: str, request: str, body: bytes) -> SavedFile:
        """Save one answer's body unchanged, under ``name``."""
        if name in {f.name for f in self.files} or name == MANIFEST or Path(name).name != name:
            msg = f"bad or repeated snapshot file name {name!r}"
            raise ValueError(msg)
        (self._tmp / name).write_bytes(body)
        saved = SavedFile(
            name, source, request, utc_now(), hashlib.sha256(body).hexdigest(), len(body)
        )
        self.files.append(saved)
        return saved

    def finish(self, about: Mapping[str, Any]) -> Path:
        """Write ``manifest.json`` (``about`` and the files) and move the folder into place."""
        manifest = {
            "format": FORMAT,
            **about,
            "files": [attrs.asdict(f) for f in self.files],
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        (self._tmp / MANIFEST).write_text(text, encoding="utf-8")
        if self.out.is_dir():
            self.out.rmdir()  # empty, checked when the writer was made
        os.replace(self._tmp, self.out)
        return self.out / MANIFEST


@attrs.frozen
class Snapshot:
    """A snapshot whose every file was found unchanged.

    Attributes:
        folder: The snapshot folder.
        service: The service it was fetched from (``PagerDuty``).
        fetched_at: When the fetch started, UTC.
        period: The first and last date it was fetched for.
        files: The files of each pay-run source, by source name.
        manifest_sha256: The SHA-256 of ``manifest.json``, for the Run sheet.
    """

    folder: Path
    service: str
    fetched_at: str
    period: tuple[date, date]
    files: Mapping[str, tuple[Path, ...]]
    manifest_sha256: str

    def describe(self) -> str:
        """One line for the workbook's Run sheet."""
        return (
            f"{self.folder} ({self.service}, {self.period[0]} – {self.period[1]}, fetched "
            f"{self.fetched_at}, manifest SHA-256 {self.manifest_sha256})"
        )


def read_snapshot(folder: str | os.PathLike[str], *, sources: Collection[str]) -> Snapshot:
    """Read a snapshot's manifest and check every file against it.

    Args:
        folder: The snapshot folder written by ``oncall-pay fetch``.
        sources: The pay-run source names a file may be read by.

    Returns:
        The snapshot, its files grouped by source in manifest order.

    Raises:
        InputError: The manifest is missing or not a snapshot manifest, or a
            file is missing, changed since the fetch (its SHA-256 differs),
            not listed in the manifest, or for an unknown source. Lists every
            problem found.
    """
    root = Path(folder)
    path = root / MANIFEST
    where = str(path)
    if not root.is_dir():
        msg = "is not a folder; give the folder that oncall-pay fetch wrote (--out)"
        raise InputError(Problem(msg, source=str(root), field="--snapshot"))
    try:
        raw = path.read_bytes()
    except OSError as e:
        msg = f"cannot read the snapshot manifest: {e.strerror}; is this a folder written by fetch?"
        raise InputError(Problem(msg, source=where)) from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        msg = f"not a snapshot manifest: it is not JSON that can be read ({e})"
        raise InputError(Problem(msg, source=where)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else None
        msg = f"not a snapshot manifest: expected format {FORMAT!r}, got {got!r}"
        raise InputError(Problem(msg, source=where, field="format"))
    problems: list[Problem] = []
    period = _period(manifest, where, problems)
    entries = manifest.get("files")
    if not isinstance(entries, list):
        problems.append(Problem("expected a list of files", source=where, field="files"))
        entries = []
    files: dict[str, list[Path]] = {}
    listed = {MANIFEST}
    for index, entry in enumerate(entries):
        field = f"files[{index}]"
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("name", "source", "sha256")
        ):
            problems.append(
                Problem("expected {name, source, sha256, ...}", source=where, field=field)
            )
            continue
        name, source, expected = entry["name"], entry["source"], entry["sha256"]
        if Path(name).name != name or name in listed:
            msg = f"{name!r} is not a plain file name of the folder, or is listed twice"
            problems.append(Problem(msg, source=where, field=f"{field}.name"))
            continue
        listed.add(name)
        if source not in sources:
            msg = f"{source!r} is not a source this version reads ({', '.join(sorted(sources))})"
            problems.append(Problem(msg, source=where, field=f"{field}.source"))
            continue
        file = root / name
        try:
            found = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError as e:
            msg = f"is listed in {MANIFEST} but cannot be read: {e.strerror}; fetch again"
            problems.append(Problem(msg, source=str(file)))
            continue
        if found != expected.lower():
            msg = (
                f"changed since it was fetched: its SHA-256 is {found}, {MANIFEST} recorded "
                f"{expected}. A snapshot is priced only as fetched: fetch again, or give "
                "the changed file with its own option instead of --snapshot"
            )
            problems.append(Problem(msg, source=str(file), field="sha256"))
            continue
        files.setdefault(source, []).append(file)
    # Hidden files (.DS_Store, which Finder leaves in every folder it opens) are not data.
    for extra in sorted(p.name for p in root.iterdir() if p.is_file() and p.name[0] != "."):
        if extra not in listed:
            msg = (
                f"is not listed in {MANIFEST}, so it would not be read; a snapshot holds only "
                "what fetch saved: move it out, or give it with its own option"
            )
            problems.append(Problem(msg, source=str(root / extra)))
    service = manifest.get("service")
    fetched_at = manifest.get("fetched_at")
    if problems:
        raise InputError(problems)
    assert period is not None  # no problems: the period was read
    return Snapshot(
        folder=root,
        service=service if isinstance(service, str) else "unknown",
        fetched_at=fetched_at if isinstance(fetched_at, str) else "unknown",
        period=period,
        files={k: tuple(v) for k, v in files.items()},
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
    )


def _period(
    manifest: dict[str, Any], where: str, problems: list[Problem]
) -> tuple[date, date] | None:
    period = manifest.get("period")
    if isinstance(period, dict):
        try:
            return date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        except (KeyError, TypeError, ValueError):
            pass
    msg = 'expected {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}'
    problems.append(Problem(msg, source=where, field="period"))
    return None
