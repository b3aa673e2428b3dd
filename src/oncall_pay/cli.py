"""The ``oncall-pay`` command: demo, fetch, export, statements, explain, check-rules,
compare, and the pay-run ledger (``run …``, ``toil …``, in ``_ledger_cli``).

Exit status: 0 on success, 1 on bad input (every problem listed, one per
line, no traceback, no output file), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import attrs

from . import __version__, _ledger_cli, pay_run
from ._errors import InputError, OncallPayError, PolicyError, Problem
from ._explain import describe_policy, explain_statement, health_line
from ._model import EARLIEST_DATE, LATEST_DATE, date_range_problem, period_problems
from ._parallel import available_workers
from ._payroll import PeriodRule, payroll_rows
from ._report import Report
from ._rules import Policy
from ._vocab import NoticeKind, label
from ._weeks import explain_read_period
from ._weeks import week_start as week_start_of
from .pay_run import Inputs, Sources, _read_rules, iso_date, load_inputs

if TYPE_CHECKING:
    from .fetch import RetryPolicy, Snapshot

__all__ = ["DEMO_PERIOD", "Inputs", "Sources", "demo_files", "load_inputs", "main"]

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


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


def _add_inputs(p: argparse.ArgumentParser, *, period: bool = True) -> None:
    p.add_argument(
        "--volunteers", required=True, type=Path, metavar="ROSTER.csv",
        help="the roster CSV: one row per volunteer (id, name, country, timezone, payroll_id …)",
    )  # fmt: skip
    p.add_argument(
        "--rules", required=True, type=Path, metavar="RULES.toml",
        help="the pay rules file (check it with: oncall-pay check-rules RULES.toml)",
    )  # fmt: skip
    sources = pay_run.SOURCES
    named = " and ".join(s.flag for s in sources.values() if not s.needs_roster)
    group = p.add_argument_group(f"schedule sources (combinable with {named})")
    for name, source in sources.items():
        # The sources naming volunteer ids are the plain ones; the others match people.
        _add_source(group if source.needs_roster else p, name, source)
    p.add_argument(
        "--snapshot", action="append", default=[], type=Path, metavar="DIR",
        help="read every file of a snapshot folder written by 'oncall-pay fetch' (each file's "
        "SHA-256 is checked against its manifest.json first); repeatable",
    )  # fmt: skip
    if period:
        p.add_argument(
            "--from", dest="start", required=True, type=iso_date, metavar="YYYY-MM-DD",
            help="the first day of the period; every pay week starting from it to --to is paid",
        )  # fmt: skip
        p.add_argument(
            "--to", dest="end", required=True, type=iso_date, metavar="YYYY-MM-DD",
            help="the last day of the period (included); its last pay week may end after it",
        )  # fmt: skip
    _add_jobs(p)


def _add_jobs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs", type=_jobs, default=1, metavar="N",
        help="price in N processes, or 'auto' for one per CPU (default 1); "
        "the result is the same, and faster from a few thousand volunteers",
    )  # fmt: skip


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of at least 1, or ``auto``."""
    if text == "auto":
        return available_workers()
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least 1 or 'auto', got {text!r}"
        )
    return jobs


def _add_source(p: argparse._ActionsContainer, name: str, source: pay_run.Source) -> None:
    if source.repeatable:
        p.add_argument(
            source.flag, dest=name, type=Path, action="append", default=[],
            metavar=source.metavar, help=source.help,
        )  # fmt: skip
    else:
        p.add_argument(
            source.flag, dest=name, type=Path, default=None, metavar=source.metavar,
            help=source.help,
        )  # fmt: skip
    for option in source.options:
        p.add_argument(
            option.flag, dest=option.name, type=option.parse or str, default=option.default,
            metavar=option.metavar, help=option.help,
        )  # fmt: skip


