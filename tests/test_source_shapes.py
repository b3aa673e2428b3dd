"""Real export shapes: how files are really saved from PagerDuty and calendars, read right.

Each fixture is shaped as the vendor really writes it: a schedule as the
``pdpyras`` client's ``rget()`` returns it (no ``{"schedule": ...}``), a
schedule saved without ``overflow=true`` (cut at ``since``/``until``), an
escalation to a manager outside the roster, log entries saved as the overview
or without ``include[]=incidents``, PagerDuty's calendar feed (bare-email
``ATTENDEE``) and a Google Calendar export (the organiser among the guests).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import attrs
import pytest

import oncall_pay as op
from oncall_pay.cli import demo_files
from oncall_pay.pay_run import Sources, load_inputs
from oncall_pay.readers.ical import read_ics
from oncall_pay.readers.pagerduty import (
    read_pagerduty_incidents_csv,
    read_pagerduty_log_entries,
    read_pagerduty_oncalls,
    read_pagerduty_schedule,
)
from test_cli import run
from test_sources import ALICE, BOB, ICAL, PD, ROSTER, WINDOW, spans, utc

MEI = op.Volunteer(
    id="mei", name="Mei Chen", country="AU", subdivision="NSW",
    timezone="Australia/Sydney", pagerduty_id="PMEI0101",
)  # fmt: skip
ROSA = op.Volunteer(
    id="rosa", name="Rosa Alvarez", country="US", subdivision="CA",
    timezone="America/Los_Angeles", pagerduty_id="PROS0271",
)  # fmt: skip
SUN = (MEI, ALICE, ROSA)
# Pay weeks of 2 to 15 November 2026 (weeks start on Monday).
NOVEMBER = (date(2026, 11, 2), date(2026, 11, 15))
PAY_WEEKS = (date(2026, 11, 2), date(2026, 11, 16))

ROSTER_CSV = """\
id,name,country,subdivision,timezone,pagerduty_id
alice,Alice Byrne,IE,,Europe/Dublin,PALB123
bob,Bob Jones,GB,ENG,Europe/London,PBJ0456
mei,Mei Chen,AU,NSW,Australia/Sydney,PMEI0101
rosa,Rosa Alvarez,US,CA,America/Los_Angeles,PROS0271
"""


def _files(tmp_path: Path, *, all_urgencies: bool = False) -> tuple[Path, Path]:
    """A roster of the fixtures' people and the demo rules (which pay high urgency only)."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    rules = tmp_path / ("rules-all-urgencies.toml" if all_urgencies else "rules.toml")
    shutil.copyfile(demo_files()["rules"], rules)
    if all_urgencies:
        text = rules.read_text(encoding="utf-8")
        assert 'callout.urgencies = ["high"]' in text
        rules.write_text(text.replace('callout.urgencies = ["high"]\n', ""), encoding="utf-8")
    return roster, rules


def _export(tmp_path: Path, *args: str | Path, rules: Path | None = None) -> tuple[int, str, Path]:
    """Run ``oncall-pay export`` for 2-15 November as JSON: (status, stderr, output)."""
    roster, demo_rules = _files(tmp_path)
    out = tmp_path / "out.json"
    result = run(
        "export", "--volunteers", roster, "--rules", rules or demo_rules,
        "--from", "2026-11-02", "--to", "2026-11-15", "--output", out, "--format", "json",
        *args,
    )  # fmt: skip
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr, out


def _notices(out: Path, kind: str) -> list[dict[str, str]]:
    report = json.loads(out.read_text(encoding="utf-8"))
    return [n for n in report["notices"] if n["kind"] == kind]


# --- a schedule saved without its {"schedule": ...} wrapper ----------------------------


def test_schedule_saved_without_its_wrapper_reads_as_the_whole_response() -> None:
    """The schedule object alone (pdpyras rget()) gives the same shifts and role."""
    whole = read_pagerduty_schedule(PD / "schedule-with-override.json", ROSTER)
    bare = read_pagerduty_schedule(PD / "schedule-unwrapped.json", ROSTER)
    assert bare == whole
    assert {s.role for s in bare} == {"Volunteers - Primary"}


