"""The CSV readers: roster, shifts and pages files in, domain values out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import oncall_pay as op
from oncall_pay.readers.csv import (
    check_volunteer_refs,
    read_pages_csv,
    read_pages_csv_with_lines,
    read_shifts_csv,
    read_shifts_csv_with_lines,
    read_volunteers_csv,
    read_volunteers_csv_with_lines,
)

BOM = "\ufeff"

VOLUNTEERS_HEADER = "id,name,country,timezone,subdivision\n"
SHIFTS_HEADER = "volunteer_id,start,end,role\n"
PAGES_HEADER = "id,volunteer_id,at,resolved_at,worked_minutes\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def only_problem(error: op.InputError) -> op.Problem:
    assert len(error.problems) == 1, error.problems
    return error.problems[0]


def assert_input_error(
    excinfo: pytest.ExceptionInfo[op.InputError],
    path: Path,
    line: int | None,
    field: str | None,
    *fragments: str,
) -> None:
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert isinstance(error, op.OncallPayError)
    problem = only_problem(error)
    assert (error.source, error.line, error.field) == (str(path), line, field)
    for fragment in fragments:
        assert fragment in problem.message, problem.message
        assert fragment in str(error)


# --- good files -----------------------------------------------------------


def test_roster_with_bom_shuffled_and_extra_columns(tmp_path: Path) -> None:
    """A roster is read whatever the column order, with a BOM and unknown columns."""
    path = write(
        tmp_path,
        "volunteers.csv",
        BOM + " timezone , shoe_size,id,country ,name,subdivision,payroll_id,plan,email,"
        "pagerduty_id,cost_center\n"
        "Europe/Dublin,44,alice,IE,Alice Byrne,,E1001,,alice@example.com,PABC123,CC-7\n"
        "\n"
        "  ,, ,,,,,,,,\n"
        "Europe/London,41,bob,GB,,ENG,,uk-plan,,,\n",
    )
    assert read_volunteers_csv(path) == (
        op.Volunteer(
            id="alice",
            name="Alice Byrne",
            country="IE",
            timezone="Europe/Dublin",
            payroll_id="E1001",
            email="alice@example.com",
            pagerduty_id="PABC123",
            cost_center="CC-7",
        ),
        op.Volunteer(
            id="bob", country="GB", timezone="Europe/London", subdivision="ENG", plan="uk-plan"
        ),
    )


def test_roster_needs_only_the_required_columns(tmp_path: Path) -> None:
    """A roster with just id, country and timezone is enough; the rest default to empty."""
    path = write(tmp_path, "v.csv", "id,country,timezone\ncarol,US,America/Los_Angeles\n")
    (carol,) = read_volunteers_csv(path)
    assert carol == op.Volunteer(id="carol", country="US", timezone="America/Los_Angeles")
    assert carol.name == ""
    assert carol.subdivision is None


def test_shifts_with_z_offsets_and_open_ends(tmp_path: Path) -> None:
    """Shifts accept Z and numeric offsets, and an empty start or end means open-ended."""
    path = write(
        tmp_path,
        "shifts.csv",
        "role,end,volunteer_id,start,note\n"
        'primary,2026-11-09T09:00Z,alice,2026-11-02T09:00:00+00:00,"handover, late"\n'
        ",2026-11-02T09:00+01:00,bob,,\n"
        "\n"
        "secondary,,alice,2026-11-30T09:00:00Z,\n",
    )
    assert read_shifts_csv(path) == (
        op.Shift(
            volunteer_id="alice",
            start=datetime(2026, 11, 2, 9, tzinfo=UTC),
            end=datetime(2026, 11, 9, 9, tzinfo=UTC),
            role="primary",
        ),
        op.Shift(volunteer_id="bob", start=None, end=datetime(2026, 11, 2, 8, tzinfo=UTC)),
        op.Shift(
            volunteer_id="alice",
            start=datetime(2026, 11, 30, 9, tzinfo=UTC),
            end=None,
            role="secondary",
        ),
    )


def test_pages_with_quoted_commas_and_newlines(tmp_path: Path) -> None:
    """Quoted titles may hold commas, quotes and line breaks; worked_minutes becomes a timedelta."""
    path = write(
        tmp_path,
        "pages.csv",
        "title,id,volunteer_id,at,resolved_at,worked_minutes,urgency\n"
        '"DB down, again",PD-1,alice,2026-11-21T02:10Z,2026-11-21T03:00Z,,high\n'
        '"Disk ""full""\non db-2",PD-2,bob,2026-11-22T02:10:00+00:00,,7.5,\n'
        ",PD-3,alice,2026-11-23T10:00Z,,0,\n",
    )
    assert read_pages_csv(path) == (
        op.Page(
            id="PD-1",
            volunteer_id="alice",
            at=datetime(2026, 11, 21, 2, 10, tzinfo=UTC),
            resolved_at=datetime(2026, 11, 21, 3, tzinfo=UTC),
            title="DB down, again",
            urgency="high",
        ),
        op.Page(
            id="PD-2",
            volunteer_id="bob",
            at=datetime(2026, 11, 22, 2, 10, tzinfo=UTC),
            worked=timedelta(minutes=7, seconds=30),
            title='Disk "full"\non db-2',
        ),
        op.Page(
            id="PD-3",
            volunteer_id="alice",
            at=datetime(2026, 11, 23, 10, tzinfo=UTC),
            worked=timedelta(0),
        ),
    )


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    """Line numbers are physical file lines, past blank lines and quoted line breaks."""
    path = write(
        tmp_path,
        "pages.csv",
        "id,volunteer_id,at,title\n"
        "\n"
        'PD-1,alice,2026-11-21T02:10Z,"two\nlines"\n'
        "PD-2,bob,2026-11-21T03:10Z,\n",
    )
    assert [line for line, _ in read_pages_csv_with_lines(path)] == [3, 5]


def test_crlf_line_endings(tmp_path: Path) -> None:
    """Files saved with Windows line endings read the same, lines counted alike."""
    path = write(tmp_path, "v.csv", "id,country,timezone\r\n\r\nalice,IE,Europe/Dublin\r\n")
    assert [(line, v.id) for line, v in read_volunteers_csv_with_lines(path)] == [(3, "alice")]


# --- bad files ----------------------------------------------------------------


def test_naive_datetime_is_refused(tmp_path: Path) -> None:
    """A datetime without a UTC offset is an error, not a guess."""
    path = write(
        tmp_path, "shifts.csv", SHIFTS_HEADER + "alice,2026-11-02T09:00,2026-11-09T09:00Z,\n"
    )
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    assert_input_error(excinfo, path, 2, "start", "2026-11-02T09:00", "no UTC offset")


def test_malformed_datetime_shows_value_and_form(tmp_path: Path) -> None:
    """A datetime that is not ISO 8601 is shown back with the form expected."""
    path = write(
        tmp_path, "shifts.csv", SHIFTS_HEADER + "alice,2026-11-02T09:00Z,09/11/2026 09:00,\n"
    )
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    assert_input_error(
        excinfo, path, 2, "end", "'09/11/2026 09:00'", "ISO 8601", "2026-11-21T02:10:00+00:00"
    )


def test_end_before_start(tmp_path: Path) -> None:
    """A shift that ends before it starts is refused at its line, on the end field."""
    path = write(
        tmp_path, "shifts.csv", SHIFTS_HEADER + "alice,2026-11-02T10:00Z,2026-11-02T09:00Z,\n"
    )
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    assert_input_error(excinfo, path, 2, "end", "is not after start")
    assert str(excinfo.value).startswith(f'{path} line 2, field "end": ')


def test_end_equal_to_start(tmp_path: Path) -> None:
    """A shift of zero length is refused."""
    path = write(
        tmp_path, "shifts.csv", SHIFTS_HEADER + "alice,2026-11-02T10:00Z,2026-11-02T11:00+01:00,\n"
    )
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    assert_input_error(excinfo, path, 2, "end", "is not after start")


def test_shift_with_neither_start_nor_end(tmp_path: Path) -> None:
    """A shift open at both ends is refused."""
    path = write(tmp_path, "shifts.csv", SHIFTS_HEADER + "alice,,,primary\n")
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    assert_input_error(excinfo, path, 2, "start", "both empty")


def test_unknown_time_zone(tmp_path: Path) -> None:
    """A time zone that is not in the tz database is refused at its line."""
    path = write(tmp_path, "volunteers.csv", VOLUNTEERS_HEADER + "alice,Alice,IE,Europe/Dublim,\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 2, "timezone", "'Europe/Dublim'", "IANA time zone")


def test_unknown_country(tmp_path: Path) -> None:
    """A country the holidays package does not know is refused at its line."""
    path = write(tmp_path, "volunteers.csv", VOLUNTEERS_HEADER + "alice,Alice,XX,Europe/Dublin,\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 2, "country", "'XX'", "ISO 3166-1 alpha-2")


def test_unknown_subdivision(tmp_path: Path) -> None:
    """A subdivision the country does not have is refused, listing the known ones."""
    path = write(tmp_path, "volunteers.csv", VOLUNTEERS_HEADER + "bob,Bob,GB,Europe/London,XYZ\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 2, "subdivision", "'XYZ'", "ENG")


def test_bad_country_and_time_zone_on_one_row(tmp_path: Path) -> None:
    """A row with a bad country and a bad time zone reports both."""
    path = write(tmp_path, "volunteers.csv", VOLUNTEERS_HEADER + "alice,Alice,XX,Mars/Base,\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert [(p.line, p.field) for p in excinfo.value.problems] == [
        (2, "country"),
        (2, "timezone"),
    ]


def test_empty_required_cell(tmp_path: Path) -> None:
    """An empty cell in a required column is refused, naming the column."""
    path = write(tmp_path, "volunteers.csv", VOLUNTEERS_HEADER + "alice,Alice,,Europe/Dublin,\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 2, "country", "empty")


def test_duplicate_volunteer_id(tmp_path: Path) -> None:
    """A roster that lists an id twice is refused, naming both lines."""
    path = write(
        tmp_path,
        "volunteers.csv",
        VOLUNTEERS_HEADER
        + "alice,Alice,IE,Europe/Dublin,\n"
        + "bob,Bob,GB,Europe/London,ENG\n"
        + "alice,Alice B,IE,Europe/Dublin,\n",
    )
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 4, "id", "duplicate volunteer id 'alice'", "line 2")


def test_duplicate_page_id(tmp_path: Path) -> None:
    """Two pages with one id are refused, naming both lines."""
    path = write(
        tmp_path,
        "pages.csv",
        PAGES_HEADER + "PD-1,alice,2026-11-21T02:10Z,,\n" + "PD-1,bob,2026-11-21T04:10Z,,\n",
    )
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(path)
    assert_input_error(excinfo, path, 3, "id", "duplicate page id 'PD-1'", "line 2")


def test_resolved_before_page(tmp_path: Path) -> None:
    """A page resolved before it was sent is refused on resolved_at."""
    path = write(
        tmp_path, "pages.csv", PAGES_HEADER + "PD-1,alice,2026-11-21T02:10Z,2026-11-21T02:00Z,\n"
    )
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(path)
    assert_input_error(excinfo, path, 2, "resolved_at", "is before the page")


def test_negative_worked_minutes(tmp_path: Path) -> None:
    """Negative worked minutes are refused on the worked_minutes column."""
    path = write(tmp_path, "pages.csv", PAGES_HEADER + "PD-1,alice,2026-11-21T02:10Z,,-5\n")
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(path)
    assert_input_error(excinfo, path, 2, "worked_minutes", "'-5'", "negative")


def test_worked_minutes_not_a_number(tmp_path: Path) -> None:
    """Worked minutes that are not a decimal number are shown back with the form expected."""
    path = write(tmp_path, "pages.csv", PAGES_HEADER + "PD-1,alice,2026-11-21T02:10Z,,1h30\n")
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(path)
    assert_input_error(excinfo, path, 2, "worked_minutes", "'1h30'", "number of minutes")


def test_missing_column(tmp_path: Path) -> None:
    """A file without a required column is refused at its header line, naming the column."""
    path = write(tmp_path, "shifts.csv", "volunteer_id,start,stop\nalice,2026-11-02T09:00Z,\n")
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    assert_input_error(excinfo, path, 1, "end", "missing", "volunteer_id, start, stop")


def test_empty_file(tmp_path: Path) -> None:
    """An empty file is refused: a header row is required."""
    path = write(tmp_path, "volunteers.csv", "\n\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, None, None, "header row", "id, country, timezone")


def test_duplicate_column(tmp_path: Path) -> None:
    """A header that names a column twice is refused: which one to read is unclear."""
    path = write(tmp_path, "v.csv", "id,country,timezone,id\nalice,IE,Europe/Dublin,bob\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 1, "id", "twice")


def test_bad_quoting(tmp_path: Path) -> None:
    """An unterminated quote is refused at the line where the quoted field starts."""
    path = write(
        tmp_path,
        "pages.csv",
        "id,volunteer_id,at,title\n"
        "PD-1,alice,2026-11-21T02:10Z,fine\n"
        'PD-2,alice,2026-11-21T03:10Z,"never closed\n'
        "PD-3,alice,2026-11-21T04:10Z,\n",
    )
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(path)
    assert_input_error(excinfo, path, 3, None, "quoted field", "never closed")


def test_stray_quote(tmp_path: Path) -> None:
    """Text after a closing quote is refused at its line; the rows after it are still read."""
    path = write(
        tmp_path,
        "pages.csv",
        "id,volunteer_id,at,title\n"
        'PD-1,alice,2026-11-21T02:10Z,"a"b\n'
        "PD-2,alice,2026-11-21T03:10,\n",
    )
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(path)
    assert [(p.line, p.field) for p in excinfo.value.problems] == [(2, None), (3, "at")]
    assert "quote" in excinfo.value.problems[0].message


def test_row_with_more_fields_than_header(tmp_path: Path) -> None:
    """A row with more fields than the header is refused (an unquoted comma, usually)."""
    path = write(tmp_path, "v.csv", "id,country,timezone\nalice,IE,Europe/Dublin,Dublin, IE\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 2, None, "5 fields", "header has 3")


def test_wrong_encoding(tmp_path: Path) -> None:
    """A latin-1 file is refused as not UTF-8, at the line of the first bad byte."""
    path = tmp_path / "volunteers.csv"
    path.write_bytes(
        "id,name,country,timezone\nalice,Alice,IE,Europe/Dublin\nsean,Seán,IE,Europe/Dublin\n".encode(
            "latin-1"
        )
    )
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 3, None, "not UTF-8", "0xE1")


def test_utf16_file(tmp_path: Path) -> None:
    """A UTF-16 file (Excel's "Unicode text") is refused as not UTF-8, saying what it is."""
    path = tmp_path / "volunteers.csv"
    path.write_bytes("id,country,timezone\n".encode("utf-16"))
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert_input_error(excinfo, path, 1, None, "not UTF-8", "UTF-16")


def test_three_bad_rows_are_all_reported(tmp_path: Path) -> None:
    """Every bad row of a file is reported in one error, in line order."""
    path = write(
        tmp_path,
        "shifts.csv",
        SHIFTS_HEADER
        + "alice,2026-11-02T09:00,2026-11-09T09:00Z,\n"
        + "alice,2026-11-09T09:00Z,2026-11-16T09:00Z,\n"
        + "bob,2026-11-09T09:00Z,2026-11-01T09:00Z,\n"
        + "\n"
        + "carol,,,\n",
    )
    with pytest.raises(op.InputError) as excinfo:
        read_shifts_csv(path)
    problems = excinfo.value.problems
    assert [(p.source, p.line, p.field) for p in problems] == [
        (str(path), 2, "start"),
        (str(path), 4, "end"),
        (str(path), 6, "start"),
    ]
    assert len(str(excinfo.value).splitlines()) == 3


# --- references between files ---------------------------------------------------


def test_unknown_volunteer_ids_are_located(tmp_path: Path) -> None:
    """Shifts and pages naming someone missing from the roster are reported with file and line."""
    roster = write(tmp_path, "volunteers.csv", "id,country,timezone\nalice,IE,Europe/Dublin\n")
    shifts = write(
        tmp_path,
        "shifts.csv",
        SHIFTS_HEADER
        + "alice,2026-11-02T09:00Z,2026-11-09T09:00Z,\n"
        + "zoe,2026-11-09T09:00Z,2026-11-16T09:00Z,\n",
    )
    pages = write(tmp_path, "pages.csv", PAGES_HEADER + "PD-1,bob,2026-11-21T02:10Z,,\n")
    problems = check_volunteer_refs(
        read_volunteers_csv(roster),
        [(str(shifts), line, shift) for line, shift in read_shifts_csv_with_lines(shifts)],
        [(str(pages), line, page) for line, page in read_pages_csv_with_lines(pages)],
    )
    assert [(p.source, p.line, p.field) for p in problems] == [
        (str(shifts), 3, "volunteer_id"),
        (str(pages), 2, "volunteer_id"),
    ]
    assert "'zoe'" in problems[0].message
    assert "not in the roster" in problems[0].message


def test_known_volunteer_ids_pass(tmp_path: Path) -> None:
    """Shifts and pages of rostered volunteers raise no reference problem."""
    alice = op.Volunteer(id="alice", country="IE", timezone="Europe/Dublin")
    shift = op.Shift(volunteer_id="alice", start=datetime(2026, 11, 2, tzinfo=UTC), end=None)
    page = op.Page(id="PD-1", volunteer_id="alice", at=datetime(2026, 11, 2, tzinfo=UTC))
    assert check_volunteer_refs([alice], [("s.csv", 2, shift)], [("p.csv", 2, page)]) == []


def test_short_row_is_refused_even_when_only_optional_cells_are_missing(tmp_path: Path) -> None:
    """A row with fewer fields than the header is a truncated row (issue 18), not
    empty trailing cells; the same row with its commas reads them as empty."""
    path = write(tmp_path, "v.csv", "id,country,timezone,name,plan\nalice,IE,Europe/Dublin\n")
    with pytest.raises(op.InputError) as excinfo:
        read_volunteers_csv(path)
    assert (excinfo.value.line, excinfo.value.field) == (2, None)
    assert "row has 3 fields but the header has 5 (no name, plan)" in excinfo.value.message
    path.write_text("id,country,timezone,name,plan\nalice,IE,Europe/Dublin,,\n", encoding="utf-8")
    (alice,) = read_volunteers_csv(path)
    assert (alice.name, alice.plan) == ("", None)


def test_source_is_the_path_as_given(tmp_path: Path) -> None:
    """Problems name the file exactly as the caller spelled it."""
    path = write(tmp_path, "pages.csv", PAGES_HEADER + "PD-1,alice,yesterday,,\n")
    with pytest.raises(op.InputError) as excinfo:
        read_pages_csv(str(path))
    assert excinfo.value.source == str(path)
    assert str(excinfo.value).startswith(f"{path} line 2, field \"at\": 'yesterday' is not")
