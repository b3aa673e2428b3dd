"""The ledger database: pay runs, their lines, adjustments, approvals, time off.

One SQLite file (the standard library's ``sqlite3``) in WAL mode. Every
change is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a process
killed half way leaves the database as it was before the change began.
A locked run is never changed again; every method that changes a run checks
its status inside the same transaction that makes the change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from .._errors import OncallPayError
from .._money import is_currency, minor_unit
from .._report import Report
from .._weeks import iso_week
from ._arrears import Arrears, Paid, split_report
from ._restore import restore_report
from ._schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "Adjustment",
    "Event",
    "InputFile",
    "Ledger",
    "LedgerError",
    "RunRecord",
    "ToilBalance",
    "WeekEntry",
]

Status = Literal["draft", "approved", "locked", "discarded"]
_OPEN: Final = ("draft", "approved")


class LedgerError(OncallPayError, ValueError):
    """The ledger refused a change (a locked run, a wrong status, an unknown run …)."""


@attrs.frozen
class InputFile:
    """One input file of a run, as recorded: its kind, path and SHA-256."""

    kind: str
    path: str
    sha256: str


@attrs.frozen
class Event:
    """One step of a run's trail: ``created``, ``approved``, ``approval withdrawn``,
    ``adjusted``, ``locked`` or ``discarded``, by whom, when, and a detail."""

    action: str
    by: str
    at: str
    detail: str


@attrs.frozen
class Adjustment:
    """One adjustment of a run: arrears (computed) or manual.

    Attributes:
        source: ``arrears`` or ``manual``.
        volunteer_id: Who.
        week: The ISO week adjusted.
        week_start: Its first local date.
        currency: The currency.
        amount: Positive or negative.
        toil_days: Time off in lieu adjusted (arrears only).
        original_run: The run that first paid the week (arrears), else ``None``.
        reason: Why.
        by: Who recorded it.
        at: When (UTC, ISO 8601).
    """

    source: str
    volunteer_id: str
    week: str
    week_start: date
    currency: str
    amount: Decimal
    toil_days: Decimal
    original_run: int | None
    reason: str
    by: str
    at: str


@attrs.frozen
class RunRecord:
    """A run as the ledger holds it.

    Attributes:
        id: The run number.
        status: ``draft``, ``approved``, ``locked`` or ``discarded``.
        period_start: The first date priced (``arrears_from`` if given).
        period_end: The last date priced.
        arrears_from: Where re-pricing of paid weeks began, if the run was
            created with ``--arrears-from``; its pay period then starts later.
        created_at: When it was created (UTC).
        created_by: Who created it.
        software_version: The ``oncall-pay`` version that priced it.
        policy_name: The rules' name.
        rules_path: The rules file as given.
        rules_sha256: The SHA-256 of the rules file's bytes.
        inputs: Every input file with its SHA-256.
        events: The trail, oldest first.
        totals: Per currency: statements plus adjustments.
        statements: How many weekly statements it pays in full.
        adjustments: How many adjustments it holds.
        rechecked: The ISO weeks it priced that an earlier locked run had
            paid: for these it pays only arrears.
    """

    id: int
    status: str
    period_start: date
    period_end: date
    arrears_from: date | None
    created_at: str
    created_by: str
    software_version: str
    policy_name: str
    rules_path: str
    rules_sha256: str
    inputs: tuple[InputFile, ...]
    events: tuple[Event, ...]
    totals: dict[str, Decimal]
    statements: int
    adjustments: int
    rechecked: tuple[str, ...] = ()

    def run_info(self) -> dict[str, str]:
        """The Run sheet rows of the ledger: status, the trail, every input's SHA-256."""
        info = {
            "Ledger run": str(self.id),
            "Ledger status": self.status,
            "Created": f"{self.created_at} by {self.created_by}",
            **(
                {"Arrears re-checked from": self.arrears_from.isoformat()}
                if self.arrears_from is not None
                else {}
            ),
            **(
                {
                    "Pay weeks paid before (arrears only)": (
                        f"{self.rechecked[0]} – {self.rechecked[-1]} ({len(self.rechecked)})"
                    )
                }
                if self.rechecked
                else {}
            ),
            "Priced by oncall_pay version": self.software_version,
        }
        for n, event in enumerate(self.events, 1):
            detail = f" ({event.detail})" if event.detail else ""
            info[f"Trail {n}: {event.action}"] = f"{event.at} by {event.by}{detail}"
        for item in self.inputs:
            info[f"SHA-256 of {item.path}"] = f"{item.sha256} ({item.kind})"
        return info


