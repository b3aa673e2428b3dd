"""CSV readers: the roster, shifts and pages files in, domain values out.

The files are UTF-8 (a BOM is accepted), comma-separated, with a header row;
columns may come in any order, unknown columns and blank lines are ignored.
Every bad row of a file is collected and raised as one ``InputError`` whose
problems name the file (the path as given), the physical line and the column.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

import attrs

from .._errors import InputError, Problem
from .._model import Page, Shift, Volunteer, zone

_T = TypeVar("_T")

_VOLUNTEER_REQUIRED = ("id", "country", "timezone")
_VOLUNTEER_OPTIONAL = (
    "name",
    "subdivision",
    "payroll_id",
    "plan",
    "email",
    "pagerduty_id",
    "cost_center",
    "rate_factor",
    "rate_set",
    "base_hourly",
)
_SHIFT_REQUIRED = ("volunteer_id", "start", "end")
_SHIFT_OPTIONAL = ("role",)
_PAGE_REQUIRED = ("id", "volunteer_id", "at")
_PAGE_OPTIONAL = ("resolved_at", "worked_minutes", "title", "urgency")

# Page.worked is read from the worked_minutes column; errors the model raises
# about it must name the column the user can see.
_PAGE_COLUMNS = {"worked": "worked_minutes"}

_DATETIME_FORM = "2026-11-21T02:10:00+00:00 or 2026-11-21T02:10Z"
_FACTOR = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_MINUTES = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


# --- public readers -----------------------------------------------------------


def read_volunteers_csv(path: str | Path) -> tuple[Volunteer, ...]:
    """Read a roster CSV.

    Args:
        path: The file. Required columns ``id``, ``country``, ``timezone``;
            optional ``name``, ``subdivision``, ``payroll_id``, ``plan``,
            ``email``, ``pagerduty_id``, ``cost_center``, ``rate_factor`` (a decimal
            multiplying every rate), ``rate_set`` (the name of a rate set of
            their plan), ``base_hourly`` (their own hourly base rate) (empty
            means none).

    Returns:
        The volunteers, in file order.

    Raises:
        InputError: The file is not UTF-8 CSV with the required columns, or
            any row is bad (unknown country, subdivision or time zone, empty
            required cell, duplicate id). Lists every problem found.
        OSError: The file cannot be opened.
    """
    return tuple(value for _, value in read_volunteers_csv_with_lines(path))


def read_shifts_csv(path: str | Path) -> tuple[Shift, ...]:
    """Read a shifts CSV.

    Args:
        path: The file. Required columns ``volunteer_id``, ``start``, ``end``
            (ISO 8601 with an offset; an empty cell means open-ended, but not
            both); optional ``role``.

    Returns:
        The shifts, in file order.

    Raises:
        InputError: The file is not UTF-8 CSV with the required columns, or
            any row is bad (a datetime without an offset, an end not after
            its start). Lists every problem found.
        OSError: The file cannot be opened.
    """
    return tuple(value for _, value in read_shifts_csv_with_lines(path))


def read_pages_csv(path: str | Path) -> tuple[Page, ...]:
    """Read a pages CSV.

    Args:
        path: The file. Required columns ``id``, ``volunteer_id``, ``at``;
            optional ``resolved_at``, ``worked_minutes`` (a number of minutes,
            0 or more, decimals allowed), ``title``, ``urgency``.

    Returns:
        The pages, in file order.

    Raises:
        InputError: The file is not UTF-8 CSV with the required columns, or
            any row is bad (a datetime without an offset, ``resolved_at``
            before ``at``, negative minutes, duplicate id). Lists every
            problem found.
        OSError: The file cannot be opened.
    """
    return tuple(value for _, value in read_pages_csv_with_lines(path))


def read_volunteers_csv_with_lines(path: str | Path) -> tuple[tuple[int, Volunteer], ...]:
    """Read a roster CSV, keeping each volunteer's line.

    Like ``read_volunteers_csv``, but each volunteer comes with the physical
    line its row starts on, so later checks can point at it.
    """
    table = _Table.read(path, _VOLUNTEER_REQUIRED, _VOLUNTEER_OPTIONAL)
    ids = _Unique("volunteer id")
    values: list[tuple[int, Volunteer]] = []
    for row in table.rows():
        vid = row.required("id")
        country = row.required("country")
        timezone = row.required("timezone")
        volunteer = row.build(
            partial(
                Volunteer,
                id=vid,
                name=row.optional("name") or "",
                country=country,
                timezone=timezone,
                subdivision=row.optional("subdivision"),
                payroll_id=row.optional("payroll_id"),
                plan=row.optional("plan"),
                email=row.optional("email"),
                pagerduty_id=row.optional("pagerduty_id"),
                cost_center=row.optional("cost_center"),
                rate_factor=row.factor("rate_factor"),
                rate_set=row.optional("rate_set"),
                base_hourly=row.factor("base_hourly"),
            )
        )
        ids.check(row, "id", vid)
        if volunteer is not None:
            values.append((row.line, volunteer))
        elif timezone and "timezone" not in row.failed_fields:
            # The model stops at the first bad field and checks the zone
            # last; check it here too so one run shows every fix needed.
            try:
                zone(timezone)
            except InputError as e:
                row.fail("timezone", e.message)
    table.raise_problems()
    return tuple(values)


def read_shifts_csv_with_lines(
    path: str | Path, *, problems: list[Problem] | None = None
) -> tuple[tuple[int, Shift], ...]:
    """Read a shifts CSV, keeping each shift's line.

    Like ``read_shifts_csv``, but each shift comes with the physical line its
    row starts on, so later checks can point at it. Given ``problems``, the
    problems of bad rows are appended to it and the good rows returned, so
    they can still be checked (a problem of the file as a whole still
    raises).
    """
    table = _Table.read(path, _SHIFT_REQUIRED, _SHIFT_OPTIONAL)
    values: list[tuple[int, Shift]] = []
    for row in table.rows():
        volunteer_id = row.required("volunteer_id")
        start = row.instant("start", required=False)
        end = row.instant("end", required=False)
        if not row.cells["start"] and not row.cells["end"]:
            row.fail(
                "start",
                "start and end are both empty; a shift may be open at one end, not both",
            )
        shift = row.build(
            partial(
                Shift, volunteer_id=volunteer_id, start=start, end=end, role=row.optional("role")
            )
        )
        if shift is not None:
            values.append((row.line, shift))
    table.raise_problems(problems)
    return tuple(values)


def read_pages_csv_with_lines(
    path: str | Path, *, problems: list[Problem] | None = None
) -> tuple[tuple[int, Page], ...]:
    """Read a pages CSV, keeping each page's line.

    Like ``read_pages_csv``, but each page comes with the physical line its
    row starts on, so later checks can point at it. Given ``problems``, the
    problems of bad rows are appended to it and the good rows returned (as
    ``read_shifts_csv_with_lines``).
    """
    table = _Table.read(path, _PAGE_REQUIRED, _PAGE_OPTIONAL)
    ids = _Unique("page id")
    values: list[tuple[int, Page]] = []
    for row in table.rows():
        pid = row.required("id")
        volunteer_id = row.required("volunteer_id")
        at = row.instant("at", required=True)
        resolved_at = row.instant("resolved_at", required=False)
        worked = row.minutes("worked_minutes")
        page: Page | None = None
        if at is not None:  # an empty or bad "at" is already reported
            page = row.build(
                partial(
                    Page,
                    id=pid,
                    volunteer_id=volunteer_id,
                    at=at,
                    resolved_at=resolved_at,
                    worked=worked,
                    urgency=row.optional("urgency"),
                    title=row.optional("title"),
                ),
                columns=_PAGE_COLUMNS,
            )
        ids.check(row, "id", pid)
        if page is not None:
            values.append((row.line, page))
    table.raise_problems(problems)
    return tuple(values)


def read_roster_ids(path: str | Path) -> frozenset[str]:
    """Every id in a roster CSV's ``id`` column, of good rows and bad ones.

    For checking references against a roster that has bad rows: a shift of a
    volunteer whose row is bad does not name an unknown volunteer. Empty if
    the file cannot be read as a table with an ``id`` column.
    """
    return frozenset(cell for cell in read_column(path, "id").values() if cell)


def read_column(path: str | Path, column: str) -> dict[int, str]:
    """The cells of one column by the line their row starts on, of every row.

    Bad rows too: a row whose time cannot be read can still name an unknown
    volunteer, and one run should say both. Empty if the file cannot be read
    as a table with that column.
    """
    try:
        table = _Table.read(path, (column,), ())
    except (InputError, OSError):
        return {}
    return {line: cells[column] for line, cells in table.records}


def check_volunteer_refs(
    volunteers: Iterable[Volunteer | str],
    shifts: Iterable[tuple[str, int, Shift]],
    pages: Iterable[tuple[str, int, Page]],
) -> list[Problem]:
    """Find shifts and pages that name a volunteer missing from the roster.

    Shifts and pages come with their file and line, so rows read from several
    files can be checked at once: build the triples from
    ``read_shifts_csv_with_lines`` and ``read_pages_csv_with_lines``.

    Args:
        volunteers: The roster, or its ids.
        shifts: ``(source, line, shift)`` triples.
        pages: ``(source, line, page)`` triples.

    Returns:
        One problem per unknown reference, shifts first, each in the order
        given; empty if every reference is known. Raise them with
        ``InputError``.
    """
    known = {v if isinstance(v, str) else v.id for v in volunteers}
    located: list[tuple[str, int, Shift | Page]] = [*shifts, *pages]
    return [
        Problem(
            f"unknown volunteer id {value.volunteer_id!r} (not in the roster)",
            source=source,
            line=line,
            field="volunteer_id",
        )
        for source, line, value in located
        if value.volunteer_id not in known
    ]


# --- the table: bytes -> located rows of cells ------------------------------------


@attrs.define
class _Row:
    """One data row: its cells by known column, and the problems it has."""

    source: str
    line: int
    cells: Mapping[str, str]
    sink: list[Problem]
    failed_fields: set[str | None] = attrs.field(factory=set)

    def fail(self, field: str | None, message: str) -> None:
        self.sink.append(Problem(message, source=self.source, line=self.line, field=field))
        self.failed_fields.add(field)

    def optional(self, column: str) -> str | None:
        return self.cells[column] or None

    def required(self, column: str) -> str:
        value = self.cells[column]
        if not value:
            self.fail(column, f"is empty; the {column} column is required")
        return value

    def instant(self, column: str, *, required: bool) -> datetime | None:
        text = self.required(column) if required else self.cells[column]
        if not text:
            return None
        try:
            return _parse_datetime(text)
        except ValueError as e:
            self.fail(column, str(e))
            return None

    def minutes(self, column: str) -> timedelta | None:
        text = self.cells[column]
        if not text:
            return None
        if not _MINUTES.fullmatch(text):
            self.fail(
                column,
                f"{text!r} is not a number of minutes; expected a decimal number such as 15 or 7.5",
            )
            return None
        minutes = Decimal(text)
        if minutes < 0:
            self.fail(column, f"{text!r} is negative; worked minutes are 0 or more")
            return None
        try:
            return timedelta(microseconds=int(minutes * 60_000_000))
        except OverflowError:
            self.fail(column, f"{text!r} minutes is too long to be time worked")
            return None

    def factor(self, column: str) -> Decimal | None:
        """A plain decimal (no sign, no exponent), or ``None`` when empty;
        the model checks its range."""
        text = self.cells[column]
        if not text:
            return None
        if not _FACTOR.fullmatch(text):
            self.fail(column, f"{text!r} is not a decimal number ≥ 0 such as 1.25")
            return None
        return Decimal(text)

    def build(self, make: Callable[[], _T], columns: Mapping[str, str] | None = None) -> _T | None:
        """The value ``make`` builds, or ``None`` if this row has problems.

        Problems the domain constructor raises are moved to this file and
        line; ``columns`` maps its attribute names to column names.
        """
        if self.failed_fields:
            return None
        try:
            return make()
        except InputError as e:
            for problem in e.problems:
                field = problem.field
                if columns is not None and field is not None:
                    field = columns.get(field, field)
                self.fail(field, problem.message)
            return None


@attrs.define
class _Unique:
    """Reports values seen twice in a column, naming the first line."""

    what: str
    first: dict[str, int] = attrs.field(factory=dict)

    def check(self, row: _Row, column: str, value: str) -> None:
        if not value:
            return
        line = self.first.setdefault(value, row.line)
        if line != row.line:
            row.fail(column, f"duplicate {self.what} {value!r}, first on line {line}")


@attrs.define
class _Table:
    """A CSV file split into located rows of the columns a reader knows."""

    source: str
    records: list[tuple[int, dict[str, str]]]
    problems: list[Problem]

    @classmethod
    def read(cls, path: str | Path, required: tuple[str, ...], optional: tuple[str, ...]) -> _Table:
        """Decode, parse and check the header; raises on a file-level problem."""
        source = os.fspath(path)
        text = _decode(source, Path(path).read_bytes())
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        problems: list[Problem] = []
        records: list[tuple[int, dict[str, str]]] = []
        columns: dict[str, int] | None = None
        width = 0
        names: list[str] = []
        while True:
            # line_num counts physical lines read so far, so a record starts
            # on the line after the previous one ended, quoted newlines or not.
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                problems.append(Problem(_csv_error_message(e), source=source, line=line))
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns, header_problems = _header(source, line, cells, required, optional)
                if header_problems:
                    raise InputError([*problems, *header_problems])
                width = len(cells)
                names = [cell.strip() for cell in cells]
                continue
            if len(cells) < width:
                problems.append(_short_row(source, line, len(cells), names))
                continue
            if len(cells) > width:
                problems.append(
                    Problem(
                        f"row has {len(cells)} fields but the header has {width}; "
                        "is there an unquoted comma?",
                        source=source,
                        line=line,
                    )
                )
                continue
            records.append(
                (
                    line,
                    {name: _cell(cells, columns.get(name)) for name in (*required, *optional)},
                )
            )
        if columns is None and not problems:
            listed = ", ".join(required)
            problems.append(
                Problem(
                    f"the file is empty; expected a header row with the columns {listed}",
                    source=source,
                )
            )
        if columns is None:
            raise InputError(problems)
        return cls(source, records, problems)

    def rows(self) -> list[_Row]:
        return [_Row(self.source, line, cells, self.problems) for line, cells in self.records]

    def raise_problems(self, sink: list[Problem] | None = None) -> None:
        """Raise the rows' problems, or, given ``sink``, append them to it."""
        # Stable: problems of one line keep the order they were found in.
        found = sorted(self.problems, key=lambda p: p.line or 0)
        if sink is not None:
            sink.extend(found)
        elif found:
            raise InputError(found)


