"""The ``oncall-pay`` command: demo, export, explain, check-rules, compare.

Exit status: 0 on success, 1 on bad input (every problem listed, one per
line, no traceback, no output file), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TextIO, TypeVar

import attrs

from . import __version__
from ._engine import compute
from ._errors import InputError, OncallPayError, PolicyError, Problem
from ._explain import describe_policy, explain_statement, health_line
from ._model import Page, Shift, Volunteer
from ._report import Report
from ._rules import Policy
from ._rules_file import load_policy
from .readers.csv import (
    check_volunteer_refs,
    read_pages_csv_with_lines,
    read_shifts_csv_with_lines,
    read_volunteers_csv_with_lines,
)

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
_T = TypeVar("_T")


@attrs.frozen
class Inputs:
    """Everything a pay run reads, already checked."""

    volunteers: tuple[Volunteer, ...]
    shifts: tuple[Shift, ...]
    pages: tuple[Page, ...]
    policy: Policy
    rules_path: Path
    rules_sha256: str
    sources: dict[str, str]
    roster_lines: dict[str, int]

    def compute(self, start: date, end: date) -> Report:
        """Price the inputs; errors found by the engine are placed in the input files.

        Raises:
            InputError: A problem of a volunteer, placed at its roster line.
            PolicyError: A problem of the rules, placed in the rules file.
        """
        try:
            return compute(
                self.volunteers, self.shifts, self.pages, self.policy,
                start=start, end=end, progress=_progress(sys.stderr),
            )  # fmt: skip
        except (InputError, PolicyError) as error:
            raise type(error)([self._place(p) for p in error.problems]) from None

    def _place(self, problem: Problem) -> Problem:
        if isinstance(problem.source, str) and problem.source.startswith("volunteer '"):
            vid = problem.source[len("volunteer '") : -1]
            if vid in self.roster_lines:
                roster = self.sources["Roster file"]
                message = f"volunteer {vid!r}: {problem.message}"
                return attrs.evolve(
                    problem, source=roster, line=self.roster_lines[vid], message=message
                )
        if problem.source is None and problem.line is None:
            return attrs.evolve(problem, source=str(self.rules_path))
        return problem


def _progress(out: TextIO) -> Callable[[int, int], None] | None:
    """A progress display on ``out`` for long runs, only when it is a terminal."""
    if not out.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 200:  # a small run is over before anyone could read it
            return
        end = "\n" if done == total else ""
        print(f"\rpricing volunteers: {done:,}/{total:,} ({done * 100 // total}%)", end=end,
              file=out, flush=True)  # fmt: skip

    return show


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date of the form YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in text.split(","))
    except ValueError:
        levels = ()
    if not levels or any(level < 1 for level in levels):
        msg = f"{text!r} is not a list of escalation levels such as 1,2"
        raise argparse.ArgumentTypeError(msg)
    return levels


def _add_inputs(p: argparse.ArgumentParser, *, period: bool = True) -> None:
    many = {"type": Path, "action": "append", "default": []}
    p.add_argument("--volunteers", required=True, type=Path, metavar="ROSTER.csv")
    p.add_argument("--rules", required=True, type=Path, metavar="RULES.toml")
    p.add_argument("--shifts", metavar="SHIFTS.csv", **many)  # type: ignore[arg-type]
    p.add_argument("--pages", metavar="PAGES.csv", **many)  # type: ignore[arg-type]
    src = p.add_argument_group("schedule sources (combinable with --shifts and --pages)")
    src.add_argument("--pagerduty-oncalls", metavar="FILE.json", **many)  # type: ignore[arg-type]
    src.add_argument(
        "--levels", type=_levels, default=(1,), metavar="1,2",
        help="escalation levels of --pagerduty-oncalls to pay (default 1)",
    )  # fmt: skip
    src.add_argument("--pagerduty-schedule", metavar="FILE.json", **many)  # type: ignore[arg-type]
    src.add_argument("--pagerduty-log-entries", metavar="FILE.json", **many)  # type: ignore[arg-type]
    src.add_argument("--pagerduty-incidents", metavar="FILE.csv", **many)  # type: ignore[arg-type]
    src.add_argument("--ics", metavar="FILE.ics", **many)  # type: ignore[arg-type]
    src.add_argument(
        "--ics-zone", metavar="ZONE", default=None,
        help="IANA zone for floating times and all-day events in --ics feeds",
    )  # fmt: skip
    if period:
        p.add_argument("--from", dest="start", required=True, type=_date, metavar="YYYY-MM-DD")
        p.add_argument("--to", dest="end", required=True, type=_date, metavar="YYYY-MM-DD")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oncall-pay",
        description="Pays the people who carry the pager.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="write a workbook for the built-in example team")
    demo.add_argument("--output", type=Path, default=Path("demo.xlsx"))
    demo.add_argument(
        "--inputs", type=Path, default=None, metavar="DIR",
        help="also copy the demo's input files (roster, shifts, pages, rules) into DIR",
    )  # fmt: skip
    demo.set_defaults(func=_cmd_demo)

    export = sub.add_parser("export", help="price a pay run and write the workbook")
    _add_inputs(export)
    export.add_argument("--output", required=True, type=Path)
    export.add_argument("--format", choices=("xlsx", "csv", "json"), default="xlsx")
    export.set_defaults(func=_cmd_export)

    explain = sub.add_parser("explain", help="print one weekly statement as a breakdown")
    _add_inputs(explain, period=False)
    explain.add_argument("--volunteer", required=True)
    explain.add_argument("--week", required=True, metavar="YYYY-Www")
    explain.set_defaults(func=_cmd_explain)

    check = sub.add_parser("check-rules", help="validate a rules file and describe it")
    check.add_argument("rules", type=Path)
    check.add_argument(
        "--against", type=Path, metavar="OLD.toml",
        help="print how the rules differ from OLD.toml instead of describing them",
    )  # fmt: skip
    check.set_defaults(func=_cmd_check_rules)

    compare = sub.add_parser(
        "compare", help="price a period under the current and the proposed rules, side by side"
    )
    _add_inputs(compare)
    compare.add_argument("--proposed", required=True, type=Path, metavar="PROPOSED.toml")
    compare.add_argument("--output", required=True, type=Path)
    compare.set_defaults(func=_cmd_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.func(args)
    except OncallPayError as error:
        _print_problems(error, sys.stderr)
        return EXIT_BAD_INPUT
    return status


def _print_problems(error: OncallPayError, out: TextIO) -> None:
    problems = getattr(error, "problems", None) or (Problem(str(error)),)
    for problem in problems:
        print(f"error: {problem}", file=out)
    print(f"{len(problems)} problem(s); nothing was written.", file=out)


def _read_rules(path: Path) -> tuple[Policy, str]:
    try:
        data = path.read_bytes()
    except OSError as e:
        msg = f"cannot read the rules file: {e.strerror}"
        raise InputError(Problem(msg, source=str(path))) from None
    return load_policy(path), hashlib.sha256(data).hexdigest()


@attrs.frozen
class Sources:
    """The files a pay run reads, as the command line names them."""

    volunteers: Path
    rules: Path
    shifts: tuple[Path, ...] = ()
    pages: tuple[Path, ...] = ()
    pagerduty_oncalls: tuple[Path, ...] = ()
    levels: tuple[int, ...] = (1,)
    pagerduty_schedule: tuple[Path, ...] = ()
    pagerduty_log_entries: tuple[Path, ...] = ()
    pagerduty_incidents: tuple[Path, ...] = ()
    ics: tuple[Path, ...] = ()
    ics_zone: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Sources:
        """The sources named by parsed command-line arguments."""
        return cls(
            volunteers=args.volunteers,
            rules=args.rules,
            shifts=tuple(args.shifts),
            pages=tuple(args.pages),
            pagerduty_oncalls=tuple(args.pagerduty_oncalls),
            levels=tuple(args.levels),
            pagerduty_schedule=tuple(args.pagerduty_schedule),
            pagerduty_log_entries=tuple(args.pagerduty_log_entries),
            pagerduty_incidents=tuple(args.pagerduty_incidents),
            ics=tuple(args.ics),
            ics_zone=args.ics_zone,
        )

    def describe(self) -> dict[str, str]:
        """Each kind of input and the files it came from, for the Run sheet."""
        kinds = {
            "Roster file": (self.volunteers,),
            "Rules file": (self.rules,),
            "Shifts files (CSV)": self.shifts,
            "Pages files (CSV)": self.pages,
            "PagerDuty on-calls files": self.pagerduty_oncalls,
            "PagerDuty schedule files": self.pagerduty_schedule,
            "PagerDuty log entries files": self.pagerduty_log_entries,
            "PagerDuty incidents files": self.pagerduty_incidents,
            "Calendar feeds": self.ics,
        }
        return {k: ", ".join(map(str, v)) for k, v in kinds.items() if v}


def load_inputs(sources: Sources, period: tuple[date, date]) -> Inputs:
    """Read and cross-check every input file, collecting every problem.

    Args:
        sources: The files.
        period: The first and last date asked for; calendar feeds are
            expanded over it and a week either side.

    Raises:
        InputError: Every problem of every file, each with file, line and field.
    """
    problems: list[Problem] = []

    def attempt(read: Callable[[], _T], path: Path | str) -> _T | None:
        try:
            return read()
        except OncallPayError as e:
            problems.extend(getattr(e, "problems", (Problem(str(e), source=str(path)),)))
        except OSError as e:
            problems.append(Problem(f"cannot read the file: {e.strerror}", source=str(path)))
        return None

    roster_rows = attempt(
        partial(read_volunteers_csv_with_lines, sources.volunteers), sources.volunteers
    )
    roster = tuple(v for _, v in roster_rows or ())
    roster_lines = {v.id: n for n, v in roster_rows or ()}
    policy, sha = attempt(lambda: _read_rules(sources.rules), sources.rules) or (None, "")
    shift_rows = [
        (str(path), n, s)
        for path in sources.shifts
        for n, s in attempt(partial(read_shifts_csv_with_lines, path), path) or ()
    ]
    page_rows = [
        (str(path), n, p)
        for path in sources.pages
        for n, p in attempt(partial(read_pages_csv_with_lines, path), path) or ()
    ]
    seen: dict[str, tuple[str, int]] = {}
    for source, line, page in page_rows:
        if page.id in seen and seen[page.id][0] != source:
            first = seen[page.id]
            msg = f"page id {page.id!r} was already given in {first[0]} line {first[1]}"
            problems.append(Problem(msg, source=source, line=line, field="id"))
        seen.setdefault(page.id, (source, line))
    if roster:
        problems.extend(check_volunteer_refs(roster, shift_rows, page_rows))
    shifts = [s for _, _, s in shift_rows]
    pages = [p for _, _, p in page_rows]
    if roster:
        shifts += _read_schedule_sources(sources, roster, period, attempt)
        pages += _read_page_sources(sources, roster, attempt)
    if problems:
        raise InputError(problems)
    assert policy is not None  # no problems means the rules were read
    return Inputs(
        volunteers=roster,
        shifts=tuple(shifts),
        pages=tuple(pages),
        policy=policy,
        rules_path=sources.rules,
        rules_sha256=sha,
        sources=sources.describe(),
        roster_lines=roster_lines,
    )


def _read_schedule_sources(
    sources: Sources,
    roster: Sequence[Volunteer],
    period: tuple[date, date],
    attempt: Callable[[Callable[[], tuple[Shift, ...]], Path | str], tuple[Shift, ...] | None],
) -> list[Shift]:
    from .readers.ical import read_ics
    from .readers.pagerduty import read_pagerduty_oncalls, read_pagerduty_schedule

    shifts: list[Shift] = []
    if sources.pagerduty_oncalls:
        files = sources.pagerduty_oncalls
        # Open-ended entries stay open: the engine clips them to each
        # volunteer's own local pay weeks.
        shifts += (
            attempt(lambda: read_pagerduty_oncalls(files, roster, levels=sources.levels), files[0])
            or ()
        )
    for path in sources.pagerduty_schedule:
        shifts += attempt(partial(read_pagerduty_schedule, path, roster), path) or ()
    # A week either side, so a shift just outside the period can still
    # extend a callout or hold the first page of a rest block.
    window = (
        datetime.combine(period[0] - timedelta(days=15), time(), tzinfo=UTC),
        datetime.combine(period[1] + timedelta(days=16), time(), tzinfo=UTC),
    )
    for path in sources.ics:
        shifts += (
            attempt(
                partial(read_ics, path, roster, window=window, default_zone=sources.ics_zone),
                path,
            )
            or ()
        )
    return shifts


def _read_page_sources(
    sources: Sources,
    roster: Sequence[Volunteer],
    attempt: Callable[[Callable[[], tuple[Page, ...]], Path | str], tuple[Page, ...] | None],
) -> list[Page]:
    from .readers.pagerduty import read_pagerduty_incidents_csv, read_pagerduty_log_entries

    pages: list[Page] = []
    if sources.pagerduty_log_entries:
        files = sources.pagerduty_log_entries
        pages += attempt(lambda: read_pagerduty_log_entries(files, roster), files[0]) or ()
    for path in sources.pagerduty_incidents:
        pages += attempt(partial(read_pagerduty_incidents_csv, path, roster), path) or ()
    return pages


def _run_info(inputs: Inputs) -> dict[str, str]:
    return {**inputs.sources, "Rules SHA-256": inputs.rules_sha256}


def _write(report: Report, inputs: Inputs, output: Path, fmt: str) -> None:
    if sys.stderr.isatty() and len(report.statements) > 1000:
        print(f"writing {output} ({len(report.statements):,} statements)…", file=sys.stderr)
    if fmt == "xlsx":
        from .writers.workbook import write_workbook

        write_workbook(report, output, volunteers=inputs.volunteers, run_info=_run_info(inputs))
    elif fmt == "csv":
        from .writers.csv import write_weekly_csv

        write_weekly_csv(report, output, volunteers=inputs.volunteers)
    else:
        from .writers.json import write_json

        write_json(report, output)


def _print_totals(report: Report, output: Path, out: TextIO) -> None:
    if report.week_starts:
        first, last = report.week_starts[0], report.week_starts[-1]
        print(
            f"Pay weeks reported: {first} – {last.fromordinal(last.toordinal() + 6)} "
            f"({len(report.week_starts)} weeks, asked for {report.period_start} – "
            f"{report.period_end})",
            file=out,
        )
    else:
        print(
            f"No pay week starts between {report.period_start} and {report.period_end}.", file=out
        )
    print(
        f"{len(report.statements)} weekly statements, {len(report.pages)} pages "
        f"({sum(p.counted for p in report.pages)} counted), {len(report.notices)} notices",
        file=out,
    )
    for currency, total in report.totals().items():
        print(f"Total {currency}: {total:,}", file=out)
    print(f"Written: {output}", file=out)


def _cmd_export(args: argparse.Namespace) -> int:
    if args.start > args.end:
        msg = f"--from {args.start} is after --to {args.end}"
        raise InputError(Problem(msg, field="--from"))
    inputs = load_inputs(Sources.from_args(args), (args.start, args.end))
    report = inputs.compute(args.start, args.end)
    _write(report, inputs, args.output, args.format)
    _print_totals(report, args.output, sys.stdout)
    return EXIT_OK


def _parse_week(text: str, policy: Policy | None) -> date:
    try:
        year, week = text.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        msg = f"{text!r} is not an ISO week such as 2026-W47"
        raise InputError(Problem(msg, field="--week")) from None
    # The pay week named by this ISO week starts on the policy's start day in it.
    return monday + timedelta(days=policy.week_start_weekday if policy else 0)


def _month_weeks(week_start: date, policy: Policy) -> tuple[date, date]:
    """The period whose pay weeks cover the month of ``week_start`` (as far
    as the rules go back), so the month's health is measured whole."""
    first = week_start.replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    start = first - timedelta(days=(first.weekday() - policy.week_start_weekday) % 7)
    return max(start, policy.versions[0].effective_from), last