@attrs.frozen
class ToilBalance:
    """Time off in lieu of one volunteer, in days.

    Attributes:
        volunteer_id: Who.
        earned: Accrued in locked runs (interrupted weekends and their arrears).
        taken: Recorded with ``toil take``.
        balance: ``earned - taken``.
    """

    volunteer_id: str
    earned: Decimal
    taken: Decimal

    @property
    def balance(self) -> Decimal:
        """What is left to take."""
        return self.earned - self.taken


@attrs.frozen
class WeekEntry:
    """What one run holds for a volunteer and week: its statement total and adjustments."""

    run_id: int
    status: str
    currency: str | None
    statement_total: Decimal | None
    adjustments: tuple[Adjustment, ...]


def software_version() -> str:
    """The installed ``oncall-pay`` version."""
    try:
        return version("oncall-pay")
    except PackageNotFoundError:  # pragma: no cover - only from a source tree
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dec(text: str | None) -> Decimal:
    return Decimal(text) if text is not None else Decimal(0)


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class Ledger:
    """A pay-run ledger in one SQLite file; use as a context manager.

    Args:
        path: The database file; created (with its tables) if missing.
        clock: Gives the time recorded for each change (UTC, ISO 8601);
            tests pin it.

    Raises:
        LedgerError: The file is not a ledger, or was written by a newer
            ``oncall-pay`` (a schema version this code does not know).
    """

    def __init__(self, path: str | Path, *, clock: Any = _now) -> None:
        self.path = Path(path)
        self._clock = clock
        if str(self.path) != ":memory:" and not self.path.parent.is_dir():
            msg = f"{self.path}: cannot make the ledger here, there is no folder {self.path.parent}"
            raise LedgerError(msg)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            msg = f"{self.path}: not a pay-run ledger ({error})"
            raise LedgerError(msg) from None

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it or none of it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _applied(self, db: sqlite3.Connection) -> set[int]:
        have = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if not have:
            return set()
        return {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations")}

    def _migrate(self) -> None:
        """Apply the missing migrations, all in one transaction; a file already
        at the current version is only read (no write lock is taken)."""
        wanted = {number for number, _, _ in MIGRATIONS}
        if wanted <= self._applied(self._db) and max(self._applied(self._db)) <= SCHEMA_VERSION:
            return
        with self._write() as db:
            done = self._applied(db)  # again, under the write lock
            newer = [v for v in done if v > SCHEMA_VERSION]
            if newer:
                msg = (
                    f"{self.path}: the ledger has schema version {max(newer)}, written by a "
                    f"newer oncall-pay; this one knows up to version {SCHEMA_VERSION}"
                )
                raise LedgerError(msg)
            for number, description, statements in MIGRATIONS:
                if number in done:
                    continue
                for statement in statements:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    (number, description, self._clock()),
                )

    def schema_version(self) -> int:
        """The newest migration applied to this file."""
        row = self._db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0])

    def _status(self, db: sqlite3.Connection, run_id: int) -> str:
        row = db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            msg = f"there is no run {run_id} in {self.path}"
            raise LedgerError(msg)
        return str(row[0])

    def _refuse_unless_open(self, db: sqlite3.Connection, run_id: int, what: str) -> str:
        status = self._status(db, run_id)
        if status == "locked":
            locked = self._events(db, run_id)
            when = next((f" by {e.by} at {e.at}" for e in reversed(locked)
                         if e.action == "locked"), "")  # fmt: skip
            msg = (
                f"run {run_id} is locked{when} and cannot be changed, so {what} is refused. "
                "A correction goes into a new run, as arrears or a manual adjustment."
            )
            raise LedgerError(msg)
        if status == "discarded":
            msg = f"run {run_id} was discarded and cannot be changed, so {what} is refused"
            raise LedgerError(msg)
        return status

    def _event(
        self, db: sqlite3.Connection, run_id: int, action: str, by: str, detail: str = ""
    ) -> None:
        (n,) = db.execute(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM run_events WHERE run_id = ?", (run_id,)
        ).fetchone()
        db.execute(
            "INSERT INTO run_events (run_id, position, action, done_by, done_at, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, n, action, by, self._clock(), detail),
        )

    def _events(self, db: sqlite3.Connection, run_id: int) -> list[Event]:
        return [
            Event(*row)
            for row in db.execute(
                "SELECT action, done_by, done_at, detail FROM run_events WHERE run_id = ? "
                "ORDER BY position",
                (run_id,),
            )
        ]

    # -- creating a run --------------------------------------------------------

    def create_run(
        self,
        report: Report,
        *,
        inputs: Sequence[InputFile],
        rules_path: str,
        rules_sha256: str,
        rules_text: str,
        by: str,
        arrears_from: date | None = None,
    ) -> tuple[int, tuple[Arrears, ...]]:
        """Store a fresh report as a draft run, with arrears for weeks locked runs paid.

        Args:
            report: ``Inputs.compute`` of the run's period.
            inputs: Every input file with its SHA-256.
            rules_path: The rules file as given.
            rules_sha256: Its SHA-256.
            rules_text: Its text, kept with the run.
            by: Who creates the run.
            arrears_from: Recorded when the period was started early to
                re-price paid weeks (the command's ``--arrears-from``).

        Returns:
            The new run's number and its arrears adjustments.

        Raises:
            LedgerError: A draft or approved run already reports one of the
                pay weeks (lock or discard it first).
        """
        weeks = sorted(report.week_starts)
        with self._write() as db:
            self._refuse_overlapping_open_runs(db, weeks)
            span = (weeks[0], weeks[-1]) if weeks else None
            self._refuse_shifted_weeks(db, weeks)
            covered = self._covered(db, span)
            paid = self._paid(db, span)
            new, arrears = split_report(report, paid, covered)
            (run_id,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM runs").fetchone()
            db.execute(
                "INSERT INTO runs (id, status, period_start, period_end, arrears_from, created_at,"
                " created_by, software_version, policy_name, rules_path, rules_sha256,"
                " rules_text, report_json) VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id, report.period_start.isoformat(), report.period_end.isoformat(),
                    None if arrears_from is None else arrears_from.isoformat(), self._clock(),
                    by, software_version(), report.policy_name, rules_path,
                    rules_sha256, rules_text, new.to_json(indent=None),
                ),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO run_inputs (run_id, position, kind, path, sha256) "
                "VALUES (?, ?, ?, ?, ?)",
                [(run_id, n, f.kind, f.path, f.sha256) for n, f in enumerate(inputs, 1)],
            )
            db.executemany(
                "INSERT INTO run_weeks (run_id, week_start, week) VALUES (?, ?, ?)",
                [(run_id, w.isoformat(), iso_week(w)) for w in weeks],
            )
            self._insert_statements(db, run_id, new)
            at = self._clock()
            db.executemany(
                "INSERT INTO adjustments (run_id, position, source, volunteer_id, week_start,"
                " week, currency, amount, toil_days, original_run_id, reason, created_by,"
                " created_at) VALUES (?, ?, 'arrears', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id, n, a.volunteer_id, a.week_start.isoformat(), a.week,
                        a.currency, str(a.amount), str(a.toil_days), a.original_run,
                        a.reason, by, at,
                    )
                    for n, a in enumerate(arrears, 1)
                ],
            )  # fmt: skip
            detail = f"{len(new.statements)} statements, {len(arrears)} arrears adjustments"
            self._event(db, run_id, "created", by, detail)
        return int(run_id), arrears

    def _insert_statements(self, db: sqlite3.Connection, run_id: int, report: Report) -> None:
        db.executemany(
            "INSERT INTO statements (run_id, volunteer_id, week_start, week, currency,"
            " rules_version, plan, total, toil_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id, st.volunteer_id, st.week_start.isoformat(), st.week, st.currency,
                    st.rules_version.isoformat(), st.plan, str(st.total), str(st.toil_days),
                )
                for st in report.statements
            ],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO lines (run_id, volunteer_id, week_start, position, kind, category,"
            " quantity, unit, rate, multiplier, amount, tier)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id, st.volunteer_id, st.week_start.isoformat(), n, li.kind, li.category,
                    str(li.quantity), li.unit, _opt(li.rate), _opt(li.multiplier),
                    str(li.amount), li.tier,
                )
                for st in report.statements
                for n, li in enumerate(st.lines, 1)
            ],
        )  # fmt: skip

    def _refuse_overlapping_open_runs(self, db: sqlite3.Connection, weeks: Sequence[date]) -> None:
        wanted = {w.isoformat() for w in weeks}
        rows = db.execute(
            "SELECT r.id, r.status, w.week_start, w.week FROM run_weeks w "
            "JOIN runs r ON r.id = w.run_id WHERE r.status IN ('draft', 'approved') "
            "ORDER BY r.id, w.week_start"
        ).fetchall()
        for run_id, status, week_start, week in rows:
            if week_start in wanted:
                msg = (
                    f"run {run_id} ({status}) also reports pay week {week}: lock it "
                    f"(run approve {run_id} --by NAME, then run lock {run_id}) or discard it "
                    f"(run discard {run_id}) before creating another run over that week"
                )
                raise LedgerError(msg)

    def _refuse_shifted_weeks(self, db: sqlite3.Connection, weeks: Sequence[date]) -> None:
        """Pay weeks that start on another weekday than those locked runs paid would
        overlap them without matching: every week would look unpaid and be paid again."""
        if not weeks:
            return
        low, high = weeks[0] - timedelta(days=6), weeks[-1] + timedelta(days=6)
        for run_id, week_start in db.execute(
            "SELECT w.run_id, w.week_start FROM run_weeks w JOIN runs r ON r.id = w.run_id "
            "WHERE r.status = 'locked' AND w.week_start >= ? AND w.week_start <= ? "
            "ORDER BY w.run_id",
            (low.isoformat(), high.isoformat()),
        ):
            paid = date.fromisoformat(week_start)
            if paid.weekday() != weeks[0].weekday():
                msg = (
                    f"run {run_id} paid pay weeks starting on a {paid:%A} ({paid}); this run's "
                    f"start on a {weeks[0]:%A}: the weeks would overlap without matching and "
                    "be paid twice. Keep week_starts_on as it was for periods already paid."
                )
                raise LedgerError(msg)

    def _covered(self, db: sqlite3.Connection, span: tuple[date, date] | None) -> dict[date, int]:
        """The pay weeks of ``span`` that locked runs reported, with the first such run."""
        if span is None:
            return {}
        return {
            date.fromisoformat(week_start): int(first)
            for week_start, first in db.execute(
                "SELECT w.week_start, MIN(w.run_id) FROM run_weeks w JOIN runs r "
                "ON r.id = w.run_id WHERE r.status = 'locked' AND w.week_start >= ? "
                "AND w.week_start <= ? GROUP BY w.week_start",
                (span[0].isoformat(), span[1].isoformat()),
            )
        }

    def _paid(self, db: sqlite3.Connection, span: tuple[date, date] | None) -> list[Paid]:
        """What locked runs paid for the pay weeks of ``span`` (ISO dates sort as text)."""
        if span is None:
            return []
        sums: dict[tuple[str, str, str], list[Decimal]] = {}
        first, last = span[0].isoformat(), span[1].isoformat()
        rows = db.execute(
            "SELECT s.volunteer_id, s.week_start, s.currency, s.total, s.toil_days "
            "FROM statements s JOIN runs r ON r.id = s.run_id WHERE r.status = 'locked' "
            "AND s.week_start >= ? AND s.week_start <= ? "
            "UNION ALL "
            "SELECT a.volunteer_id, a.week_start, a.currency, a.amount, a.toil_days "
            "FROM adjustments a JOIN runs r ON r.id = a.run_id "
            "WHERE r.status = 'locked' AND a.source = 'arrears' "
            "AND a.week_start >= ? AND a.week_start <= ?",
            (first, last, first, last),
        )
        for vid, week_start, currency, amount, toil in rows:
            entry = sums.setdefault((vid, week_start, currency), [Decimal(0), Decimal(0)])
            entry[0] += Decimal(amount)
            entry[1] += Decimal(toil)
        return [
            Paid(vid, date.fromisoformat(ws), cur, amount, toil)
            for (vid, ws, cur), (amount, toil) in sorted(sums.items())
        ]

    # -- the steps of a run ----------------------------------------------------

    def approve(self, run_id: int, *, by: str) -> None:
        """Record who approved a draft run, and when.

        Raises:
            LedgerError: No such run, or it is not a draft.
        """
        if not by.strip():
            msg = "an approval needs the approver's name (--by NAME)"
            raise LedgerError(msg)
        with self._write() as db:
            status = self._refuse_unless_open(db, run_id, "approval")
            if status == "approved":
                last = [e for e in self._events(db, run_id) if e.action == "approved"][-1]
                msg = f"run {run_id} is already approved (by {last.by} at {last.at})"
                raise LedgerError(msg)
            db.execute("UPDATE runs SET status = 'approved' WHERE id = ?", (run_id,))
            self._event(db, run_id, "approved", by)

    def lock(self, run_id: int, *, by: str) -> None:
        """Lock an approved run: it is paid, and never changes again.

        Raises:
            LedgerError: No such run, it is not approved, or already locked.
        """
        with self._write() as db:
            status = self._refuse_unless_open(db, run_id, "locking")
            if status != "approved":
                msg = (
                    f"run {run_id} is a draft: approve it first "
                    f"(run approve {run_id} --by NAME), then lock it"
                )
                raise LedgerError(msg)
            db.execute("UPDATE runs SET status = 'locked' WHERE id = ?", (run_id,))
            self._event(db, run_id, "locked", by)

    def discard(self, run_id: int, *, by: str, reason: str) -> None:
        """Discard a draft or approved run (kept, marked discarded, for the audit trail).

        Raises:
            LedgerError: No such run, or it is locked or already discarded.
        """
        with self._write() as db:
            self._refuse_unless_open(db, run_id, "discarding")
            db.execute("UPDATE runs SET status = 'discarded' WHERE id = ?", (run_id,))
            self._event(db, run_id, "discarded", by, reason)

    def adjust(
        self,
        run_id: int,
        *,
        volunteer_id: str,
        week: str,
        amount: Decimal,
        reason: str,
        by: str,
        currency: str | None = None,
    ) -> Adjustment:
        """Add a manual adjustment to a draft or approved run.

        An approved run goes back to draft (its approval is withdrawn, and the
        trail says so): what was approved is no longer what would be paid.

        Args:
            run_id: The run.
            volunteer_id: Who.
            week: The ISO week it concerns, e.g. ``2026-W47``: a pay week some
                run of the ledger reported.
            amount: Positive or negative, in the currency's minor unit at most.
            reason: Why; required.
            by: Who records it.
            currency: Defaults to the currency the volunteer was paid in for
                that week (or most recently).

        Raises:
            LedgerError: The run cannot change, the week or currency is
                unknown, the amount is zero or finer than the currency's
                minor unit, or the reason is empty.
        """
        if not reason.strip():
            msg = "an adjustment needs a reason (--reason)"
            raise LedgerError(msg)
        if amount == 0:
            msg = "an adjustment of 0 changes nothing; give a positive or negative --amount"
            raise LedgerError(msg)
        with self._write() as db:
            status = self._refuse_unless_open(db, run_id, "an adjustment")
            self._refuse_unknown_volunteer(db, run_id, volunteer_id)
            week_start = self._week_start(db, week)
            code = currency or self._currency_of(db, volunteer_id, week_start)
            if not is_currency(code):
                msg = f"{code!r} is not an ISO 4217 currency code"
                raise LedgerError(msg)
            places = minor_unit(code)
            if amount != amount.quantize(Decimal(1).scaleb(-places)):
                msg = f"{amount} has more decimal places than {code} has ({places})"
                raise LedgerError(msg)
            amount = amount.quantize(Decimal(1).scaleb(-places))
            if status == "approved":
                db.execute("UPDATE runs SET status = 'draft' WHERE id = ?", (run_id,))
                self._event(db, run_id, "approval withdrawn", by, "the run was adjusted")
            (n,) = db.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM adjustments WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            at = self._clock()
            db.execute(
                "INSERT INTO adjustments (run_id, position, source, volunteer_id, week_start,"
                " week, currency, amount, toil_days, original_run_id, reason, created_by,"
                " created_at) VALUES (?, ?, 'manual', ?, ?, ?, ?, ?, '0', NULL, ?, ?, ?)",
                (run_id, n, volunteer_id, week_start.isoformat(), week, code, str(amount),
                 reason, by, at),
            )  # fmt: skip
            self._event(db, run_id, "adjusted", by, f"{volunteer_id} {week} {amount} {code}")
        return Adjustment(
            "manual", volunteer_id, week, week_start, code, amount, Decimal(0), None, reason,
            by, at,
        )  # fmt: skip

    def _refuse_unknown_volunteer(
        self, db: sqlite3.Connection, run_id: int, volunteer_id: str
    ) -> None:
        (text,) = db.execute("SELECT report_json FROM runs WHERE id = ?", (run_id,)).fetchone()
        roster = {v["id"] for v in json.loads(text).get("volunteers", ())}
        if volunteer_id not in roster:
            msg = f"volunteer {volunteer_id!r} is not on the roster of run {run_id}"
            raise LedgerError(msg)

    def _week_start(self, db: sqlite3.Connection, week: str) -> date:
        row = db.execute(
            "SELECT w.week_start FROM run_weeks w JOIN runs r ON r.id = w.run_id "
            "WHERE w.week = ? AND r.status <> 'discarded' ORDER BY w.run_id",
            (week,),
        ).fetchone()
        if row is None:
            msg = (
                f"no run of the ledger reports pay week {week!r}; an adjustment names a "
                "week a run priced, as an ISO week such as 2026-W47"
            )
            raise LedgerError(msg)
        return date.fromisoformat(row[0])

    def _currency_of(self, db: sqlite3.Connection, volunteer_id: str, week_start: date) -> str:
        rows = db.execute(
            "SELECT s.currency, s.week_start = ? FROM statements s JOIN runs r ON r.id = s.run_id"
            " WHERE s.volunteer_id = ? AND r.status <> 'discarded' ORDER BY s.week_start DESC",
            (week_start.isoformat(), volunteer_id),
        ).fetchall()
        if not rows:
            msg = (
                f"volunteer {volunteer_id!r} has no statement in the ledger, so the "
                "currency is not known: give --currency"
            )
            raise LedgerError(msg)
        same = [cur for cur, here in rows if here]
        return str(same[0] if same else rows[0][0])

    # -- time off in lieu ------------------------------------------------------

    def take_toil(
        self, volunteer_id: str, *, days: Decimal, taken_on: date, by: str, note: str = ""
    ) -> ToilBalance:
        """Record days of time off in lieu taken; returns the balance after.

        Raises:
            LedgerError: ``days`` is not positive, or more than the balance.
        """
        if days <= 0:
            msg = f"days taken must be more than 0, got {days}"
            raise LedgerError(msg)
        with self._write() as db:
            before = self._toil(db, volunteer_id)
            if days > before.balance:
                msg = (
                    f"{volunteer_id} has {before.balance} day(s) of time off in lieu "
                    f"(earned {before.earned} in locked runs, taken {before.taken}); "
                    f"cannot take {days}"
                )
                raise LedgerError(msg)
            (n,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM toil_taken").fetchone()
            db.execute(
                "INSERT INTO toil_taken (id, volunteer_id, days, taken_on, note, recorded_by,"
                " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (n, volunteer_id, str(days), taken_on.isoformat(), note, by, self._clock()),
            )
            return attrs.evolve(before, taken=before.taken + days)

    def _toil(
        self, db: sqlite3.Connection, volunteer_id: str, *, besides: int | None = None
    ) -> ToilBalance:
        earned = sum(
            (
                Decimal(t)
                for (t,) in db.execute(
                    "SELECT s.toil_days FROM statements s JOIN runs r ON r.id = s.run_id "
                    "WHERE r.status = 'locked' AND s.volunteer_id = ? AND r.id <> ? "
                    "UNION ALL SELECT a.toil_days FROM adjustments a JOIN runs r "
                    "ON r.id = a.run_id WHERE r.status = 'locked' AND a.volunteer_id = ? "
                    "AND r.id <> ?",
                    (volunteer_id, besides or 0, volunteer_id, besides or 0),
                )
            ),
            Decimal(0),
        )
        taken = sum(
            (
                Decimal(d)
                for (d,) in db.execute(
                    "SELECT days FROM toil_taken WHERE volunteer_id = ?", (volunteer_id,)
                )
            ),
            Decimal(0),
        )
        return ToilBalance(volunteer_id, earned, taken)

    def toil_balance(self, volunteer_id: str, *, besides: int | None = None) -> ToilBalance:
        """A volunteer's time off in lieu: earned in locked runs (other than
        ``besides``, if given) and taken."""
        return self._toil(self._db, volunteer_id, besides=besides)

    def toil_earned_in(self, run_id: int) -> dict[str, Decimal]:
        """Time off in lieu each volunteer earns in one run (statements and arrears)."""
        out: dict[str, Decimal] = {}
        for vid, days in self._db.execute(
            "SELECT volunteer_id, toil_days FROM statements WHERE run_id = ? "
            "UNION ALL SELECT volunteer_id, toil_days FROM adjustments WHERE run_id = ?",
            (run_id, run_id),
        ):
            if Decimal(days):
                out[vid] = out.get(vid, Decimal(0)) + Decimal(days)
        return dict(sorted(out.items()))

    def toil_volunteers(self) -> list[str]:
        """Everyone who earned or took time off in lieu in any run, sorted."""
        rows = self._db.execute(
            "SELECT volunteer_id, toil_days FROM statements "
            "UNION ALL SELECT volunteer_id, toil_days FROM adjustments "
            "UNION ALL SELECT volunteer_id, days FROM toil_taken"
        )
        return sorted({str(vid) for vid, days in rows if Decimal(days) != 0})

    def toil_taken(self, volunteer_id: str) -> list[tuple[date, Decimal, str, str]]:
        """The days taken: (date, days, note, recorded by), oldest first."""
        return [
            (date.fromisoformat(on), Decimal(days), note, by)
            for on, days, note, by in self._db.execute(
                "SELECT taken_on, days, note, recorded_by FROM toil_taken "
                "WHERE volunteer_id = ? ORDER BY taken_on, id",
                (volunteer_id,),
            )
        ]

    # -- reading ---------------------------------------------------------------

    def run(self, run_id: int) -> RunRecord:
        """One run.

        Raises:
            LedgerError: There is no such run.
        """
        row = self._db.execute(
            "SELECT id, status, period_start, period_end, arrears_from, created_at, created_by,"
            " software_version, policy_name, rules_path, rules_sha256 FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            msg = f"there is no run {run_id} in {self.path}"
            raise LedgerError(msg)
        return self._record(row)

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first."""
        rows = self._db.execute(
            "SELECT id, status, period_start, period_end, arrears_from, created_at, created_by,"
            " software_version, policy_name, rules_path, rules_sha256 FROM runs ORDER BY id"
        ).fetchall()
        return [self._record(row) for row in rows]

    def _record(self, row: tuple[Any, ...]) -> RunRecord:
        run_id = int(row[0])
        inputs = tuple(
            InputFile(*r)
            for r in self._db.execute(
                "SELECT kind, path, sha256 FROM run_inputs WHERE run_id = ? ORDER BY position",
                (run_id,),
            )
        )
        totals: dict[str, Decimal] = {}
        for currency, amount in self._db.execute(
            "SELECT currency, total FROM statements WHERE run_id = ? "
            "UNION ALL SELECT currency, amount FROM adjustments WHERE run_id = ?",
            (run_id, run_id),
        ):
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(amount)
        (statements,) = self._db.execute(
            "SELECT COUNT(*) FROM statements WHERE run_id = ?", (run_id,)
        ).fetchone()
        (adjustments,) = self._db.execute(
            "SELECT COUNT(*) FROM adjustments WHERE run_id = ?", (run_id,)
        ).fetchone()
        # A week an earlier run had paid (and locked) when this run was made:
        # no open run could overlap this one then, and locked runs never change.
        rechecked = tuple(
            str(week)
            for (week,) in self._db.execute(
                "SELECT w.week FROM run_weeks w WHERE w.run_id = ? AND EXISTS ("
                "SELECT 1 FROM run_weeks e JOIN runs r ON r.id = e.run_id WHERE "
                "e.week_start = w.week_start AND e.run_id < w.run_id AND r.status = 'locked')"
                " ORDER BY w.week_start",
                (run_id,),
            )
        )
        return RunRecord(
            id=run_id,
            status=str(row[1]),
            period_start=date.fromisoformat(row[2]),
            period_end=date.fromisoformat(row[3]),
            arrears_from=None if row[4] is None else date.fromisoformat(row[4]),
            created_at=str(row[5]),
            created_by=str(row[6]),
            software_version=str(row[7]),
            policy_name=str(row[8]),
            rules_path=str(row[9]),
            rules_sha256=str(row[10]),
            inputs=inputs,
            events=tuple(self._events(self._db, run_id)),
            totals=dict(sorted(totals.items())),
            statements=int(statements),
            adjustments=int(adjustments),
            rechecked=rechecked,
        )

    def report(self, run_id: int) -> Report:
        """The run's report as stored: the statements it pays in full, and
        the pages, notices, holidays and health of its whole period."""
        row = self._db.execute("SELECT report_json FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            msg = f"there is no run {run_id} in {self.path}"
            raise LedgerError(msg)
        return restore_report(json.loads(row[0]))

    def rules_text(self, run_id: int) -> str:
        """The rules file's text as it was when the run was created."""
        row = self._db.execute("SELECT rules_text FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            msg = f"there is no run {run_id} in {self.path}"
            raise LedgerError(msg)
        return str(row[0])

    def adjustments(self, run_id: int | None = None) -> list[Adjustment]:
        """The adjustments of one run (or of every run), in the order recorded."""
        query = (
            "SELECT source, volunteer_id, week, week_start, currency, amount, toil_days,"
            " original_run_id, reason, created_by, created_at FROM adjustments"
        )
        params: tuple[int, ...] = ()
        if run_id is not None:
            query += " WHERE run_id = ?"
            params = (run_id,)
        return [
            Adjustment(
                source, vid, week, date.fromisoformat(ws), cur, Decimal(amount), Decimal(toil),
                None if orig is None else int(orig), reason, by, at,
            )
            for source, vid, week, ws, cur, amount, toil, orig, reason, by, at in self._db.execute(
                query + " ORDER BY run_id, position", params
            )
        ]

    def week(self, volunteer_id: str, week_start: date) -> list[WeekEntry]:
        """What every run (discarded ones left out) holds for a volunteer and week."""
        out = []
        for run in self.runs():
            if run.status == "discarded":
                continue
            row = self._db.execute(
                "SELECT currency, total FROM statements WHERE run_id = ? AND volunteer_id = ? "
                "AND week_start = ?",
                (run.id, volunteer_id, week_start.isoformat()),
            ).fetchone()
            adjustments = tuple(
                a for a in self.adjustments(run.id)
                if a.volunteer_id == volunteer_id and a.week_start == week_start
            )  # fmt: skip
            if row is not None or adjustments:
                out.append(
                    WeekEntry(
                        run.id, run.status, row[0] if row else None,
                        _dec(row[1]) if row else None, adjustments,
                    )
                )
        return out

    def lines_total(self, *, locked_only: bool = True) -> dict[tuple[str, date, str], Decimal]:
        """Per volunteer, week and currency: statement totals plus arrears
        adjustments of the (locked) runs. What the ledger says was paid."""
        status = "r.status = 'locked'" if locked_only else "r.status <> 'discarded'"
        sums: dict[tuple[str, date, str], Decimal] = {}
        for vid, ws, cur, amount in self._db.execute(
            "SELECT s.volunteer_id, s.week_start, s.currency, s.total FROM statements s "
            f"JOIN runs r ON r.id = s.run_id WHERE {status} UNION ALL "
            "SELECT a.volunteer_id, a.week_start, a.currency, a.amount FROM adjustments a "
            f"JOIN runs r ON r.id = a.run_id WHERE {status} AND a.source = 'arrears'"
        ):
            key = (vid, date.fromisoformat(ws), cur)
            sums[key] = sums.get(key, Decimal(0)) + Decimal(amount)
        return sums