def _decode(source: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = 'not UTF-8: the file is UTF-16 (save it as "CSV UTF-8")'
        raise InputError(Problem(msg, source=source, line=1))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        before = data[: e.start].decode("utf-8-sig")
        # Count lines the way the CSV reader will (\n, \r\n and \r); the
        # sentinel makes a partial last line count as a line.
        line = len(io.StringIO(before + "x", newline="").readlines())
        msg = (
            f"not UTF-8: byte 0x{data[e.start]:02X} cannot be decoded "
            '(save the file as "CSV UTF-8")'
        )
        raise InputError(Problem(msg, source=source, line=line)) from None


def _cell(cells: list[str], index: int | None) -> str:
    # An absent optional column reads as empty cells (a row shorter than the
    # header is refused before this).
    if index is None:
        return ""
    return cells[index].strip()


def _short_row(source: str, line: int, fields: int, header: list[str]) -> Problem:
    """A row with fewer fields than the header: a truncated export, not empty cells.

    An open end (or any value left out) is written as an empty field with
    its comma; a row that simply stops would otherwise read as one.
    """
    missing = ", ".join(name or f"column {i + 1}" for i, name in enumerate(header) if i >= fields)
    return Problem(
        f"row has {fields} field{'s' if fields != 1 else ''} but the header has {len(header)} "
        f"(no {missing}); is the row cut short? Write a value left out, such as an open "
        "end, as an empty field with its comma",
        source=source,
        line=line,
    )


def _header(
    source: str, line: int, cells: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[dict[str, int], list[Problem]]:
    """The index of each known column present, and any problems with the header."""
    names = [cell.strip() for cell in cells]
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name not in required and name not in optional:
            continue
        if name in columns:
            problems.append(Problem("the column appears twice in the header", source, line, name))
        columns[name] = index
    found = ", ".join(name for name in names if name)
    problems.extend(
        Problem(f"required column is missing (the header has: {found})", source, line, name)
        for name in required
        if name not in columns
    )
    return columns, problems


def _csv_error_message(error: csv.Error) -> str:
    detail = str(error)
    if "end of data" in detail:
        return (
            "a quoted field that starts on this line is never closed; "
            "check for a missing closing quote"
        )
    return (
        f"malformed CSV ({detail}); a field holding a comma, quote or line break "
        'must be wrapped in double quotes, with quotes inside it doubled ("")'
    )


def _parse_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not an ISO 8601 date and time; expected e.g. {_DATETIME_FORM}"
        raise ValueError(msg) from None
    if value.tzinfo is None:
        msg = (
            f"{text} has no UTC offset; add one, e.g. {_DATETIME_FORM} "
            "(times without an offset are not guessed)"
        )
        raise ValueError(msg)
    return value