def _cmd_explain(args: argparse.Namespace) -> int:
    monday = _parse_week(args.week, None)
    # Read the sources for the whole month around the week: its health is reported too.
    period = (monday.replace(day=1) - timedelta(days=6), monday + timedelta(days=37))
    inputs = load_inputs(Sources.from_args(args), period)
    week_start = _parse_week(args.week, inputs.policy)
    by_id = {v.id: v for v in inputs.volunteers}
    if args.volunteer not in by_id:
        msg = f"volunteer {args.volunteer!r} is not in the roster {inputs.sources['Roster file']}"
        raise InputError(Problem(msg, field="--volunteer"))
    start, end = _month_weeks(week_start, inputs.policy)
    report = inputs.compute(min(start, week_start), end)
    print(explain_statement(report, by_id[args.volunteer], week_start))
    print()
    print(f"Team health: {health_line(report.health, f'{week_start:%Y-%m}')}")
    return EXIT_OK


def _cmd_check_rules(args: argparse.Namespace) -> int:
    if args.against is not None:
        return _check_rules_against(args.rules, args.against)
    policy, sha = _read_rules(args.rules)
    print(f"{args.rules}: valid (SHA-256 {sha[:12]}…)")
    print(describe_policy(policy))
    return EXIT_OK


def _read_both_rules(first: Path, second: Path) -> tuple[tuple[Policy, str], tuple[Policy, str]]:
    """Read two rules files, listing the problems of both before giving up."""
    problems: list[Problem] = []
    found: list[tuple[Policy, str]] = []
    for path in (first, second):
        try:
            found.append(_read_rules(path))
        except (InputError, PolicyError) as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(dict.fromkeys(problems))  # the same file twice: each problem once
    return found[0], found[1]