def test_unwrapped_schedule_problems_name_paths_without_the_wrapper() -> None:
    """A person outside the roster in a bare schedule is placed at its own JSON path."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_schedule(PD / "schedule-unwrapped.json", (BOB,))
    (problem,) = excinfo.value.problems
    assert problem.source == str(PD / "schedule-unwrapped.json")
    assert problem.field == "final_schedule.rendered_schedule_entries[0].user"


def test_a_json_object_that_is_no_schedule_says_which_shapes_are_read(tmp_path: Path) -> None:
    """An object with neither "schedule" nor "final_schedule" names both accepted shapes."""
    path = tmp_path / "users.json"
    path.write_text('{"users": [], "limit": 25, "offset": 0, "more": false}', encoding="utf-8")
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_schedule(path, ROSTER)
    (problem,) = excinfo.value.problems
    assert problem.source == str(path)
    assert '{"schedule": {...}}' in problem.message
    assert "final_schedule" in problem.message


def test_unwrapped_schedule_on_the_command_line(tmp_path: Path) -> None:
    """--pagerduty-schedule takes the bare schedule and pays as for the whole response."""
    status, stderr, out = _export(tmp_path, "--pagerduty-schedule", PD / "schedule-unwrapped.json")
    assert status == 0, stderr
    bare = json.loads(out.read_text(encoding="utf-8"))
    status, stderr, out = _export(
        tmp_path, "--pagerduty-schedule", PD / "schedule-with-override.json"
    )
    assert status == 0, stderr
    whole = json.loads(out.read_text(encoding="utf-8"))
    assert bare["statements"] == whole["statements"]
    assert bare["statements"]


# --- a schedule cut at the saved window (overflow=false) ---------------------------------


def test_entries_cut_inside_a_pay_week_are_noticed() -> None:
    """The first and last entries, cut at 00:00Z inside Sydney's and LA's pay weeks, are noticed."""
    notices: list[op.Notice] = []
    shifts = read_pagerduty_schedule(
        PD / "schedule-cut-at-window.json", SUN, pay_weeks=PAY_WEEKS, notices=notices
    )
    # What the file says is still read: the notice says it is not all.
    assert spans(shifts, "mei") == [(utc(2026, 11, 2), utc(2026, 11, 2, 9))]
    assert spans(shifts, "rosa") == [(utc(2026, 11, 9, 9), utc(2026, 11, 16))]
    assert [(n.kind, n.volunteer_id) for n in notices] == [
        ("cut_at_saved_window", "mei"),
        ("cut_at_saved_window", "rosa"),
    ]
    mei, rosa = (n.detail for n in notices)
    assert "starts at 2026-11-02T00:00:00+00:00" in mei
    assert "rendered_schedule_entries[0]" in mei
    assert "2026-11-02T00:00:00+11:00" in mei  # Mei's first pay week began 11 hours earlier
    assert "any cover before that is not in the file, so it would not be paid" in mei
    assert "ends at 2026-11-16T00:00:00+00:00" in rosa
    assert "2026-11-16T00:00:00-08:00" in rosa  # Rosa's last pay week ends 8 hours later
    assert "overflow=true" in rosa


def test_entries_cut_inside_a_pay_week_are_an_error_without_a_notice_list() -> None:
    """Asked to check the pay weeks but given nowhere to put notices, the reader refuses."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_schedule(PD / "schedule-cut-at-window.json", SUN, pay_weeks=PAY_WEEKS)
    fields = [p.field for p in excinfo.value.problems]
    assert fields == [
        "schedule.final_schedule.rendered_schedule_entries[0].start",
        "schedule.final_schedule.rendered_schedule_entries[2].end",
    ]
    assert all(p.source == str(PD / "schedule-cut-at-window.json") for p in excinfo.value.problems)


def test_edges_on_a_pay_week_boundary_or_outside_the_weeks_are_not_noticed() -> None:
    """In Dublin and London 00:00Z is the pay week's own edge in November: nothing is cut."""
    notices: list[op.Notice] = []
    roster = (
        op.Volunteer(id="mei", country="IE", timezone="Europe/Dublin", pagerduty_id="PMEI0101"),
        ALICE,
        op.Volunteer(id="rosa", country="GB", subdivision="ENG", timezone="Europe/London",
                     pagerduty_id="PROS0271"),
    )  # fmt: skip
    read_pagerduty_schedule(
        PD / "schedule-cut-at-window.json", roster, pay_weeks=PAY_WEEKS, notices=notices
    )
    assert notices == []
    # Pay weeks well inside the saved window: its edges cut nothing that is paid.
    read_pagerduty_schedule(
        PD / "schedule-cut-at-window.json", SUN,
        pay_weeks=(date(2026, 11, 9), date(2026, 11, 9)), notices=notices,
    )  # fmt: skip
    assert notices == []