def _sources(args: argparse.Namespace, snapshots: Sequence[Snapshot] = ()) -> Sources:
    """The sources named by parsed command-line arguments, and the snapshots' files."""
    files: dict[str, tuple[Path, ...]] = {}
    for name, source in pay_run.SOURCES.items():
        given = getattr(args, name)
        files[name] = tuple(given) if source.repeatable else (() if given is None else (given,))
        for snapshot in snapshots:
            files[name] += snapshot.files.get(name, ())
    options = {o.name: getattr(args, o.name) for s in pay_run.SOURCES.values() for o in s.options}
    return Sources(
        volunteers=args.volunteers,
        rules=args.rules,
        files={name: paths for name, paths in files.items() if paths},
        options=options,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oncall-pay",
        description="Pays the people who carry the pager.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND",
        help="what to do; 'oncall-pay COMMAND --help' explains each",
    )  # fmt: skip

    demo = sub.add_parser("demo", help="write a workbook for the built-in example team")
    demo.add_argument(
        "--output", type=Path, default=Path("demo.xlsx"), metavar="FILE.xlsx",
        help="where to write the demo workbook (default demo.xlsx)",
    )  # fmt: skip
    demo.add_argument(
        "--inputs", type=Path, default=None, metavar="DIR",
        help="also copy the demo's input files (roster, shifts, pages, rules) into DIR",
    )  # fmt: skip
    demo.set_defaults(func=_cmd_demo)

    _add_fetch(sub)

    export = sub.add_parser("export", help="price a pay run and write the workbook")
    _add_inputs(export)
    export.add_argument(
        "--output", required=True, type=Path, metavar="FILE",
        help="where to write the result; an older file there is replaced only once it is complete",
    )  # fmt: skip
    export.add_argument(
        "--format", choices=("xlsx", "csv", "json", *_PAYROLL_FORMATS), default="xlsx",
        help="xlsx: the finance workbook (default); csv: its Weekly rows; json: the whole "
        "report; payroll-csv, datev (DATEV Lohn und Gehalt ASCII), workday-eib: one line per "
        "person, pay period and earning code (docs/payroll.md)",
    )  # fmt: skip
    export.add_argument(
        "--period", default=None, metavar="PERIOD",
        help="for the payroll formats: week (default), month, semi-monthly, or date ranges "
        "such as 2026-11-01..2026-11-15,2026-11-16..2026-11-30; each pay week goes, whole, "
        "to the period holding its first day",
    )  # fmt: skip
    export.set_defaults(func=_cmd_export)

    statements = sub.add_parser(
        "statements", help="write one printable PDF statement per volunteer and pay period"
    )
    _add_inputs(statements)
    statements.add_argument(
        "--period", default="month", metavar="PERIOD",
        help="week, month (default), semi-monthly, or date ranges such as "
        "2026-11-01..2026-11-15,2026-11-16..2026-11-30",
    )  # fmt: skip
    statements.add_argument(
        "--output", required=True, type=Path, metavar="DIR",
        help="the directory for the PDFs (created if missing), named like alice_2026-11.pdf",
    )  # fmt: skip
    _ledger_cli.add_statements_option(statements)
    statements.set_defaults(func=_cmd_statements)

    explain = sub.add_parser("explain", help="print one weekly statement as a breakdown")
    _add_inputs(explain, period=False)
    explain.add_argument(
        "--volunteer", required=True, metavar="ID",
        help="the volunteer's id, as in the roster",
    )  # fmt: skip
    explain.add_argument(
        "--week", required=True, metavar="YYYY-Www",
        help="the pay week, as its ISO week (2026-W47)",
    )  # fmt: skip
    explain.set_defaults(func=_cmd_explain)

    check = sub.add_parser("check-rules", help="validate a rules file and describe it")
    check.add_argument("rules", type=Path, metavar="RULES.toml", help="the rules file to check")
    check.add_argument(
        "--against", type=Path, metavar="OLD.toml",
        help="print how the rules differ from OLD.toml instead of describing them",
    )  # fmt: skip
    check.set_defaults(func=_cmd_check_rules)

    compare = sub.add_parser(
        "compare", help="price a period under the current and the proposed rules, side by side"
    )
    _add_inputs(compare)
    compare.add_argument(
        "--proposed", required=True, type=Path, metavar="PROPOSED.toml",
        help="the proposed rules, priced over the same period as --rules",
    )  # fmt: skip
    compare.add_argument(
        "--output", required=True, type=Path, metavar="FILE.xlsx",
        help="where to write the comparison workbook",
    )  # fmt: skip
    compare.set_defaults(func=_cmd_compare)
    _ledger_cli.add_explain_option(explain)
    _ledger_cli.add_parsers(sub, add_inputs=_add_inputs, sources=_sources, progress=_progress)
    return parser