def _check_rules_against(new_path: Path, old_path: Path) -> int:
    from ._compare import diff_policies

    (new, new_sha), (old, old_sha) = _read_both_rules(new_path, old_path)
    print(f"{new_path}: valid (SHA-256 {new_sha[:12]}…)")
    print(f"{old_path}: valid (SHA-256 {old_sha[:12]}…)")
    changes = diff_policies(old, new)
    if not changes:
        print(f"No differences: {new_path} pays exactly as {old_path} does.")
        return EXIT_OK
    print(f"Changes from {old_path} to {new_path}:")
    for change in changes:
        print(f"  - {change}")
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from ._compare import compare, describe_comparison
    from .writers.compare import write_comparison

    if args.start > args.end:
        msg = f"--from {args.start} is after --to {args.end}"
        raise InputError(Problem(msg, field="--from"))
    problems: list[Problem] = []
    inputs, policy, sha = None, None, ""
    try:
        inputs = load_inputs(Sources.from_args(args), (args.start, args.end))
    except InputError as error:
        problems.extend(error.problems)
    try:
        policy, sha = _read_rules(args.proposed)
    except (InputError, PolicyError) as error:
        problems.extend(error.problems)
    if problems:
        raise InputError(dict.fromkeys(problems))  # the same file twice: each problem once
    assert inputs is not None  # no problems: every file was read
    assert policy is not None
    proposed = attrs.evolve(inputs, policy=policy, rules_path=args.proposed, rules_sha256=sha)
    reports = []
    for run in (inputs, proposed):
        try:
            reports.append(run.compute(args.start, args.end))
        except (InputError, PolicyError) as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    comparison = compare(reports[0], reports[1])
    run_info = {
        "Current rules file": str(args.rules),
        "Current rules SHA-256": inputs.rules_sha256,
        "Proposed rules file": str(args.proposed),
        "Proposed rules SHA-256": proposed.rules_sha256,
        **{k: v for k, v in inputs.sources.items() if k != "Rules file"},
    }
    write_comparison(comparison, args.output, volunteers=inputs.volunteers, run_info=run_info)
    print(f"Current rules: {args.rules} ({comparison.old_name!r})")
    print(f"Proposed rules: {args.proposed} ({comparison.new_name!r})")
    print(describe_comparison(comparison))
    _note_later_versions(inputs.policy, proposed.policy, comparison.week_starts)
    print(f"Written: {args.output}")
    return EXIT_OK