def test_a_schedule_saved_with_overflow_is_not_noticed() -> None:
    """The same rota saved with overflow=true runs past the window whole: no notice."""
    doc = json.loads((PD / "schedule-cut-at-window.json").read_text(encoding="utf-8"))
    entries = doc["schedule"]["final_schedule"]["rendered_schedule_entries"]
    entries[0]["start"] = "2026-10-26T09:00:00Z"
    entries[-1]["end"] = "2026-11-16T09:00:00Z"
    notices: list[op.Notice] = []
    shifts = read_pagerduty_schedule(json.dumps(doc), SUN, pay_weeks=PAY_WEEKS, notices=notices)
    assert notices == []
    assert spans(shifts, "rosa") == [(utc(2026, 11, 9, 9), utc(2026, 11, 16, 9))]


def test_cut_schedule_on_the_command_line_is_paid_with_notices(tmp_path: Path) -> None:
    """The pay run goes on; the cut entries are in the report's notices, by volunteer."""
    status, stderr, out = _export(
        tmp_path, "--pagerduty-schedule", PD / "schedule-cut-at-window.json"
    )
    assert status == 0, stderr
    cut = _notices(out, "cut_at_saved_window")
    assert [n["volunteer_id"] for n in cut] == ["mei", "rosa"]
    assert all("schedule-cut-at-window.json" in n["detail"] for n in cut)


# --- an escalation to a manager who is not in the roster --------------------------------


def test_a_manager_escalated_to_is_a_notice_not_a_page() -> None:
    """Niamh, notified only after Alice and Bob, is listed once as not a volunteer, not paid."""
    notices: list[op.Notice] = []
    pages = read_pagerduty_log_entries(
        PD / "log-entries-manager-escalation.json", (ALICE, BOB), notices=notices
    )
    assert sorted(p.id for p in pages) == ["Q3KLMNO3/PALB123", "Q4PQRST4/PBJ0456"]
    (notice,) = notices
    assert (notice.kind, notice.volunteer_id) == ("not_a_volunteer", None)
    assert notice.detail.startswith("PagerDuty user PNK0777 (Niamh Kelly) is not in the roster")
    assert "not a volunteer, not paid" in notice.detail
    assert "2 incident(s) (Q3KLMNO3, Q4PQRST4)" in notice.detail
    assert "log_entries[2].user" in notice.detail
    assert "log_entries[8].user" in notice.detail


def test_a_manager_escalated_to_fails_when_asked_or_without_a_notice_list() -> None:
    """non_volunteers="fail", or no notices list, keeps the error naming the person and place."""
    for kwargs in ({"notices": [], "non_volunteers": "fail"}, {}):
        with pytest.raises(op.InputError) as excinfo:
            read_pagerduty_log_entries(
                PD / "log-entries-manager-escalation.json", (ALICE, BOB), **kwargs
            )
        (problem,) = excinfo.value.problems
        assert problem.field == "log_entries[2].user"
        assert "PNK0777 (Niamh Kelly) matches no volunteer in the roster" in problem.message


def test_someone_paged_first_is_never_taken_for_a_manager() -> None:
    """Bob, outside the roster but the first notified about an incident, is still an error."""
    notices: list[op.Notice] = []
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_log_entries(PD / "log-entries.json", (ALICE,), notices=notices)
    (problem,) = excinfo.value.problems
    assert "PBJ0456" in problem.message
    assert notices == []


def test_a_permanent_manager_on_an_escalation_level_is_a_notice() -> None:
    """/oncalls with levels 1,2: the manager placed on level 2 is noticed, the rota is read."""
    notices: list[op.Notice] = []
    shifts = read_pagerduty_oncalls(
        PD / "oncalls-manager-on-level-2.json", (ALICE, BOB), levels=(1, 2), notices=notices
    )
    assert sorted(s.volunteer_id for s in shifts) == ["alice", "bob"]
    (notice,) = notices
    assert notice.kind == "not_a_volunteer"
    assert "PNK0777 (Niamh Kelly)" in notice.detail
    assert "permanent member (no start or end) of escalation level 2" in notice.detail
    with pytest.raises(op.InputError, match="PNK0777"):
        read_pagerduty_oncalls(
            PD / "oncalls-manager-on-level-2.json", (ALICE, BOB), levels=(1, 2),
            notices=[], non_volunteers="fail",
        )  # fmt: skip