def run() -> NoReturn:
    """The ``oncall-pay`` command (and ``python -m oncall_pay``): ``main``,
    then exit with its status.

    Before exiting, what is still alive (the inputs, the report) is frozen
    out of the cyclic garbage collector: the interpreter's last collections
    at exit would otherwise walk all of it, only to free it anyway — a
    tenth of a second of a peer-case export (docs/benchmarks.md). ``atexit``
    handlers still run and objects are still freed by their reference
    counts; only garbage in reference cycles is left to the operating
    system, finalizers unrun. Nothing of ours needs one: ``main`` has closed
    every file and ledger it opened.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.func(args)
    except OncallPayError as error:
        _print_problems(error, sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        # An output that cannot be written (no such folder, a folder where a
        # file should go, a full disk): said like any other problem, and the
        # atomic writers have left nothing behind.
        output = getattr(args, "output", None)
        where = str(output) if output is not None else error.filename
        reason = error.strerror or str(error)
        message = f"cannot write: {reason}" if output is not None else reason
        _print_problems(InputError(Problem(message, source=where)), sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        if not _is_stopped_worker(error):
            raise
        print(
            "error: a worker process of --jobs stopped before its work was done (killed, "
            "or out of memory?); nothing was written. Run again, or with fewer --jobs.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return status


def _is_stopped_worker(error: Exception) -> bool:
    """Whether ``error`` is a process pool's that lost a worker (``--jobs``).
    Without ``concurrent.futures`` loaded, no pool ran (a run in one process
    does not load it)."""
    futures = sys.modules.get("concurrent.futures")
    return futures is not None and isinstance(error, futures.BrokenExecutor)


def _print_problems(error: OncallPayError, out: TextIO) -> None:
    problems = getattr(error, "problems", None) or (Problem(str(error)),)
    for problem in problems:
        print(f"error: {problem}", file=out)
    print(f"{len(problems)} problem(s); nothing was written.", file=out)


#: The export formats for payroll systems (writers/payroll.py).
_PAYROLL_FORMATS = ("payroll-csv", "datev", "workday-eib")


def _period_rule(fmt: str, period: str | None) -> PeriodRule | None:
    """The --period of a payroll format (checked before any input is read)."""
    if fmt not in _PAYROLL_FORMATS:
        if period is not None:
            msg = f"--period applies to the payroll formats ({', '.join(_PAYROLL_FORMATS)})"
            raise InputError(Problem(msg, field="--period"))
        return None
    return PeriodRule.parse(period or "week")


def _write(
    report: Report, inputs: Inputs, output: Path, fmt: str, period: PeriodRule | None = None
) -> None:
    if sys.stderr.isatty() and len(report.statements) > 1000:
        print(f"writing {output} ({len(report.statements):,} statements)…", file=sys.stderr)
    if period is not None:
        from .writers.payroll import write_payroll

        rows = payroll_rows(report, inputs.policy, period, volunteers=inputs.volunteers)
        write_payroll(rows, output, fmt)
    elif fmt == "xlsx":
        from .writers.workbook import write_workbook

        write_workbook(report, output, volunteers=inputs.volunteers, run_info=inputs.run_info())
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


def _check_period(args: argparse.Namespace) -> None:
    problems = period_problems(args.start, args.end, fields=("--from", "--to"))
    if args.start > args.end:
        msg = f"--from {args.start} is after --to {args.end}"
        problems.append(Problem(msg, field="--from"))
    if problems:
        raise InputError(problems)


def _cmd_export(args: argparse.Namespace) -> int:
    _check_period(args)
    period = _period_rule(args.format, args.period)
    inputs = _load_inputs(args, (args.start, args.end), (args.start, args.end))
    report = inputs.compute(args.start, args.end, progress=_progress(sys.stderr), workers=args.jobs)
    _write(report, inputs, args.output, args.format, period)
    _print_totals(report, args.output, sys.stdout)
    _print_file_notices(inputs, sys.stdout)
    return EXIT_OK


def _load_inputs(
    args: argparse.Namespace, period: tuple[date, date], asked: tuple[date, date]
) -> Inputs:
    """``load_inputs`` of the command's sources, the snapshots' files included.

    The snapshots are checked first (every SHA-256, and that they were
    fetched for the dates ``asked``); a changed file is never read.
    """
    snapshots = _read_snapshots(args.snapshot, asked)
    inputs = load_inputs(_sources(args, snapshots), period)
    if not snapshots:
        return inputs
    described = "; ".join(s.describe() for s in snapshots)
    return attrs.evolve(inputs, sources={**inputs.sources, "Snapshots": described})


def _read_snapshots(folders: Sequence[Path], asked: tuple[date, date]) -> list[Snapshot]:
    if not folders:
        return []
    from .fetch import read_snapshot

    problems: list[Problem] = []
    snapshots = []
    for folder in folders:
        try:
            snapshot = read_snapshot(folder, sources=pay_run.SOURCES)
        except InputError as error:
            problems.extend(error.problems)
            continue
        first, last = snapshot.period
        if asked[0] < first or asked[1] > last:
            msg = (
                f"was fetched for {first} – {last}, which does not cover {asked[0]} – "
                f"{asked[1]}; fetch a snapshot for the period you price"
            )
            problems.append(Problem(msg, source=str(folder), field="--snapshot"))
        snapshots.append(snapshot)
    if problems:
        raise InputError(problems)
    return snapshots


def _print_file_notices(inputs: Inputs, out: TextIO) -> None:
    """The notices the readers gave about the files: they change what is paid."""
    for notice in inputs.notices:
        print(f"Notice ({label(NoticeKind(notice.kind)).title}): {notice.detail}", file=out)


def _cmd_statements(args: argparse.Namespace) -> int:
    from .writers.statements import write_statements

    _check_period(args)
    rule = PeriodRule.parse(args.period)
    _ledger_cli.check_explain_ledger(args.ledger)  # a missing --ledger: say so before pricing
    inputs = _load_inputs(args, (args.start, args.end), (args.start, args.end))
    report = inputs.compute(args.start, args.end, progress=_progress(sys.stderr), workers=args.jobs)
    toil = _ledger_cli.toil_balances(args.ledger)
    written = write_statements(
        report, args.output, rule, volunteers=inputs.volunteers, toil=toil, policy=inputs.policy
    )
    print(f"{len(written)} statement(s) written to {args.output}")
    for path in written:
        print(f"  {path.name}")
    return EXIT_OK


def _parse_week(text: str, policy: Policy | None) -> date:
    try:
        year, week = text.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        msg = f"{text!r} is not an ISO week such as 2026-W47"
        raise InputError(Problem(msg, field="--week")) from None
    # explain reads the month around the week: that must lie in the dates too.
    outside = date_range_problem(monday) is not None
    read = (monday, monday) if outside else explain_read_period(monday)
    if outside or any(date_range_problem(day) is not None for day in read):
        reads = "" if outside else f"; explain reads {read[0]} – {read[1]} around it"
        msg = (
            f"{text} starts on {monday}{reads}, outside the dates oncall-pay accepts, "
            f"{EARLIEST_DATE} to {LATEST_DATE}"
        )
        raise InputError(Problem(msg, field="--week"))
    # The pay week named by this ISO week starts on the policy's start day in it.
    return monday + timedelta(days=policy.week_start_weekday if policy else 0)


def _month_weeks(week_start: date, policy: Policy) -> tuple[date, date]:
    """The period whose pay weeks cover the month of ``week_start`` (as far
    as the rules go back), so the month's health is measured whole."""
    first = week_start.replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    start = week_start_of(first, policy.week_start_weekday)
    return max(start, policy.versions[0].effective_from), last


