"""Real schedule sources: PagerDuty API exports and iCalendar feeds in, shifts and pages out.

The fixtures in ``tests/fixtures/pagerduty`` and ``tests/fixtures/ical`` are
hand-written in the shape of the vendors' documented examples (PagerDuty REST
API v2 field names and nesting; RFC 5545 for the feeds).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

import oncall_pay as op
from helpers import DUBLIN, LONDON, example_policy, local
from oncall_pay.readers.csv import read_pages_csv, read_shifts_csv
from oncall_pay.readers.ical import read_ics
from oncall_pay.readers.pagerduty import (
    read_pagerduty_incidents_csv,
    read_pagerduty_log_entries,
    read_pagerduty_oncalls,
    read_pagerduty_schedule,
)

FIXTURES = Path(__file__).parent / "fixtures"
PD = FIXTURES / "pagerduty"
ICAL = FIXTURES / "ical"

ALICE = attrs.evolve(DUBLIN, email="alice@example.com", pagerduty_id="PALB123")
BOB = attrs.evolve(LONDON, email="bob@example.com", pagerduty_id="PBJ0456")
CAROL = op.Volunteer(
    id="carol",
    name="Carol Diaz",
    country="IE",
    timezone="Europe/Dublin",
    email="carol.diaz@example.com",
)
DAN = op.Volunteer(id="dan", name="Dan Oduya", country="IE", timezone="Europe/Dublin")
MAEVE = op.Volunteer(
    id="maeve", name="Maeve Walsh", country="IE", timezone="Europe/Dublin", pagerduty_id="PMGR999"
)
ROSTER = (ALICE, BOB, CAROL, DAN, MAEVE)

WINDOW = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def spans(shifts: tuple[op.Shift, ...], vid: str) -> list[tuple[datetime | None, datetime | None]]:
    """The (start, end) of one volunteer's shifts, in time order, as UTC."""

    def as_utc(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    found = [(as_utc(s.start), as_utc(s.end)) for s in shifts if s.volunteer_id == vid]
    return sorted(found, key=lambda span: (span[0] or utc(1, 1, 1), span[1] or utc(9999, 1, 1)))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(error: op.InputError) -> str:
    return "\n".join(str(p) for p in error.problems)


# --- PagerDuty: GET /oncalls -------------------------------------------------------


def test_oncalls_two_pages_of_results_are_concatenated() -> None:
    """Two saved pages of /oncalls results give every level-1 shift once."""
    shifts = read_pagerduty_oncalls(
        [PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"], ROSTER
    )
    assert spans(shifts, "alice") == [
        (utc(2026, 10, 12, 8), utc(2026, 10, 19, 8)),
        (utc(2026, 10, 26, 9), utc(2026, 11, 2, 9)),
    ]
    # Bob's entry is on both pages (the results shifted between requests).
    assert spans(shifts, "bob") == [(utc(2026, 10, 19, 8), utc(2026, 10, 26, 9))]
    assert spans(shifts, "dan") == [(utc(2026, 11, 2, 9), utc(2026, 11, 9, 9))]
    assert {s.role for s in shifts} == {"level 1"}
    assert {s.volunteer_id for s in shifts} == {"alice", "bob", "dan"}


def test_oncalls_one_file_holding_every_page_reads_like_separate_files() -> None:
    """A JSON array of /oncalls result pages reads the same as one file per page."""
    together = read_pagerduty_oncalls(PD / "oncalls-all-pages.json", ROSTER)
    apart = read_pagerduty_oncalls([PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"], ROSTER)
    assert together == apart


def test_oncalls_json_text_is_accepted_as_well_as_a_path() -> None:
    """The JSON text itself can be given instead of a file."""
    text = (PD / "rota-oncalls.json").read_text(encoding="utf-8")
    assert read_pagerduty_oncalls(text, ROSTER) == read_pagerduty_oncalls(
        PD / "rota-oncalls.json", ROSTER
    )


def test_oncalls_other_levels_only_when_asked_for() -> None:
    """Escalation level 2 is read only when asked for, and its shifts say so."""
    shifts = read_pagerduty_oncalls(
        [PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"],
        ROSTER,
        levels=(1, 2),
        clip=(utc(2026, 10, 12), utc(2026, 11, 9)),
    )
    # Carol is matched by the email the export carries (include[]=users),
    # whatever its case.
    carol = [s for s in shifts if s.volunteer_id == "carol"]
    assert [(s.start, s.end, s.role) for s in carol] == [
        (
            local("Europe/Dublin", 2026, 10, 12, 9),
            local("Europe/Dublin", 2026, 10, 26, 9),
            "level 2",
        )
    ]
    assert {s.role for s in shifts if s.volunteer_id != "carol" and s.volunteer_id != "maeve"} == {
        "level 1"
    }


def test_oncalls_permanent_member_is_left_out_unless_their_level_is_asked_for() -> None:
    """A null start/end entry (a permanent escalation-rule member) is clipped to the window."""
    pages = [PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"]
    window = (utc(2026, 10, 12), utc(2026, 11, 9))
    assert spans(read_pagerduty_oncalls(pages, ROSTER, clip=window), "maeve") == []
    shifts = read_pagerduty_oncalls(pages, ROSTER, levels=(2,), clip=window)
    assert spans(shifts, "maeve") == [window]
    assert {s.volunteer_id for s in shifts} == {"maeve", "carol"}


def test_oncalls_permanent_member_without_a_window_is_open_ended() -> None:
    """Without a clip window a permanent member's shift stays open for the engine to clip."""
    pages = [PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"]
    shifts = read_pagerduty_oncalls(pages, ROSTER, levels=(2,), clip=None)
    maeve = [s for s in shifts if s.volunteer_id == "maeve"]
    assert [(s.start, s.end) for s in maeve] == [(None, None)]


def test_oncalls_missing_page_of_results_is_an_error() -> None:
    """A page that says more results follow, without the next page, is refused."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(PD / "oncalls-page-1.json", ROSTER)
    error = excinfo.value
    assert error.source == str(PD / "oncalls-page-1.json")
    assert error.field == "more"
    assert "offset 4" in error.message


def test_oncalls_unmatched_people_are_all_listed_with_every_place() -> None:
    """Everyone who matches nobody is listed once, with every file and JSON path they appear at."""
    page1, page2 = PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls([page1, page2], (ALICE,))
    problems = excinfo.value.problems
    assert len(problems) == 2
    bob, dan = problems
    assert (bob.source, bob.field) == (str(page1), "oncalls[2].user")
    assert "PBJ0456" in bob.message
    assert "Bob Jones" in bob.message
    assert f"{page2}: oncalls[0].user" in bob.message
    assert (dan.source, dan.field) == (str(page2), "oncalls[2].user")
    assert "PDO1111" in dan.message


def test_oncalls_people_of_levels_not_asked_for_need_not_be_in_the_roster() -> None:
    """A manager on level 2 who is not in the roster is no error when level 2 is not paid."""
    shifts = read_pagerduty_oncalls(PD / "rota-oncalls.json", (ALICE, BOB))
    assert {s.volunteer_id for s in shifts} == {"alice", "bob"}


def test_name_match_is_the_last_resort_and_never_guesses_between_namesakes() -> None:
    """A user known only by display name matches a unique roster name, never two namesakes."""
    pages = [PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"]
    shifts = read_pagerduty_oncalls(pages, ROSTER)
    assert spans(shifts, "dan") == [(utc(2026, 11, 2, 9), utc(2026, 11, 9, 9))]
    twin = attrs.evolve(DAN, id="dan2")
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(pages, (*ROSTER, twin))
    assert "PDO1111" in excinfo.value.message
    assert "dan, dan2" in excinfo.value.message


def test_explicit_mapping_overrides_the_roster() -> None:
    """A mapping from PagerDuty id or email to roster id wins over every other match."""
    pages = [PD / "oncalls-page-1.json", PD / "oncalls-page-2.json"]
    shifts = read_pagerduty_oncalls(pages, ROSTER, mapping={"PDO1111": "carol"})
    assert spans(shifts, "carol") == [(utc(2026, 11, 2, 9), utc(2026, 11, 9, 9))]
    assert spans(shifts, "dan") == []
    by_email = read_pagerduty_oncalls(
        pages,
        ROSTER,
        levels=(2,),
        mapping={"carol.diaz@EXAMPLE.com": "dan"},
    )
    assert {s.volunteer_id for s in by_email} == {"dan", "maeve"}


def test_mapping_to_a_volunteer_missing_from_the_roster_is_an_error() -> None:
    """A mapping that names an unknown roster id is refused."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(PD / "rota-oncalls.json", ROSTER, mapping={"PALB123": "alicia"})
    assert excinfo.value.field == "PALB123"
    assert "alicia" in excinfo.value.message


def test_oncalls_bad_values_are_all_reported_by_json_path(tmp_path: Path) -> None:
    """Every bad value is reported with its JSON path and what was expected."""
    doc = json.loads((PD / "rota-oncalls.json").read_text(encoding="utf-8"))
    doc["oncalls"][0]["start"] = "2026-10-12T09:00:00"
    doc["oncalls"][2]["escalation_level"] = "one"
    doc["oncalls"][3]["end"] = "2026-10-20T09:00:00+00:00"
    del doc["oncalls"][4]["user"]
    path = write(tmp_path, "oncalls.json", json.dumps(doc))
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(path, ROSTER)
    problems = excinfo.value.problems
    assert [(p.source, p.field) for p in problems] == [
        (str(path), "oncalls[0].start"),
        (str(path), "oncalls[2].escalation_level"),
        (str(path), "oncalls[3].end"),
        (str(path), "oncalls[4].user"),
    ]
    assert "no UTC offset" in problems[0].message
    assert '"one"' in problems[1].message
    assert "not after" in problems[2].message


def test_a_file_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    """A file that is not JSON is refused with the line of the first mistake."""
    path = write(tmp_path, "oncalls.json", '{\n  "oncalls": [\n    {,\n  ]\n}\n')
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(path, ROSTER)
    assert (excinfo.value.source, excinfo.value.line) == (str(path), 3)
    assert "not JSON" in excinfo.value.message


def test_a_json_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    """A schedule given where /oncalls results are expected is refused, saying what was expected."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(PD / "schedule-with-override.json", ROSTER)
    assert "oncalls" in excinfo.value.message


def test_clip_window_must_be_aware() -> None:
    """A clip window given in naive datetimes is refused."""
    with pytest.raises(op.InputError, match="no UTC offset"):
        read_pagerduty_oncalls(
            PD / "rota-oncalls.json",
            ROSTER,
            clip=(datetime(2026, 10, 1), datetime(2026, 11, 1)),
        )


# --- PagerDuty: GET /schedules/{id} --------------------------------------------------


def test_schedule_override_splits_a_shift() -> None:
    """The final schedule is read, so an override splits the week it falls in."""
    shifts = read_pagerduty_schedule(PD / "schedule-with-override.json", ROSTER)
    assert spans(shifts, "alice") == [
        (utc(2026, 11, 2, 9), utc(2026, 11, 4, 12)),
        (utc(2026, 11, 4, 18), utc(2026, 11, 9, 9)),
    ]
    assert spans(shifts, "bob") == [
        (utc(2026, 11, 4, 12), utc(2026, 11, 4, 18)),
        (utc(2026, 11, 9, 9), utc(2026, 11, 16, 9)),
    ]
    assert {s.role for s in shifts} == {"Volunteers - Primary"}


def test_schedule_unmatched_people_are_listed(tmp_path: Path) -> None:
    """A schedule entry for someone outside the roster names its JSON path."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_schedule(PD / "schedule-with-override.json", (BOB,))
    (problem,) = excinfo.value.problems
    assert problem.field == "schedule.final_schedule.rendered_schedule_entries[0].user"
    assert "rendered_schedule_entries[2].user" in problem.message


# --- PagerDuty: GET /log_entries -------------------------------------------------------


def test_log_entries_give_one_page_per_person_per_incident() -> None:
    """Each person notified about an incident is one page, at their first notification."""
    pages = read_pagerduty_log_entries(PD / "log-entries.json", ROSTER)
    by_id = {p.id: p for p in pages}
    assert sorted(by_id) == ["Q1ABCDE1/PALB123", "Q2FGHIJ2/PALB123", "Q2FGHIJ2/PBJ0456"]
    first = by_id["Q1ABCDE1/PALB123"]
    # Pushed at 03:10:05, phoned at 03:13:05: one interruption, from the push.
    assert first == op.Page(
        id="Q1ABCDE1/PALB123",
        volunteer_id="alice",
        at=utc(2026, 11, 7, 3, 10, 5),
        resolved_at=utc(2026, 11, 7, 3, 40),
        worked=None,
        urgency="high",
        title="Disk full on db-2",
    )
    assert by_id["Q2FGHIJ2/PBJ0456"].volunteer_id == "bob"
    assert by_id["Q2FGHIJ2/PBJ0456"].at == utc(2026, 11, 10, 22, 5, 4)
    assert by_id["Q2FGHIJ2/PALB123"].at == utc(2026, 11, 10, 22, 35, 4)
    # No resolve_log_entry for Q2 in the file: still open when exported.
    assert by_id["Q2FGHIJ2/PBJ0456"].resolved_at is None


def test_log_entries_with_incident_references_only(tmp_path: Path) -> None:
    """Without include[]=incidents the title is the incident summary and urgency unknown."""
    doc = json.loads((PD / "log-entries.json").read_text(encoding="utf-8"))
    for entry in doc["log_entries"]:
        incident = entry["incident"]
        entry["incident"] = {
            "id": incident["id"],
            "type": "incident_reference",
            "summary": incident["summary"],
            "self": incident["self"],
            "html_url": incident["html_url"],
        }
    path = write(tmp_path, "log-entries.json", json.dumps(doc))
    page = {p.id: p for p in read_pagerduty_log_entries(path, ROSTER)}["Q1ABCDE1/PALB123"]
    assert (page.urgency, page.title) == (None, "[#101] Disk full on db-2")
    assert page.resolved_at == utc(2026, 11, 7, 3, 40)


def test_log_entries_unmatched_person_is_listed() -> None:
    """A notified user outside the roster is an error naming the log entry."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_log_entries(PD / "log-entries.json", (ALICE,))
    (problem,) = excinfo.value.problems
    assert problem.field == "log_entries[3].user"
    assert "PBJ0456" in problem.message


def test_log_entries_pages_split_over_files_are_read_together(tmp_path: Path) -> None:
    """A resolve entry on another page of results still resolves the incident."""
    doc = json.loads((PD / "log-entries.json").read_text(encoding="utf-8"))
    entries = doc["log_entries"]
    first = dict(doc, log_entries=entries[:6], limit=6, offset=0, more=True)
    second = dict(doc, log_entries=entries[6:], limit=6, offset=6, more=False)
    paths = [
        write(tmp_path, "a.json", json.dumps(first)),
        write(tmp_path, "b.json", json.dumps(second)),
    ]
    assert read_pagerduty_log_entries(paths, ROSTER) == read_pagerduty_log_entries(
        PD / "log-entries.json", ROSTER
    )


# --- PagerDuty: incidents CSV export ---------------------------------------------------


def test_incidents_csv_pages_the_first_acknowledger_else_the_first_assignee() -> None:
    """The page goes to the first acknowledger, else the first assignee, else nobody."""
    pages = read_pagerduty_incidents_csv(PD / "incidents.csv", ROSTER)
    assert [(p.id, p.volunteer_id, p.at, p.resolved_at, p.urgency, p.title) for p in pages] == [
        (
            "Q1ABCDE1/PALB123",
            "alice",
            utc(2026, 11, 7, 3, 10),
            utc(2026, 11, 7, 3, 40),
            "high",
            "Disk full on db-2",
        ),
        (
            "Q2FGHIJ2/PALB123",
            "alice",
            utc(2026, 11, 10, 22, 5),
            utc(2026, 11, 10, 23, 15),
            "low",
            "Checkout latency above 2s",
        ),
        (
            "Q3KLMNO3/PBJ0456",
            "bob",
            utc(2026, 11, 14, 2),
            utc(2026, 11, 14, 2, 30),
            "high",
            "Payment webhook queue backing up",
        ),
    ]


def test_incidents_csv_unmatched_person_names_the_line() -> None:
    """An incident paged to someone outside the roster names its CSV line and column."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_incidents_csv(PD / "incidents.csv", (ALICE,))
    (problem,) = excinfo.value.problems
    assert (problem.line, problem.field) == (4, "assigned_to_user_ids")
    assert "PBJ0456" in problem.message
    assert "Bob Jones" in problem.message


def test_incidents_csv_bad_rows_are_all_reported(tmp_path: Path) -> None:
    """Every bad row of the incidents export is reported with its line and column."""
    text = (PD / "incidents.csv").read_text(encoding="utf-8")
    text = text.replace("2026-11-07T03:10:00+00:00", "2026-11-07 03:10")
    text = text.replace("2026-11-14T02:30:00+00:00", "2026-11-13T02:30:00+00:00")
    path = write(tmp_path, "incidents.csv", text)
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_incidents_csv(path, ROSTER)
    assert [(p.line, p.field) for p in excinfo.value.problems] == [
        (2, "created_on"),
        (4, "resolved_on"),
    ]


# --- iCalendar feeds --------------------------------------------------------------------


def test_ics_weekly_rota_keeps_local_nine_across_the_dst_change() -> None:
    """A weekly 09:00 Europe/Dublin handoff stays 09:00 local after the clocks go back."""
    shifts = read_ics(ICAL / "dublin-rota.ics", ROSTER, window=WINDOW)
    bob_first = spans(shifts, "bob")[0]
    # 09:00 IST (UTC+1) on 19 October to 09:00 GMT on 26 October: 169 hours.
    assert bob_first == (utc(2026, 10, 19, 8), utc(2026, 10, 26, 9))
    assert spans(shifts, "alice")[1][0] == utc(2026, 10, 26, 9)
    for shift in shifts:
        assert shift.start is not None
        assert shift.start.astimezone(local("Europe/Dublin", 2026, 1, 1).tzinfo).hour == 9


def test_ics_recurrences_exceptions_overrides_and_cancellations() -> None:
    """RRULE, EXDATE and RECURRENCE-ID are expanded and cancelled events ignored."""
    shifts = read_ics(ICAL / "dublin-rota.ics", ROSTER, window=WINDOW)
    assert spans(shifts, "alice") == [
        (utc(2026, 10, 12, 8), utc(2026, 10, 19, 8)),
        (utc(2026, 10, 26, 9), utc(2026, 11, 2, 9)),
        # The 9 November instance moved to the Tuesday (RECURRENCE-ID) …
        (utc(2026, 11, 10, 9), utc(2026, 11, 16, 9)),
        # … and the 23 November instance is cancelled.
    ]
    assert spans(shifts, "bob") == [
        (utc(2026, 10, 19, 8), utc(2026, 10, 26, 9)),
        (utc(2026, 11, 2, 9), utc(2026, 11, 9, 9)),
        (utc(2026, 11, 9, 9), utc(2026, 11, 10, 9)),
        # 16 November is an EXDATE; Carol covers it.
        (utc(2026, 11, 30, 9), utc(2026, 12, 7, 9)),
    ]
    assert spans(shifts, "carol") == [(utc(2026, 11, 16, 9), utc(2026, 11, 23, 9))]
    # The cancelled event of a former colleague matches nobody, and is no error.
    assert {s.volunteer_id for s in shifts} == {"alice", "bob", "carol"}
    assert {s.role for s in shifts} == {"Volunteers - Primary"}


def test_ics_expansion_is_limited_to_the_window() -> None:
    """Only occurrences that overlap the window are read, whole."""
    shifts = read_ics(
        ICAL / "dublin-rota.ics", ROSTER, window=(utc(2026, 10, 20), utc(2026, 10, 27))
    )
    assert sorted((s.volunteer_id, s.start, s.end) for s in shifts if s.start is not None) == [
        ("alice", local("Europe/Dublin", 2026, 10, 26, 9), local("Europe/Dublin", 2026, 11, 2, 9)),
        ("bob", local("Europe/Dublin", 2026, 10, 19, 9), local("Europe/Dublin", 2026, 10, 26, 9)),
    ]


def test_ics_floating_time_is_an_error_naming_the_file_and_event() -> None:
    """A DTSTART without a zone is refused unless a zone is given."""
    path = ICAL / "floating.ics"
    with pytest.raises(op.InputError) as excinfo:
        read_ics(path, ROSTER, window=WINDOW)
    (problem,) = excinfo.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), 7, "DTSTART")
    assert "floating-1@oncall.example.com" in problem.message
    assert "zone" in problem.message


def test_ics_floating_time_is_read_in_the_given_zone() -> None:
    """With a default zone, floating times are local wall-clock times in it."""
    shifts = read_ics(ICAL / "floating.ics", ROSTER, window=WINDOW, default_zone="Europe/Dublin")
    assert [(s.volunteer_id, s.start, s.end) for s in shifts] == [
        ("alice", local("Europe/Dublin", 2026, 10, 26, 9), local("Europe/Dublin", 2026, 11, 2, 9))
    ]


def test_ics_all_day_event_is_an_error_without_a_zone() -> None:
    """An all-day (DATE) event is refused unless a zone is given."""
    with pytest.raises(op.InputError) as excinfo:
        read_ics(ICAL / "all-day.ics", ROSTER, window=WINDOW)
    (problem,) = excinfo.value.problems
    assert (problem.line, problem.field) == (7, "DTSTART")
    assert "all-day" in problem.message


def test_ics_all_day_event_runs_between_local_midnights_in_the_given_zone() -> None:
    """With a zone, an all-day event runs from local midnight to local midnight."""
    shifts = read_ics(ICAL / "all-day.ics", ROSTER, window=WINDOW, default_zone="Europe/London")
    (shift,) = shifts
    assert (shift.start, shift.end) == (
        local("Europe/London", 2026, 10, 24, 0),
        local("Europe/London", 2026, 10, 26, 0),
    )
    assert shift.end is not None
    assert shift.start is not None
    # The clocks go back in the night to Sunday: two local days of 49 hours.
    assert shift.end.astimezone(UTC) - shift.start.astimezone(UTC) == timedelta(hours=49)


def test_ics_pagerduty_feed_matches_people_by_name_in_the_summary() -> None:
    """PagerDuty's "On Call - Name - Schedule" summaries match roster names."""
    shifts = read_ics(ICAL / "pagerduty-feed.ics", ROSTER, window=WINDOW)
    assert sorted(shifts, key=lambda s: s.start or WINDOW[0]) == list(
        read_pagerduty_schedule(PD / "schedule-with-override.json", ROSTER)[:3]
    )


def test_ics_unmatched_people_are_all_listed_with_their_lines() -> None:
    """Everyone unmatched is listed with every event line; ATTENDEE wins over SUMMARY."""
    path = ICAL / "unknown-people.ics"
    with pytest.raises(op.InputError) as excinfo:
        read_ics(path, ROSTER, window=WINDOW)
    zoe, yusuf = excinfo.value.problems
    assert (zoe.source, zoe.line, zoe.field) == (str(path), 10, "SUMMARY")
    assert "Zoe Quinn" in zoe.message
    assert "line 25" in zoe.message
    assert (yusuf.line, yusuf.field) == (18, "ATTENDEE")
    assert "yusuf@example.com" in yusuf.message


def test_ics_summary_naming_two_volunteers_is_an_error(tmp_path: Path) -> None:
    """A summary that names two roster people is refused rather than guessed."""
    text = (ICAL / "pagerduty-feed.ics").read_text(encoding="utf-8")
    text = text.replace("On Call - Bob Jones -", "On Call - Bob Jones and Alice Byrne -")
    path = write(tmp_path, "feed.ics", text)
    with pytest.raises(op.InputError) as excinfo:
        read_ics(path, ROSTER, window=WINDOW)
    assert excinfo.value.field == "SUMMARY"
    assert "alice, bob" in excinfo.value.message


def test_ics_mapping_overrides_summary_and_attendee(tmp_path: Path) -> None:
    """A mapping key found in the attendee or the summary names the volunteer."""
    shifts = read_ics(
        ICAL / "unknown-people.ics",
        ROSTER,
        window=WINDOW,
        mapping={"Zoe Quinn": "dan", "yusuf@example.com": "carol"},
    )
    assert [s.volunteer_id for s in sorted(shifts, key=lambda s: s.start or WINDOW[0])] == [
        "dan",
        "carol",
        "dan",
    ]


def test_ics_unknown_time_zone_is_an_error(tmp_path: Path) -> None:
    """A TZID that is neither in the tz database nor defined in the file is refused."""
    text = (ICAL / "floating.ics").read_text(encoding="utf-8")
    text = text.replace("DTSTART:", "DTSTART;TZID=Mars/Olympus_Mons:")
    path = write(tmp_path, "feed.ics", text)
    with pytest.raises(op.InputError) as excinfo:
        read_ics(path, ROSTER, window=WINDOW, default_zone="Europe/Dublin")
    assert excinfo.value.field == "DTSTART"
    assert "Mars/Olympus_Mons" in excinfo.value.message


def test_ics_duration_gives_the_end_and_a_timed_event_without_one_is_refused(
    tmp_path: Path,
) -> None:
    """DURATION ends an event like DTEND; a timed event with neither is refused."""
    text = (ICAL / "floating.ics").read_text(encoding="utf-8")
    text = text.replace("DTSTART:20261026T090000", "DTSTART:20261026T090000Z")
    lasting = write(tmp_path, "lasting.ics", text.replace("DTEND:20261102T090000", "DURATION:P7D"))
    (shift,) = read_ics(lasting, ROSTER, window=WINDOW)
    assert (shift.start, shift.end) == (utc(2026, 10, 26, 9), utc(2026, 11, 2, 9))
    endless = write(tmp_path, "endless.ics", text.replace("DTEND:20261102T090000\n", ""))
    with pytest.raises(op.InputError) as excinfo:
        read_ics(endless, ROSTER, window=WINDOW)
    assert (excinfo.value.line, excinfo.value.field) == (7, "DTSTART")
    assert "DTEND" in excinfo.value.message


def test_ics_alarm_inside_an_event_does_not_name_the_person(tmp_path: Path) -> None:
    """An email alarm's ATTENDEE inside an event is not the person on call."""
    text = (ICAL / "pagerduty-feed.ics").read_text(encoding="utf-8")
    alarm = (
        "BEGIN:VALARM\nACTION:EMAIL\nTRIGGER:-PT15M\nSUMMARY:Reminder\n"
        "DESCRIPTION:Your shift starts soon\nATTENDEE:mailto:bob@example.com\n"
        "END:VALARM\nEND:VEVENT"
    )
    path = write(tmp_path, "feed.ics", text.replace("END:VEVENT", alarm, 1))
    shifts = read_ics(path, ROSTER, window=WINDOW)
    assert shifts[0].volunteer_id == "alice"


def test_ics_file_that_is_not_a_calendar_is_refused(tmp_path: Path) -> None:
    """A file that is not iCalendar is refused, naming the file."""
    path = write(tmp_path, "feed.ics", "this is not a calendar\n")
    with pytest.raises(op.InputError) as excinfo:
        read_ics(path, ROSTER, window=WINDOW)
    assert excinfo.value.source == str(path)
    assert "iCalendar" in excinfo.value.message


def test_ics_bad_zone_option_is_refused() -> None:
    """A default zone that is not an IANA zone is refused."""
    with pytest.raises(op.InputError, match="IANA"):
        read_ics(ICAL / "floating.ics", ROSTER, window=WINDOW, default_zone="Dublin")


# --- one rota, three sources -------------------------------------------------------


ROTA_CSV = """\
volunteer_id,start,end,role
alice,2026-10-12T09:00:00+01:00,2026-10-19T09:00:00+01:00,primary
bob,2026-10-19T09:00:00+01:00,2026-10-26T09:00:00+00:00,primary
alice,2026-10-26T09:00:00+00:00,2026-11-02T09:00:00+00:00,primary
bob,2026-11-02T09:00:00+00:00,2026-11-09T09:00:00+00:00,primary
"""

ROTA_PAGES = """\
id,volunteer_id,at,resolved_at
P-1,alice,2026-10-17T02:00:00+00:00,2026-10-17T02:45:00+00:00
P-2,bob,2026-10-25T01:30:00+01:00,2026-10-25T01:10:00+00:00
P-3,alice,2026-10-28T21:00:00+00:00,2026-10-28T21:20:00+00:00
"""


def test_same_rota_from_csv_pagerduty_and_ics_pays_the_same(tmp_path: Path) -> None:
    """One rota as CSV, as PagerDuty /oncalls JSON and as an ics feed pays the same."""
    roster = (ALICE, BOB)
    pages = read_pages_csv(write(tmp_path, "pages.csv", ROTA_PAGES))
    period = {"start": date(2026, 10, 12), "end": date(2026, 11, 2)}
    window = (utc(2026, 10, 12), utc(2026, 11, 9, 12))
    sources = {
        "csv": read_shifts_csv(write(tmp_path, "shifts.csv", ROTA_CSV)),
        "pagerduty": read_pagerduty_oncalls(PD / "rota-oncalls.json", roster, clip=window),
        "ics": read_ics(ICAL / "rota.ics", roster, window=window),
    }
    reports = {
        name: op.compute(roster, shifts, pages, example_policy(), **period)
        for name, shifts in sources.items()
    }
    # Alice has cover in all four weeks (until Monday 09:00), Bob in three.
    assert len(reports["csv"].statements) == 7
    assert any(s.total > 0 for s in reports["csv"].statements)
    assert reports["pagerduty"].statements == reports["csv"].statements
    assert reports["ics"].statements == reports["csv"].statements
    assert reports["pagerduty"].pages == reports["csv"].pages
    assert reports["ics"].pages == reports["csv"].pages
