"""The pay-run module straight from Python, as a service uses it, and its source registry."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import attrs
import pytest

import oncall_pay as op
from oncall_pay import cli, pay_run
from oncall_pay.cli import DEMO_PERIOD, demo_files, main
from oncall_pay.pay_run import SOURCES, ReadContext, Source, Sources, load_inputs
from test_sources import ICAL, PD

ROSTER = """id,name,country,subdivision,timezone,email,pagerduty_id
alice,Alice Byrne,IE,,Europe/Dublin,alice@example.com,PALB123
bob,Bob Jones,GB,ENG,Europe/London,bob@example.com,PBJ0456
"""
OCTOBER = (date(2026, 10, 12), date(2026, 11, 2))


def _cli_json(tmp_path: Path, *args: str | Path) -> str:
    out = tmp_path / "cli.json"
    assert main([*map(str, args), "--output", str(out), "--format", "json"]) == 0
    return out.read_text(encoding="utf-8")


def test_a_service_prices_the_demo_as_the_cli_does(tmp_path: Path) -> None:
    """load_inputs + Inputs.compute on the demo files give the CLI's report, byte for byte."""
    files = demo_files()
    start, end = DEMO_PERIOD
    sources = Sources(
        volunteers=files["volunteers"],
        rules=files["rules"],
        files={"shifts": [files["shifts"]], "pages": files["pages"]},
    )
    inputs = load_inputs(sources, DEMO_PERIOD)
    report = inputs.compute(start, end)
    expected = _cli_json(
        tmp_path, "export", "--volunteers", files["volunteers"], "--rules", files["rules"],
        "--shifts", files["shifts"], "--pages", files["pages"], "--from", start, "--to", end,
    )  # fmt: skip
    assert report.to_json() + "\n" == expected
    assert len(inputs.volunteers) == 7
    assert inputs.run_info() == {
        "Roster file": str(files["volunteers"]),
        "Rules file": str(files["rules"]),
        "Shifts files (CSV)": str(files["shifts"]),
        "Pages files (CSV)": str(files["pages"]),
        "Rules SHA-256": inputs.rules_sha256,
    }


def test_a_service_reads_the_vendor_fixtures_as_the_cli_does(tmp_path: Path) -> None:
    """PagerDuty on-calls and log entries and an iCalendar feed, with options, from Python."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    rules = demo_files()["rules"]
    sources = op.Sources(
        volunteers=str(tmp_path / "roster.csv"),
        rules=rules,
        files={
            "pagerduty_oncalls": PD / "rota-oncalls.json",
            "pagerduty_log_entries": [PD / "log-entries.json"],
            "ics": [ICAL / "rota.ics"],
        },
        options={"ics_zone": "Europe/Dublin"},
    )
    assert sources.options == {
        "levels": (1,),
        "non_volunteers": "notice",
        "ics_zone": "Europe/Dublin",
    }
    inputs = op.load_inputs(sources, OCTOBER)
    report = inputs.compute(*OCTOBER)
    expected = _cli_json(
        tmp_path, "export", "--volunteers", tmp_path / "roster.csv", "--rules", rules,
        "--pagerduty-oncalls", PD / "rota-oncalls.json",
        "--pagerduty-log-entries", PD / "log-entries.json",
        "--ics", ICAL / "rota.ics", "--ics-zone", "Europe/Dublin",
        "--from", OCTOBER[0], "--to", OCTOBER[1],
    )  # fmt: skip
    assert report.to_json() + "\n" == expected
    assert json.loads(expected)["statements"]
    assert inputs.sources["PagerDuty on-calls files"] == str(PD / "rota-oncalls.json")
    assert inputs.sources["Calendar feeds"] == str(ICAL / "rota.ics")


def test_a_service_gets_every_problem_as_an_input_error(tmp_path: Path) -> None:
    """Bad files raise InputError with each problem placed, as the CLI lists them."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    sources = Sources(
        volunteers=tmp_path / "roster.csv",
        rules=tmp_path / "missing.toml",
        files={"shifts": tmp_path / "missing.csv", "ics": ICAL / "unknown-people.ics"},
    )
    with pytest.raises(op.InputError) as caught:
        load_inputs(sources, OCTOBER)
    places = [p.source for p in caught.value.problems]
    assert places[:2] == [str(tmp_path / "missing.toml"), str(tmp_path / "missing.csv")]
    assert str(ICAL / "unknown-people.ics") in places[2:]


def test_unknown_source_or_option_names_are_refused(tmp_path: Path) -> None:
    """A misspelt source or option is an InputError naming the known ones."""
    with pytest.raises(op.InputError, match="unknown source 'shift'; the sources are shifts"):
        Sources(volunteers="r.csv", rules="r.toml", files={"shift": "s.csv"})
    with pytest.raises(op.InputError, match="unknown source option 'level'"):
        Sources(volunteers="r.csv", rules="r.toml", options={"level": (2,)})


def _actions(command: str) -> dict[str, argparse.Action]:
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {flag: a for a in sub.choices[command]._actions for flag in a.option_strings}