def _cmd_explain(args: argparse.Namespace) -> int:
    _ledger_cli.check_explain_ledger(args.ledger)  # a missing --ledger: say so before pricing
    monday = _parse_week(args.week, None)
    # Read the sources for the whole month around the week: its health is reported too.
    period = explain_read_period(monday)
    inputs = _load_inputs(args, period, (monday, monday + timedelta(days=6)))
    week_start = _parse_week(args.week, inputs.policy)
    by_id = {v.id: v for v in inputs.volunteers}
    if args.volunteer not in by_id:
        msg = f"volunteer {args.volunteer!r} is not in the roster {inputs.sources['Roster file']}"
        raise InputError(Problem(msg, field="--volunteer"))
    start, end = _month_weeks(week_start, inputs.policy)
    report = inputs.compute(
        min(start, week_start), end, progress=_progress(sys.stderr), workers=args.jobs
    )
    print(explain_statement(report, by_id[args.volunteer], week_start, inputs.policy))
    print()
    print(f"Team health: {health_line(report.health, f'{week_start:%Y-%m}')}")
    _ledger_cli.explain_ledger(args.ledger, args.volunteer, week_start)
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

    _check_period(args)
    problems: list[Problem] = []
    inputs, policy, sha = None, None, ""
    try:
        inputs = _load_inputs(args, (args.start, args.end), (args.start, args.end))
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
            reports.append(
                run.compute(args.start, args.end, progress=_progress(sys.stderr), workers=args.jobs)
            )
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


