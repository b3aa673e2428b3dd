"""The ledger's commands: ``oncall-pay run …`` and ``toil …`` (docs/ledger.md).

``cli`` registers them with :func:`add_parsers`, handing over its own input
options, its reading of them and its progress display, so this module needs
nothing else from it (and ``cli`` stays the one entry point).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ._errors import InputError, Problem
from .pay_run import Sources, iso_date, load_inputs

if TYPE_CHECKING:
    from .ledger import InputFile, Ledger, RunRecord
    from .writers.statements import TimeOffBalance

__all__ = [
    "add_explain_option",
    "add_parsers",
    "add_statements_option",
    "check_explain_ledger",
    "explain_ledger",
    "toil_balances",
]

EXIT_OK, EXIT_BAD_INPUT = 0, 1

Progress = Callable[[int, int], None] | None


def add_explain_option(explain: argparse.ArgumentParser) -> None:
    """``explain --ledger``."""
    explain.add_argument(
        "--ledger", type=Path, default=None, metavar="PATH",
        help="also show what the ledger paid and adjusted for the week, and the TOIL balance "
        "(default $ONCALL_PAY_LEDGER, else ./oncall-pay.sqlite if it exists)",
    )  # fmt: skip


def add_statements_option(statements: argparse.ArgumentParser) -> None:
    """``statements --ledger``."""
    statements.add_argument(
        "--ledger", type=Path, default=None, metavar="PATH",
        help="print each volunteer's time off in lieu balance from this ledger "
        "(default $ONCALL_PAY_LEDGER, else ./oncall-pay.sqlite if it exists)",
    )  # fmt: skip


def toil_balances(given: Path | None) -> dict[str, TimeOffBalance] | None:
    """Every volunteer's TOIL balance in the ledger; ``None`` when no ledger is
    in use (no ``--ledger`` and no file where one is looked for)."""
    from .ledger import ledger_path
    from .writers.statements import TimeOffBalance

    path = ledger_path(given)
    if given is None and not path.exists():
        return None
    with _open_ledger(path) as ledger:
        out = {}
        for vid in ledger.toil_volunteers():
            b = ledger.toil_balance(vid)
            out[vid] = TimeOffBalance(earned=b.earned, taken=b.taken)
        return out


def _add_ledger(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ledger", type=Path, default=None, metavar="PATH",
        help="the ledger file (default $ONCALL_PAY_LEDGER, else ./oncall-pay.sqlite)",
    )  # fmt: skip


def _add_by(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    p.add_argument(
        "--by", required=required, default=None, metavar="NAME",
        help="who does it" + ("" if required else " (default: your login name)"),
    )  # fmt: skip


def _run_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a run number such as 3, got {text!r}")
    return value


def _decimal(text: str) -> Decimal:
    from ._money import parse_decimal

    try:
        return parse_decimal(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    add_inputs: Callable[[argparse.ArgumentParser], None],
    sources: Callable[[argparse.Namespace], Sources],
    progress: Callable[[TextIO], Progress],
) -> None:
    """Add ``run`` and ``toil`` with their steps.

    Args:
        sub: The command's subparsers.
        add_inputs: Adds the input options (roster, rules, sources, period, jobs).
        sources: Reads them back from the parsed arguments.
        progress: The progress display for pricing, on a stream.
    """
    run = sub.add_parser("run", help="pay runs kept in the ledger: create, approve, lock, adjust")
    steps = run.add_subparsers(
        dest="step", required=True, metavar="STEP",
        help="create, list, show, approve, lock, discard, adjust or schema",
    )  # fmt: skip

    create = steps.add_parser(
        "create", help="price a period and store it as a draft run, with arrears for paid weeks"
    )
    add_inputs(create)
    create.add_argument(
        "--arrears-from", type=iso_date, default=None, metavar="YYYY-MM-DD",
        help="also re-price the pay weeks from this date (before --from) that locked runs "
        "paid, and pay only the differences, as arrears",
    )  # fmt: skip
    create.add_argument("--output", type=Path, default=None, help="also write its workbook")
    _add_by(create)
    _add_ledger(create)
    create.set_defaults(func=partial(_cmd_run_create, sources=sources, progress=progress))

    schema = steps.add_parser(
        "schema", help="print the ledger's tables as SQL, to create them on PostgreSQL"
    )
    schema.set_defaults(func=_cmd_run_schema)

    listing = steps.add_parser("list", help="list the runs of the ledger")
    _add_ledger(listing)
    listing.set_defaults(func=_cmd_run_list)

    show = steps.add_parser("show", help="show one run; --output writes its workbook")
    show.add_argument(
        "run", type=_run_id, metavar="RUN", help="the number of the run to show (see 'run list')"
    )
    show.add_argument("--output", type=Path, default=None, help="write the run's workbook")
    _add_ledger(show)
    show.set_defaults(func=_cmd_run_show)

    approve = steps.add_parser("approve", help="record who approved a draft run")
    approve.add_argument(
        "run", type=_run_id, metavar="RUN", help="the number of the draft run to approve"
    )
    _add_by(approve, required=True)
    _add_ledger(approve)
    approve.set_defaults(func=_cmd_run_approve)

    lock = steps.add_parser("lock", help="lock an approved run: paid, never changed again")
    lock.add_argument(
        "run", type=_run_id, metavar="RUN", help="the number of the approved run to lock"
    )
    _add_by(lock)
    _add_ledger(lock)
    lock.set_defaults(func=_cmd_run_lock)

    discard = steps.add_parser("discard", help="discard a draft or approved run (kept, marked)")
    discard.add_argument(
        "run",
        type=_run_id,
        metavar="RUN",
        help="the number of the draft or approved run to discard",
    )
    discard.add_argument(
        "--reason", required=True, help="why the run is discarded (kept in its trail)"
    )
    _add_by(discard)
    _add_ledger(discard)
    discard.set_defaults(func=_cmd_run_discard)

    adjust = steps.add_parser(
        "adjust", help="add a manual adjustment to a draft run (default: the open one)"
    )
    adjust.add_argument(
        "run", type=_run_id, metavar="RUN", nargs="?", default=None,
        help="the draft run to add it to (default: the open draft)",
    )  # fmt: skip
    adjust.add_argument("--volunteer", required=True, help="the roster id of who is adjusted")
    adjust.add_argument(
        "--week", required=True, metavar="YYYY-Www", help="the pay week it belongs to (ISO week)"
    )
    adjust.add_argument(
        "--amount", required=True, type=_decimal, metavar="12.50",
        help="the amount, in the week's currency; negative to take back",
    )  # fmt: skip
    adjust.add_argument(
        "--reason", required=True, help="why, as payroll and the person will read it"
    )
    adjust.add_argument("--currency", default=None, metavar="CODE",
                        help="default: the volunteer's currency for that week")  # fmt: skip
    _add_by(adjust)
    _add_ledger(adjust)
    adjust.set_defaults(func=_cmd_run_adjust)

    toil = sub.add_parser("toil", help="time off in lieu: record days taken, show balances")
    toil_steps = toil.add_subparsers(
        dest="step", required=True, metavar="STEP", help="take or balance"
    )
    take = toil_steps.add_parser("take", help="record days of time off in lieu taken")
    take.add_argument("--volunteer", required=True, help="the roster id of who took the time off")
    take.add_argument(
        "--days", required=True, type=_decimal, metavar="0.5",
        help="how many days were taken (at most the balance)",
    )  # fmt: skip
    take.add_argument("--on", type=iso_date, default=None, metavar="YYYY-MM-DD",
                      help="the day taken (default today)")  # fmt: skip
    take.add_argument("--note", default="", help="a note kept with the record (optional)")
    _add_by(take)
    _add_ledger(take)
    take.set_defaults(func=_cmd_toil_take)
    balance = toil_steps.add_parser("balance", help="time off in lieu earned, taken and left")
    balance.add_argument(
        "--volunteer", default=None, help="show only this volunteer (default: everyone)"
    )
    _add_ledger(balance)
    balance.set_defaults(func=_cmd_toil_balance)


def _who(given: str | None) -> str:
    if given:
        return str(given)
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name: say so rather than guess
        return "unknown"


def _open_ledger(given: Path | None, *, create: bool = False) -> Ledger:
    from .ledger import Ledger, LedgerError, ledger_path

    path = ledger_path(given)
    if not create and not path.exists():
        msg = (
            f"no ledger at {path}: create a run first (oncall-pay run create …), or name "
            "the ledger with --ledger PATH or ONCALL_PAY_LEDGER"
        )
        raise LedgerError(msg)
    return Ledger(path)


def _cmd_run_create(
    args: argparse.Namespace,
    *,
    sources: Callable[[argparse.Namespace], Sources],
    progress: Callable[[TextIO], Progress],
) -> int:
    if args.start > args.end:
        msg = f"--from {args.start} is after --to {args.end}"
        raise InputError(Problem(msg, field="--from"))
    if args.arrears_from is not None and args.arrears_from > args.start:
        msg = f"--arrears-from {args.arrears_from} is after --from {args.start}"
        raise InputError(Problem(msg, field="--arrears-from"))
    start = args.start if args.arrears_from is None else args.arrears_from
    given = sources(args)
    files = _hashed(given)
    inputs = load_inputs(given, (start, args.end))
    rules_bytes = _read_bytes(given.rules)
    # The files must not change while they are read: the hashes recorded are
    # those of the bytes that were priced.
    if _hashed(given) != files or hashlib.sha256(rules_bytes).hexdigest() != inputs.rules_sha256:
        msg = "an input file changed while the run was being read; nothing was stored, run it again"
        raise InputError(Problem(msg))
    report = inputs.compute(start, args.end, progress=progress(sys.stderr), workers=args.jobs)
    with _open_ledger(args.ledger, create=True) as ledger:
        run_id, arrears = ledger.create_run(
            report, inputs=files, rules_path=str(given.rules),
            rules_sha256=inputs.rules_sha256, rules_text=rules_bytes.decode("utf-8"),
            by=_who(args.by), arrears_from=args.arrears_from,
        )  # fmt: skip
        record = ledger.run(run_id)
        print(f"Run {run_id} created as a draft in {ledger.path}")
        _print_run(record, sys.stdout)
        for a in arrears:
            print(f"  arrears {a.volunteer_id} {a.week}: {a.amount:+,} {a.currency} ({a.reason})")
        if args.output is not None:
            try:
                _write_run_workbook(ledger, run_id, args.output)
            except OSError as error:
                print(
                    f"error: run {run_id} was stored as a draft, but its workbook could not be "
                    f"written to {args.output}: {error.strerror}. Write it with: "
                    f"oncall-pay run show {run_id} --output PATH",
                    file=sys.stderr,
                )
                return EXIT_BAD_INPUT
            print(f"Written: {args.output}")
    return EXIT_OK


def _hashed(sources: Sources) -> tuple[InputFile, ...]:
    from .ledger import hash_inputs

    try:
        return hash_inputs(sources)
    except OSError as error:
        msg = f"cannot read the file: {error.strerror}"
        raise InputError(Problem(msg, source=str(error.filename))) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        msg = f"cannot read the file: {error.strerror}"
        raise InputError(Problem(msg, source=str(path))) from None


def _print_run(record: RunRecord, out: TextIO) -> None:
    print(
        f"Run {record.id} [{record.status}] {record.period_start} – {record.period_end}, "
        f"rules {record.policy_name!r} (SHA-256 {record.rules_sha256[:12]}…)",
        file=out,
    )
    if record.arrears_from is not None:
        print(f"  paid weeks re-checked from {record.arrears_from}", file=out)
    if record.rechecked:
        print(f"  {len(record.rechecked)} pay weeks paid before ({record.rechecked[0]} – "
              f"{record.rechecked[-1]}): arrears only", file=out)  # fmt: skip
    print(f"  {record.statements} weekly statements paid in full, "
          f"{record.adjustments} adjustments", file=out)  # fmt: skip
    for currency, total in record.totals.items():
        print(f"  Total {currency}: {total:,}", file=out)


def _cmd_run_schema(_: argparse.Namespace) -> int:
    from .ledger import schema_sql

    print(schema_sql(), end="")
    return EXIT_OK


def _cmd_run_list(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        runs = ledger.runs()
        if not runs:
            print(f"No runs in {ledger.path}.")
        for record in runs:
            totals = ", ".join(f"{t:,} {c}" for c, t in record.totals.items()) or "nothing"
            print(
                f"{record.id:>4}  {record.status:<9}  {record.period_start} – "
                f"{record.period_end}  {totals}  (created {record.created_at} by "
                f"{record.created_by})"
            )
    return EXIT_OK


def _cmd_run_show(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        record = ledger.run(args.run)
        _print_run(record, sys.stdout)
        print("  Trail:")
        for event in record.events:
            detail = f" ({event.detail})" if event.detail else ""
            print(f"    {event.at} {event.action} by {event.by}{detail}")
        print("  Inputs:")
        for item in record.inputs:
            print(f"    {item.kind}: {item.path} SHA-256 {item.sha256}")
        adjustments = ledger.adjustments(args.run)
        if adjustments:
            print("  Adjustments:")
            for a in adjustments:
                print(f"    {a.source} {a.volunteer_id} {a.week}: {a.amount:+,} {a.currency} — "
                      f"{a.reason} (by {a.by} at {a.at})")  # fmt: skip
        if args.output is not None:
            _write_run_workbook(ledger, args.run, args.output)
            print(f"Written: {args.output}")
    return EXIT_OK


def _cmd_run_approve(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        ledger.approve(args.run, by=args.by)
        print(f"Run {args.run} approved by {args.by}.")
    return EXIT_OK


def _cmd_run_lock(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        ledger.lock(args.run, by=_who(args.by))
        print(f"Run {args.run} locked: it is paid and will not change.")
    return EXIT_OK


def _cmd_run_discard(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        ledger.discard(args.run, by=_who(args.by), reason=args.reason)
        print(f"Run {args.run} discarded.")
    return EXIT_OK


def _cmd_run_adjust(args: argparse.Namespace) -> int:
    from .ledger import LedgerError

    with _open_ledger(args.ledger) as ledger:
        run_id = args.run
        if run_id is None:
            open_runs = [r.id for r in ledger.runs() if r.status in ("draft", "approved")]
            if not open_runs:
                msg = "no draft run to adjust: create one first (oncall-pay run create …)"
                raise LedgerError(msg)
            run_id = open_runs[-1]
        before = ledger.run(run_id).status
        adj = ledger.adjust(
            run_id, volunteer_id=args.volunteer, week=args.week, amount=args.amount,
            reason=args.reason, by=_who(args.by), currency=args.currency,
        )  # fmt: skip
        print(f"Run {run_id}: adjustment {adj.volunteer_id} {adj.week} {adj.amount:+,} "
              f"{adj.currency} ({adj.reason}) recorded by {adj.by} at {adj.at}")  # fmt: skip
        if before == "approved":
            print(f"Run {run_id} is a draft again: its approval was withdrawn; approve it again.")
    return EXIT_OK


def _cmd_toil_take(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        on = args.on or datetime.now(UTC).date()
        after = ledger.take_toil(args.volunteer, days=args.days, taken_on=on,
                                 by=_who(args.by), note=args.note)  # fmt: skip
        print(f"{args.volunteer}: {args.days} day(s) of time off in lieu taken on {on}; "
              f"balance {after.balance} day(s).")  # fmt: skip
    return EXIT_OK


def _cmd_toil_balance(args: argparse.Namespace) -> int:
    with _open_ledger(args.ledger) as ledger:
        who = [args.volunteer] if args.volunteer else ledger.toil_volunteers()
        if not who:
            print("No time off in lieu earned or taken yet.")
        for vid in who:
            b = ledger.toil_balance(vid)
            print(f"{vid}: earned {b.earned} day(s) in locked runs, taken {b.taken}, "
                  f"balance {b.balance}")  # fmt: skip
            if args.volunteer:
                for on, days, note, by in ledger.toil_taken(vid):
                    print(f"  taken {on}: {days} day(s){' — ' + note if note else ''} "
                          f"(recorded by {by})")  # fmt: skip
    return EXIT_OK


def _write_run_workbook(ledger: Ledger, run_id: int, output: Path) -> None:
    from .writers._ledger_sheets import LedgerSheets, LedgerToil
    from .writers.workbook import write_workbook

    record = ledger.run(run_id)
    report = ledger.report(run_id)
    adjustments = tuple(ledger.adjustments(run_id))
    here = ledger.toil_earned_in(run_id)
    toil = []
    for vid in sorted(set(ledger.toil_volunteers()) | set(here)):
        before = ledger.toil_balance(vid, besides=run_id)
        if before.earned or before.taken or here.get(vid):
            toil.append(LedgerToil(vid, before.earned, here.get(vid, Decimal(0)), before.taken))
    run_info = {
        "Rules SHA-256": record.rules_sha256,
        "Rules file": record.rules_path,
        **record.run_info(),
    }
    write_workbook(report, output, run_info=run_info, ledger=LedgerSheets(adjustments, tuple(toil)))


def check_explain_ledger(given: Path | None) -> None:
    """Refuse an ``explain --ledger`` that names no file, before anything is priced."""
    if given is not None:
        _open_ledger(given).close()


def explain_ledger(given: Path | None, volunteer_id: str, week_start: date) -> None:
    """Print what the ledger holds for one volunteer and week, and their TOIL balance;
    nothing when no ledger is in use (no ``--ledger`` and no file where one is looked for)."""
    from .ledger import ledger_path

    path = ledger_path(given)
    if given is None and not path.exists():
        return  # no ledger in use here
    with _open_ledger(path) as ledger:
        print()
        print(f"Ledger ({ledger.path}):")
        entries = ledger.week(volunteer_id, week_start)
        if not entries:
            print("  no run holds this week for this volunteer")
        for entry in entries:
            if entry.statement_total is not None:
                print(f"  run {entry.run_id} [{entry.status}]: statement "
                      f"{entry.statement_total:,} {entry.currency}")  # fmt: skip
            for a in entry.adjustments:
                print(f"  run {entry.run_id} [{entry.status}]: {a.source} adjustment "
                      f"{a.amount:+,} {a.currency} — {a.reason} (by {a.by} at {a.at})")  # fmt: skip
        b = ledger.toil_balance(volunteer_id)
        print(f"Time off in lieu: earned {b.earned} day(s) in locked runs, taken {b.taken}, "
              f"balance {b.balance}")  # fmt: skip