def test_an_unknown_person_on_a_scheduled_entry_is_still_an_error() -> None:
    """A rota member outside the roster is an error even with notices: their cover is unpaid."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(
            PD / "oncalls-manager-on-level-2.json", (ALICE,), levels=(1, 2), notices=[]
        )
    messages = [p.message for p in excinfo.value.problems]
    assert len(messages) == 1
    assert "PBJ0456" in messages[0]


def test_a_bad_non_volunteers_value_is_refused() -> None:
    """non_volunteers is "notice" or "fail"."""
    with pytest.raises(op.InputError, match="notice, fail"):
        read_pagerduty_log_entries(
            PD / "log-entries.json",
            ROSTER,
            notices=[],
            non_volunteers="warn",  # type: ignore[arg-type]
        )


def test_manager_escalation_on_the_command_line(tmp_path: Path) -> None:
    """The run goes on with a notice; --non-volunteers fail stops it, writing nothing."""
    status, stderr, out = _export(
        tmp_path,
        "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-log-entries", PD / "log-entries-manager-escalation.json",
    )  # fmt: skip
    assert status == 0, stderr
    (notice,) = _notices(out, "not_a_volunteer")
    assert "PNK0777 (Niamh Kelly)" in notice["detail"]
    out.unlink()
    status, stderr, out = _export(
        tmp_path,
        "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-log-entries", PD / "log-entries-manager-escalation.json",
        "--non-volunteers", "fail",
    )  # fmt: skip
    assert status == 1
    assert (
        f'error: {PD / "log-entries-manager-escalation.json"}, field "log_entries[2].user": '
        "PagerDuty user PNK0777 (Niamh Kelly) matches no volunteer" in stderr
    )
    assert not out.exists()


def test_a_sources_option_fails_on_managers_from_python(tmp_path: Path) -> None:
    """Sources(options={"non_volunteers": "fail"}) is the command line's --non-volunteers fail."""
    roster, rules = _files(tmp_path)
    files = {"pagerduty_log_entries": PD / "log-entries-manager-escalation.json"}
    inputs = load_inputs(Sources(roster, rules, files=files), NOVEMBER)
    report = inputs.compute(*NOVEMBER)
    assert [n.kind for n in report.notices if n.volunteer_id is None] == ["not_a_volunteer"]
    with pytest.raises(op.InputError, match="PNK0777"):
        load_inputs(Sources(roster, rules, files=files, options={"non_volunteers": "fail"}),
                    NOVEMBER)  # fmt: skip


# --- log entries saved as the overview, or without the incidents --------------------------


def test_log_entries_saved_as_the_overview_are_refused() -> None:
    """Incidents but no notify_log_entry (is_overview=true) is an error, never zero pages."""
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_log_entries(PD / "log-entries-overview.json", ROSTER)
    (problem,) = excinfo.value.problems
    assert problem.source == str(PD / "log-entries-overview.json")
    assert problem.field == "log_entries"
    assert "no notify_log_entry" in problem.message
    assert "is_overview=false" in problem.message


def test_log_entries_with_no_incidents_at_all_are_a_quiet_period(tmp_path: Path) -> None:
    """An empty page of log entries is no pages, not an error."""
    path = tmp_path / "log-entries.json"
    path.write_text('{"log_entries": [], "limit": 100, "offset": 0, "more": false}', "utf-8")
    assert read_pagerduty_log_entries(path, ROSTER, notices=[]) == ()


def test_log_entries_without_incidents_give_an_urgency_notice() -> None:
    """Incident references only: the pages are read, and a notice says urgency is unknown."""
    notices: list[op.Notice] = []
    pages = read_pagerduty_log_entries(
        PD / "log-entries-references-only.json", ROSTER, notices=notices
    )
    assert {p.urgency for p in pages} == {None}
    (notice,) = notices
    assert notice.kind == "urgency_unknown"
    assert "3 page(s)" in notice.detail
    assert "include[]=incidents" in notice.detail


def test_unknown_urgency_under_rules_that_pay_some_urgencies_is_an_error(tmp_path: Path) -> None:
    """The demo rules pay high urgency only: pages of unknown urgency stop the run."""
    status, stderr, out = _export(
        tmp_path,
        "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-log-entries", PD / "log-entries-references-only.json",
    )  # fmt: skip
    assert status == 1
    assert (
        f'error: {PD / "log-entries-references-only.json"}, field "log_entries": the urgency '
        "of 3 page(s)" in stderr
    )
    assert "(high)" in stderr
    assert not out.exists()


def test_unknown_urgency_under_rules_that_pay_every_urgency_is_a_notice(tmp_path: Path) -> None:
    """Rules that pay every urgency price the pages; the report says urgency was unknown."""
    _, rules = _files(tmp_path, all_urgencies=True)
    status, stderr, out = _export(
        tmp_path,
        "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-log-entries", PD / "log-entries-references-only.json",
        rules=rules,
    )  # fmt: skip
    assert status == 0, stderr
    assert len(_notices(out, "urgency_unknown")) == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert any(p["counted"] for p in report["pages"])