def _note_later_versions(current: Policy, proposed: Policy, weeks: Sequence[date]) -> None:
    """Say so when a new version takes effect after the compared weeks: it changed nothing."""
    known = {v.effective_from for v in current.versions}
    last = weeks[-1] if weeks else None
    for version in proposed.versions:
        day = version.effective_from
        if day not in known and (last is None or day > last):
            print(
                f"Note: the proposed version of {day} takes effect after the weeks compared, "
                "so it changes nothing here. To see its effect on past weeks, compare a draft "
                "that changes the version in effect for them."
            )


def demo_files() -> dict[str, Path]:
    """The demo team's input files, shipped inside the package."""
    base = resources.files("oncall_pay") / "demo"
    names = {"volunteers": "volunteers.csv", "shifts": "shifts.csv", "pages": "pages.csv",
             "rules": "rules.toml"}  # fmt: skip
    return {key: Path(str(base / name)) for key, name in names.items()}


DEMO_PERIOD = (date(2026, 11, 1), date(2026, 11, 30))


def _cmd_demo(args: argparse.Namespace) -> int:
    files = demo_files()
    start, end = DEMO_PERIOD
    sources = Sources(
        volunteers=files["volunteers"],
        rules=files["rules"],
        shifts=(files["shifts"],),
        pages=(files["pages"],),
    )
    inputs = load_inputs(sources, DEMO_PERIOD)
    if args.inputs is not None:
        taken = [args.inputs / p.name for p in files.values() if (args.inputs / p.name).exists()]
        if taken:
            raise InputError(
                [Problem("already exists; not overwritten", source=str(t)) for t in taken]
            )
    report = inputs.compute(start, end)
    _write(report, inputs, args.output, "xlsx")
    print(f"Demo pay run: {len(inputs.volunteers)} volunteers, November 2026")
    _print_totals(report, args.output, sys.stdout)
    print(f"Team health: {health_line(report.health, f'{start:%Y-%m}')}")
    if args.inputs is not None:
        args.inputs.mkdir(parents=True, exist_ok=True)
        for path in files.values():
            shutil.copyfile(path, args.inputs / path.name)
        print(f"Input files copied to: {args.inputs}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