#: PagerDuty's API address (``oncall_pay.fetch.PAGERDUTY_API``, written out so
#: that building the parser does not load the HTTP client).
_PAGERDUTY_API = "https://api.pagerduty.com"


def _add_fetch(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fetch = sub.add_parser(
        "fetch",
        help="save an on-call API's answers for a pay period into a snapshot folder",
        description="Save every API answer a pay run of the period reads, unchanged, with a "
        "manifest.json (the query, the fetch time, each file's SHA-256); then price it with "
        "'oncall-pay export --snapshot DIR'. The token is read from an environment variable "
        "and is never printed or saved.",
    )  # fmt: skip
    services = fetch.add_subparsers(
        dest="service", required=True, metavar="SERVICE",
        help="the on-call tool to ask: pagerduty or grafana",
    )  # fmt: skip
    pd = services.add_parser("pagerduty", help="PagerDuty REST API v2")
    _add_fetch_options(pd, token_env="PD_TOKEN", base_url=_PAGERDUTY_API)
    _add_ids(pd, "--schedule", "schedules whose final schedule to save")
    _add_ids(pd, "--escalation-policy", "escalation policies whose on-calls to save")
    _add_ids(pd, "--team", "save only these teams' log entries (default: all)")
    pd.add_argument(
        "--no-log-entries", dest="log_entries", action="store_false",
        help="do not save log entries (who was paged); pages come from elsewhere",
    )  # fmt: skip
    pd.set_defaults(func=_cmd_fetch_pagerduty)
    grafana = services.add_parser("grafana", help="Grafana OnCall or Grafana Cloud IRM")
    _add_fetch_options(grafana, token_env="GRAFANA_ONCALL_TOKEN", base_url=None)
    _add_ids(grafana, "--schedule", "schedules whose final shifts to save", required=True)
    grafana.add_argument(
        "--grafana-url", metavar="URL",
        help="Grafana Cloud IRM: the stack's address (https://yours.grafana.net); the token "
        "is then a service account token, sent as Bearer",
    )  # fmt: skip
    grafana.set_defaults(func=_cmd_fetch_grafana)


def _add_ids(p: argparse.ArgumentParser, flag: str, help: str, *, required: bool = False) -> None:
    p.add_argument(
        flag, nargs="+", action="extend", default=[], metavar="ID", required=required, help=help
    )


def _add_fetch_options(p: argparse.ArgumentParser, *, token_env: str, base_url: str | None) -> None:
    p.add_argument(
        "--token-env", default=token_env, metavar="NAME",
        help=f"the environment variable holding the API token (default {token_env})",
    )  # fmt: skip
    p.add_argument(
        "--from", dest="start", required=True, type=iso_date, metavar="YYYY-MM-DD",
        help="the first date of the pay period to fetch for (a window around it is saved)",
    )  # fmt: skip
    p.add_argument(
        "--to", dest="end", required=True, type=iso_date, metavar="YYYY-MM-DD",
        help="the last date of the pay period to fetch for",
    )  # fmt: skip
    p.add_argument(
        "--out", required=True, type=Path, metavar="DIR",
        help="the snapshot folder to create (it must not exist, or be empty)",
    )  # fmt: skip
    if base_url is None:
        p.add_argument(
            "--base-url", required=True, metavar="URL",
            help="the OnCall API address shown in the OnCall (IRM) settings, e.g. "
            "https://oncall-prod-eu-west-0.grafana.net/oncall",
        )  # fmt: skip
    else:
        p.add_argument(
            "--base-url", default=base_url, metavar="URL",
            help=f"the API's address (default {base_url})",
        )  # fmt: skip
    p.add_argument(
        "--timeout", type=_seconds, default=30.0, metavar="SECONDS",
        help="give up on an answer after this long (default 30); retried like a 5xx",
    )  # fmt: skip
    p.add_argument(
        "--retries", type=_count, default=4, metavar="N",
        help="retry a rate-limited (429), failed (5xx) or timed-out request up to N times "
        "(default 4)",
    )  # fmt: skip
    p.add_argument(
        "--max-wait", type=_seconds, default=120.0, metavar="SECONDS",
        help="the longest single wait between retries, Retry-After included (default 120)",
    )  # fmt: skip


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        msg = f"expected a number of seconds above 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        msg = f"expected a whole number, 0 or more, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _token(name: str) -> str:
    """The API token from the environment variable ``name``; never shown."""
    token = os.environ.get(name, "").strip()
    if not token:
        msg = (
            f"the environment variable {name} is not set or empty; set it to the API token "
            f"(for example: read -rs {name} && export {name}), or name another with --token-env"
        )
        raise InputError(Problem(msg, field="--token-env"))
    return token


def _retry(args: argparse.Namespace) -> RetryPolicy:
    from .fetch import RetryPolicy

    return RetryPolicy(
        attempts=args.retries + 1, max_wait=args.max_wait, timeout=args.timeout,
        backoff=min(1.0, args.max_wait),
    )  # fmt: skip


def _fetched(manifest: Path, args: argparse.Namespace) -> int:
    folder = manifest.parent
    files = len([p for p in folder.iterdir() if p.name != manifest.name])
    print(f"Snapshot written: {folder} ({files} files; {manifest.name} lists each file's SHA-256)")
    print(
        f"Price it: oncall-pay export --snapshot {folder} --volunteers ROSTER.csv "
        f"--rules RULES.toml --from {args.start} --to {args.end} --output payroll.xlsx"
    )
    return EXIT_OK


def _cmd_fetch_pagerduty(args: argparse.Namespace) -> int:
    from .fetch import fetch_pagerduty

    _check_period(args)
    if not (args.schedule or args.escalation_policy or args.log_entries):
        msg = "nothing to fetch: give --schedule or --escalation-policy, or keep the log entries"
        raise InputError(Problem(msg, field="--no-log-entries"))
    manifest = fetch_pagerduty(
        args.out, token=_token(args.token_env), start=args.start, end=args.end,
        schedules=args.schedule, escalation_policies=args.escalation_policy,
        log_entries=args.log_entries, teams=args.team, base_url=args.base_url,
        token_env=args.token_env, retry=_retry(args),
        progress=print,
    )  # fmt: skip
    return _fetched(manifest, args)


def _cmd_fetch_grafana(args: argparse.Namespace) -> int:
    from .fetch import fetch_grafana

    _check_period(args)
    manifest = fetch_grafana(
        args.out, token=_token(args.token_env), base_url=args.base_url, start=args.start,
        end=args.end, schedules=args.schedule, grafana_url=args.grafana_url,
        token_env=args.token_env, retry=_retry(args),
        progress=print,
    )  # fmt: skip
    return _fetched(manifest, args)


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
        files={"shifts": files["shifts"], "pages": files["pages"]},
    )
    inputs = load_inputs(sources, DEMO_PERIOD)
    if args.inputs is not None:
        taken = [args.inputs / p.name for p in files.values() if (args.inputs / p.name).exists()]
        if taken:
            raise InputError(
                [Problem("already exists; not overwritten", source=str(t)) for t in taken]
            )
    report = inputs.compute(start, end, progress=_progress(sys.stderr))
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