def test_overview_on_the_command_line_writes_nothing(tmp_path: Path) -> None:
    """Log entries saved as the overview: exit 1, the file and field named, no output."""
    status, stderr, out = _export(
        tmp_path,
        "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-log-entries", PD / "log-entries-overview.json",
    )  # fmt: skip
    assert status == 1
    assert f'error: {PD / "log-entries-overview.json"}, field "log_entries": holds' in stderr
    assert not out.exists()


# --- PagerDuty's calendar feed: bare-email ATTENDEE ----------------------------------------


def test_pagerduty_feed_attendees_are_matched_by_email() -> None:
    """ATTENDEE:alice@example.com (no mailto:) matches the roster's email column."""
    shifts = read_ics(ICAL / "pagerduty-feed-attendees.ics", (ALICE, BOB), window=WINDOW)
    assert spans(shifts, "alice") == [(utc(2026, 11, 2, 9), utc(2026, 11, 9, 9))]
    assert spans(shifts, "bob") == [(utc(2026, 11, 9, 9), utc(2026, 11, 16, 9))]


def test_pagerduty_feed_with_a_roster_without_emails_says_to_add_an_email_column() -> None:
    """Every attendee is listed, each saying the roster needs an `email` column."""
    no_emails = tuple(attrs.evolve(v, email=None) for v in (ALICE, BOB))
    with pytest.raises(op.InputError) as excinfo:
        read_ics(ICAL / "pagerduty-feed-attendees.ics", no_emails, window=WINDOW)
    problems = excinfo.value.problems
    assert [(p.line, p.field) for p in problems] == [(14, "ATTENDEE"), (23, "ATTENDEE")]
    assert problems[0].message.startswith("attendee alice@example.com matches no volunteer")
    assert all("add an `email` column to the roster" in p.message for p in problems)


def test_a_roster_with_emails_keeps_the_plain_hint() -> None:
    """With emails in the roster, an unknown attendee gets the usual hint, not the column one."""
    with pytest.raises(op.InputError) as excinfo:
        read_ics(ICAL / "pagerduty-feed-attendees.ics", (ALICE,), window=WINDOW)
    (problem,) = excinfo.value.problems
    assert "bob@example.com matches no volunteer in the roster" in problem.message
    assert "`email` column" not in problem.message


def test_pagerduty_feed_without_emails_on_the_command_line(tmp_path: Path) -> None:
    """The command exits 1 with one line per attendee naming file, line and property."""
    status, stderr, out = _export(tmp_path, "--ics", ICAL / "pagerduty-feed-attendees.ics")
    assert status == 1
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors[0].startswith(
        f'error: {ICAL / "pagerduty-feed-attendees.ics"} line 14, field "ATTENDEE": attendee '
        "alice@example.com matches no volunteer: attendees are matched by email, and the "
        "roster has no emails; add an `email` column"
    )
    assert len(errors) == 2
    assert not out.exists()


# --- Google Calendar: the organiser among the guests ------------------------------------------


def test_google_calendar_organiser_among_the_guests_is_not_on_call() -> None:
    """Maeve organises every event and is a guest of each: only the other guest is on call."""
    shifts = read_ics(ICAL / "google-calendar-rota.ics", ROSTER, window=WINDOW)
    assert spans(shifts, "alice") == [(utc(2026, 11, 2, 9), utc(2026, 11, 9, 9))]
    assert spans(shifts, "bob") == [(utc(2026, 11, 9, 9), utc(2026, 11, 16, 9))]
    # Her own week has no other guest: the title names her.
    assert spans(shifts, "maeve") == [(utc(2026, 11, 16, 9), utc(2026, 11, 23, 9))]
    # Known by her email too, she is still on call for her own week only.
    roster = tuple(
        attrs.evolve(v, email="Maeve.Walsh@example.com") if v.id == "maeve" else v for v in ROSTER
    )
    assert read_ics(ICAL / "google-calendar-rota.ics", roster, window=WINDOW) == shifts


def test_google_calendar_organiser_outside_the_roster_is_not_an_error() -> None:
    """An organiser who is not a volunteer need not be in the roster for the others' weeks."""
    window = (utc(2026, 11, 1), utc(2026, 11, 15))
    shifts = read_ics(ICAL / "google-calendar-rota.ics", (ALICE, BOB), window=window)
    assert sorted(s.volunteer_id for s in shifts) == ["alice", "bob"]