@pytest.mark.parametrize("command", ["export", "explain", "compare"])
def test_every_registry_entry_is_a_cli_option_with_help(command: str) -> None:
    """Each source's flag and each of its settings' flags is an option with help text."""
    actions = _actions(command)
    for name, source in SOURCES.items():
        action = actions[source.flag]
        assert action.dest == name
        assert action.help == source.help
        assert source.help.strip()
        assert (action.option_strings, action.metavar) == ([source.flag], source.metavar)
        assert isinstance(action, argparse._AppendAction) == source.repeatable
        for option in source.options:
            assert actions[option.flag].help == option.help
            assert option.help.strip()
            assert actions[option.flag].dest == option.name
            assert actions[option.flag].default == option.default
    assert set(SOURCES) == {
        "shifts", "pages", "pagerduty_oncalls", "pagerduty_schedule",
        "pagerduty_log_entries", "pagerduty_incidents", "grafana_final_shifts", "ics",
    }  # fmt: skip
    for source in SOURCES.values():
        assert source.provides in ("shifts", "pages")
        assert source.label


def test_adding_a_source_is_adding_a_registry_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new entry alone gives a CLI option, is read by load_inputs and named on the Run sheet."""
    files = demo_files()
    read: list[tuple[tuple[Path, ...], ReadContext]] = []

    def read_extra(paths: tuple[Path, ...], ctx: ReadContext) -> list[tuple[None, op.Shift]]:
        read.append((paths, ctx))
        return []

    extra = Source(
        "--extra-feed", "FILE.x", "shifts from an extra feed", "shifts", "Extra feeds",
        read_extra, options=(pay_run.SourceOption("--extra-mode", "how", "MODE", default="a"),),
    )  # fmt: skip
    monkeypatch.setattr(pay_run, "SOURCES", {**SOURCES, "extra_feed": extra})
    actions = _actions("export")
    assert actions["--extra-feed"].help == "shifts from an extra feed"
    args = cli._parser().parse_args(
        ["export", "--volunteers", str(files["volunteers"]), "--rules", str(files["rules"]),
         "--extra-feed", "one.x", "--extra-feed", "two.x", "--extra-mode", "b",
         "--from", "2026-11-01", "--to", "2026-11-30", "--output", "x.xlsx"]
    )  # fmt: skip
    inputs = load_inputs(cli._sources(args), DEMO_PERIOD)
    assert [paths for paths, _ in read] == [(Path("one.x"),), (Path("two.x"),)]
    assert read[0][1].options["extra_mode"] == "b"
    assert inputs.sources["Extra feeds"] == "one.x, two.x"


def _placed_inputs() -> pay_run.Inputs:
    files = demo_files()
    inputs = load_inputs(Sources(volunteers=files["volunteers"], rules=files["rules"]), DEMO_PERIOD)
    assert inputs.roster_lines["ciaran"] == 3
    return inputs


def test_a_problem_with_a_volunteer_id_is_placed_at_the_roster_line() -> None:
    """The structured volunteer_id, not the source text, places an engine problem."""
    inputs = _placed_inputs()
    problem = op.Problem("no subdivision", source="anything", field="subdivision",
                         volunteer_id="ciaran")  # fmt: skip
    placed = inputs._place(problem)
    assert placed.source == inputs.sources["Roster file"]
    assert placed.line == 3
    assert placed.message == "volunteer 'ciaran': no subdivision"
    assert placed.field == "subdivision"
    # Already at a file line, or naming someone outside the roster: left where it is.
    at_line = attrs.evolve(problem, source="shifts.csv", line=7)
    assert inputs._place(at_line) == at_line
    stranger = attrs.evolve(problem, volunteer_id="zoe")
    assert inputs._place(stranger) == stranger


def test_the_engine_names_the_volunteer_of_its_problems() -> None:
    """Engine problems about one volunteer carry volunteer_id, so they are placed by it."""
    files = demo_files()
    volunteers = op.read_volunteers_csv(files["volunteers"])
    policy = op.load_policy(files["rules"])
    with pytest.raises(op.InputError) as caught:
        op.compute([*volunteers, volunteers[0]], [], [], policy, start=DEMO_PERIOD[0],
                   end=DEMO_PERIOD[1])  # fmt: skip
    (problem,) = caught.value.problems
    assert problem.volunteer_id == volunteers[0].id
    assert problem.field == "id"
    inputs = _placed_inputs()
    placed = inputs._place(problem)
    assert placed.source == inputs.sources["Roster file"]
    assert placed.line == inputs.roster_lines[volunteers[0].id]
    # A record name alone no longer places a problem: the structured id does.
    bare = op.Problem("bad", source=f"volunteer {volunteers[0].id!r}", field="subdivision")
    assert inputs._place(bare) == bare


def test_volunteer_id_does_not_change_how_a_problem_reads() -> None:
    """str(problem) is the same with and without the structured volunteer_id."""
    for problem in (
        op.Problem("m"),
        op.Problem("m", source="volunteers.csv", line=3, field="subdivision"),
        op.Problem("m", field="country"),
    ):
        assert str(attrs.evolve(problem, volunteer_id="alice")) == str(problem)
    assert op.Problem("m").volunteer_id is None
