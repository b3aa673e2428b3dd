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
from datetime import date
from pathlib import Path

import pytest

import oncall_pay as op
from oncall_pay.cli import demo_files
from oncall_pay.pay_run import Sources, load_inputs
from oncall_pay.readers.pagerduty import (
    read_pagerduty_log_entries,
    read_pagerduty_oncalls,
    read_pagerduty_schedule,
)
from test_cli import run
from test_sources import ALICE, BOB, PD, ROSTER, spans, utc

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
    assert "cover before that is not in the file" in mei
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