def test_google_calendar_on_the_command_line(tmp_path: Path) -> None:
    """--ics on a Google export pays Alice her week, and the organiser only her own."""
    roster = tmp_path / "google-roster.csv"
    roster.write_text(
        "id,name,country,timezone,email\n"
        "alice,Alice Byrne,IE,Europe/Dublin,alice@example.com\n"
        "bob,Bob Jones,IE,Europe/Dublin,bob@example.com\n"
        "maeve,Maeve Walsh,IE,Europe/Dublin,\n",
        encoding="utf-8",
    )
    _, rules = _files(tmp_path)
    out = tmp_path / "google.json"
    result = run(
        "export", "--volunteers", roster, "--rules", rules, "--ics",
        ICAL / "google-calendar-rota.ics", "--from", "2026-11-02", "--to", "2026-11-08",
        "--output", out, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [s["volunteer_id"] for s in report["statements"]] == ["alice"]


# --- every bad row of every kind, in one run -----------------------------------------------


SHIFTS_BAD_AND_UNKNOWN = """\
volunteer_id,start,end,role
alice,2026-11-02T09:00:00+00:00,2026-11-09T09:00:00+00:00,primary
bob,2026-11-09T09:00,2026-11-16T09:00:00+00:00,primary
zoe,2026-11-16T09:00:00+00:00,2026-11-23T09:00:00+00:00,primary
"""

PAGES_BAD_AND_UNKNOWN = """\
id,volunteer_id,at,resolved_at,worked_minutes
P-1,zoe,2026-11-07T03:10:00+00:00,,
P-2,alice,2026-11-07T04:10:00+00:00,,1h30
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_parse_error_and_an_unknown_volunteer_are_reported_together(tmp_path: Path) -> None:
    """load_inputs lists a bad time on one row and an unknown volunteer on another, in order."""
    roster, rules = _files(tmp_path)
    shifts = _write(tmp_path, "shifts.csv", SHIFTS_BAD_AND_UNKNOWN)
    pages = _write(tmp_path, "pages.csv", PAGES_BAD_AND_UNKNOWN)
    with pytest.raises(op.InputError) as excinfo:
        load_inputs(Sources(roster, rules, files={"shifts": shifts, "pages": pages}), NOVEMBER)
    found = [(p.source, p.line, p.field) for p in excinfo.value.problems]
    assert found == [
        (str(shifts), 3, "start"),
        (str(shifts), 4, "volunteer_id"),
        (str(pages), 2, "volunteer_id"),
        (str(pages), 3, "worked_minutes"),
    ]
    assert "has no UTC offset" in excinfo.value.problems[0].message
    assert "unknown volunteer id 'zoe'" in excinfo.value.problems[1].message


def test_a_bad_roster_row_does_not_hide_unknown_volunteers(tmp_path: Path) -> None:
    """A bad roster row is reported with the shifts of people in no row; its own id is known."""
    roster, rules = _files(tmp_path)
    roster.write_text(ROSTER_CSV.replace("Europe/London", "Europe/Londn"), encoding="utf-8")
    shifts = _write(tmp_path, "shifts.csv", SHIFTS_BAD_AND_UNKNOWN)
    with pytest.raises(op.InputError) as excinfo:
        load_inputs(Sources(roster, rules, files={"shifts": shifts}), NOVEMBER)
    found = [(p.source, p.line, p.field) for p in excinfo.value.problems]
    # Bob's row is bad, but bob is in the roster: only zoe is unknown.
    assert found == [
        (str(roster), 3, "timezone"),
        (str(shifts), 3, "start"),
        (str(shifts), 4, "volunteer_id"),
    ]


def test_every_reader_reports_a_broken_entry_and_an_unknown_person_together(
    tmp_path: Path,
) -> None:
    """PagerDuty JSON, the incidents CSV and calendar feeds each list both problems at once."""
    oncalls = json.loads((PD / "oncalls-manager-on-level-2.json").read_text(encoding="utf-8"))
    oncalls["oncalls"][0]["start"] = "2026-11-02 09:00"
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls(json.dumps(oncalls), (ALICE,))
    assert [p.field for p in excinfo.value.problems] == ["oncalls[0].start", "oncalls[2].user"]

    logs = json.loads((PD / "log-entries.json").read_text(encoding="utf-8"))
    logs["log_entries"][1]["created_at"] = "yesterday"
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_log_entries(json.dumps(logs), (ALICE,))
    assert [p.field for p in excinfo.value.problems] == [
        "log_entries[1].created_at",
        "log_entries[3].user",
    ]

    schedule = json.loads((PD / "schedule-unwrapped.json").read_text(encoding="utf-8"))
    schedule["final_schedule"]["rendered_schedule_entries"][0]["end"] = None
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_schedule(json.dumps(schedule), (ALICE,))
    assert [p.field for p in excinfo.value.problems] == [
        "final_schedule.rendered_schedule_entries[0].end",
        "final_schedule.rendered_schedule_entries[1].user",
    ]

    text = (PD / "incidents.csv").read_text(encoding="utf-8")
    incidents = _write(tmp_path, "incidents.csv", text.replace("2026-11-07T03:10:00+00:00", "x"))
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_incidents_csv(incidents, (ALICE,))
    assert [(p.line, p.field) for p in excinfo.value.problems] == [
        (2, "created_on"),
        (4, "assigned_to_user_ids"),
    ]

    feed = (ICAL / "pagerduty-feed-attendees.ics").read_text(encoding="utf-8")
    feed = feed.replace("DTSTART;VALUE=DATE-TIME:20261102T090000Z", "DTSTART:20261102T09000Z")
    broken = _write(tmp_path, "feed.ics", feed)
    with pytest.raises(op.InputError) as excinfo:
        read_ics(broken, (ALICE,), window=WINDOW)
    assert [(p.line, p.field) for p in excinfo.value.problems] == [
        (10, "DTSTART"),
        (23, "ATTENDEE"),
    ]


def test_every_problem_of_a_run_on_the_command_line(tmp_path: Path) -> None:
    """Exit 1, one line per problem with file, line and field, and no output file."""
    shifts = _write(tmp_path, "shifts.csv", SHIFTS_BAD_AND_UNKNOWN)
    pages = _write(tmp_path, "pages.csv", PAGES_BAD_AND_UNKNOWN)
    status, stderr, out = _export(tmp_path, "--shifts", shifts, "--pages", pages)
    assert status == 1
    assert stderr.splitlines() == [
        f'error: {shifts} line 3, field "start": 2026-11-09T09:00 has no UTC offset; add one, '
        "e.g. 2026-11-21T02:10:00+00:00 or 2026-11-21T02:10Z (times without an offset are not "
        "guessed)",
        f"error: {shifts} line 4, field \"volunteer_id\": unknown volunteer id 'zoe' (not in "
        "the roster)",
        f"error: {pages} line 2, field \"volunteer_id\": unknown volunteer id 'zoe' (not in "
        "the roster)",
        f"error: {pages} line 3, field \"worked_minutes\": '1h30' is not a number of minutes; "
        "expected a decimal number such as 15 or 7.5",
        "4 problem(s); nothing was written.",
    ]
    assert not out.exists()


def test_the_command_prints_the_notices_about_the_files(tmp_path: Path) -> None:
    """After the totals, each notice about the input files is printed: finance sees it at once."""
    roster, rules = _files(tmp_path)
    out = tmp_path / "out.xlsx"
    result = run(
        "export", "--volunteers", roster, "--rules", rules,
        "--pagerduty-schedule", PD / "schedule-cut-at-window.json",
        "--pagerduty-log-entries", PD / "log-entries-manager-escalation.json",
        "--from", "2026-11-02", "--to", "2026-11-15", "--output", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stdout.splitlines() if line.startswith("Notice")]
    assert [line.split(":")[0] for line in notices] == [
        "Notice (Not a volunteer, not paid)",
        "Notice (Schedule cut where it was saved)",
        "Notice (Schedule cut where it was saved)",
    ]
    assert "PNK0777 (Niamh Kelly)" in notices[0]
    assert out.exists()


def _split_schedule(at: str) -> tuple[str, str]:
    """The cut-at-window schedule as two saves without overflow, cut again at ``at``."""
    doc = json.loads((PD / "schedule-cut-at-window.json").read_text(encoding="utf-8"))
    entries = doc["schedule"]["final_schedule"]["rendered_schedule_entries"]
    cut = datetime.fromisoformat(at)
    before, after = [], []
    for entry in entries:
        start, end = datetime.fromisoformat(entry["start"]), datetime.fromisoformat(entry["end"])
        if start < cut:
            before.append(dict(entry, end=min(end, cut).isoformat()))
        if end > cut:
            after.append(dict(entry, start=max(start, cut).isoformat()))
    halves = []
    for part in (before, after):
        half = json.loads(json.dumps(doc))
        half["schedule"]["final_schedule"]["rendered_schedule_entries"] = part
        halves.append(json.dumps(half))
    return halves[0], halves[1]


def test_a_schedule_saved_in_two_windows_is_whole_when_read_together() -> None:
    """Alice's entry cut between two saves is carried on by the other file: no notice for her."""
    first, second = _split_schedule("2026-11-05T00:00:00+00:00")
    notices: list[op.Notice] = []
    read_pagerduty_schedule(first, SUN, pay_weeks=PAY_WEEKS, notices=notices)
    assert [n.volunteer_id for n in notices] == ["mei", "alice"]
    notices.clear()
    shifts = read_pagerduty_schedule([first, second], SUN, pay_weeks=PAY_WEEKS, notices=notices)
    assert [n.volunteer_id for n in notices] == ["mei", "rosa"]
    whole = read_pagerduty_schedule(PD / "schedule-cut-at-window.json", SUN)
    assert spans(shifts, "mei") == spans(whole, "mei")
    assert spans(shifts, "rosa") == spans(whole, "rosa")
    # Alice's week comes in two pieces that meet at the cut.
    assert spans(shifts, "alice") == [
        (utc(2026, 11, 2, 9), utc(2026, 11, 5)),
        (utc(2026, 11, 5), utc(2026, 11, 9, 9)),
    ]


def test_the_same_entry_in_two_saved_schedules_is_one_shift() -> None:
    """Two saves that both hold a week (overflow=true across their boundary) read it once."""
    text = (PD / "schedule-with-override.json").read_text(encoding="utf-8")
    assert read_pagerduty_schedule([text, text], ROSTER) == read_pagerduty_schedule(text, ROSTER)


def test_every_problem_of_several_schedule_files_is_listed(tmp_path: Path) -> None:
    """A file that is not JSON does not hide another file's unknown person."""
    broken = _write(tmp_path, "broken.json", '{"schedule": ')
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_schedule([broken, PD / "schedule-unwrapped.json"], (BOB,))
    assert [p.source for p in excinfo.value.problems] == [
        str(broken),
        str(PD / "schedule-unwrapped.json"),
    ]


def test_an_incidents_export_without_urgency_under_rules_that_pay_some_is_an_error(
    tmp_path: Path,
) -> None:
    """The incidents CSV without its urgency column cannot silently pay nothing either."""
    lines = (PD / "incidents.csv").read_text(encoding="utf-8").splitlines()
    incidents = _write(
        tmp_path, "incidents.csv", "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n"
    )
    assert "urgency" not in incidents.read_text(encoding="utf-8").splitlines()[0]
    status, stderr, out = _export(
        tmp_path,
        "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-incidents", incidents,
    )  # fmt: skip
    assert status == 1
    assert f'error: {incidents}, field "urgency": the urgency of 3 page(s)' in stderr
    assert "download the export with its urgency column" in stderr
    assert not out.exists()


def test_a_page_of_results_that_is_not_json_does_not_hide_the_others(tmp_path: Path) -> None:
    """On-calls and log entries: a broken file is listed with the other files' problems."""
    broken = _write(tmp_path, "oncalls-2.json", '{"oncalls": [')
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_oncalls([PD / "oncalls-page-1.json", broken], (ALICE,))
    problems = excinfo.value.problems
    assert (problems[0].source, problems[0].line) == (str(broken), 1)
    assert "not JSON" in problems[0].message
    # The first page's unknown people are still listed; no "missing page" for the broken one.
    assert [p.field for p in problems[1:]] == ["oncalls[2].user"]
    with pytest.raises(op.InputError) as excinfo:
        read_pagerduty_log_entries([broken, PD / "log-entries.json"], (ALICE,))
    assert [(p.source, p.field) for p in excinfo.value.problems] == [
        (str(broken), None),
        (str(PD / "log-entries.json"), "log_entries[3].user"),
    ]


def test_a_row_with_a_bad_time_and_an_unknown_volunteer_gets_both(tmp_path: Path) -> None:
    """One row, two problems: its bad time and its unknown volunteer, in that order."""
    roster, rules = _files(tmp_path)
    shifts = _write(
        tmp_path,
        "shifts.csv",
        "volunteer_id,start,end\n"
        "zoe,2026-11-02T09:00,2026-11-09T09:00:00+00:00\n"
        "bob,2026-11-09,2026-11-16T09:00:00+00:00\n"
        ",2026-11-16T09:00,2026-11-23T09:00:00+00:00\n",
    )
    with pytest.raises(op.InputError) as excinfo:
        load_inputs(Sources(roster, rules, files={"shifts": shifts}), NOVEMBER)
    assert [(p.line, p.field) for p in excinfo.value.problems] == [
        (2, "start"),
        (2, "volunteer_id"),
        (3, "start"),
        (4, "volunteer_id"),
        (4, "start"),
    ]
    assert excinfo.value.problems[1].message == "unknown volunteer id 'zoe' (not in the roster)"
    assert excinfo.value.problems[3].message == "is empty; the volunteer_id column is required"
