"""The ledger on PostgreSQL: the printed schema, and every query of the store.

Uses the ``test`` extra's ``pgserver`` (a PostgreSQL server, started by the
test on a Unix socket in its own temporary folder and stopped at the end)
and ``psycopg``; it is never skipped.

The store runs unchanged behind a thin shim that makes exactly the changes
``docs/ledger.md#running-the-schema-on-postgresql`` lists: ``?`` becomes
``%s``, ``BEGIN IMMEDIATE`` a serializable transaction, and the one look at
``sqlite_master`` a look at ``information_schema``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

import oncall_pay as op
from helpers import LONDON, example_policy, local, page
from oncall_pay.ledger import InputFile, Ledger, LedgerError, schema_sql
from oncall_pay.ledger._schema import SCHEMA_VERSION

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (as for root in CI).
    warnings.simplefilter("ignore")
    import pgserver  # type: ignore[import-untyped, unused-ignore]

L = "Europe/London"
FILES = (InputFile("Roster file", "roster.csv", "0" * 64),)
_SQLITE_MASTER = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
)
_INFORMATION_SCHEMA = (
    "SELECT table_name FROM information_schema.tables WHERE table_name = 'schema_migrations'"
)


class _Postgres:
    """A psycopg connection that takes the store's SQLite-flavoured calls."""

    def __init__(self, connection: Any) -> None:
        self._c = connection

    @staticmethod
    def _sql(sql: str) -> str:
        if sql.strip() == "BEGIN IMMEDIATE":
            return "BEGIN ISOLATION LEVEL SERIALIZABLE"
        return sql.replace(_SQLITE_MASTER, _INFORMATION_SCHEMA).replace("?", "%s")

    def execute(self, sql: str, params: Iterable[object] = ()) -> Any:
        return self._c.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Iterable[object]]) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            with self._c.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)

    def close(self) -> None:
        self._c.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A PostgreSQL server of this module's own, stopped at the end."""
    srv = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield srv
    srv.cleanup()


@pytest.fixture
def ledger(server: Any) -> Iterator[Ledger]:
    """A ledger in a fresh PostgreSQL database, its tables made from `run schema`."""
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS ledger")
        admin.execute("CREATE DATABASE ledger")
    connection = psycopg.connect(server.get_uri().replace("/postgres?", "/ledger?"),
                                 autocommit=True)  # fmt: skip
    connection.execute(schema_sql())
    store = object.__new__(Ledger)
    store.path = Path("postgres")
    store._clock = lambda: "2026-12-03T10:00:00+00:00"
    store._db = _Postgres(connection)  # type: ignore[assignment]  # the shim stands in
    store._migrate()  # at the current version already: does nothing
    yield store
    connection.close()


def _report(pages: list[op.Page]) -> op.Report:
    shift = op.Shift("bob", local(L, 2026, 11, 2), local(L, 2026, 11, 16))
    return op.compute(
        [LONDON], [shift], pages, example_policy(), start=date(2026, 11, 2), end=date(2026, 11, 15)
    )


def test_the_whole_workflow_runs_on_postgresql(ledger: Ledger) -> None:
    """Draft, approve, lock, arrears, a manual adjustment, TOIL, an idempotent re-run and a
    refused change to a locked run: the same results on PostgreSQL as on SQLite."""
    assert ledger.schema_version() == SCHEMA_VERSION
    late = page("P1", "bob", local(L, 2026, 11, 7, 10))
    first, _ = ledger.create_run(_report([]), inputs=FILES, rules_path="r",
                                 rules_sha256="a" * 64, rules_text="x", by="ana")  # fmt: skip
    ledger.approve(first, by="bea")
    ledger.lock(first, by="cy")
    second, arrears = ledger.create_run(
        _report([late]), inputs=FILES, rules_path="r", rules_sha256="a" * 64, rules_text="x",
        by="ana",
    )  # fmt: skip
    assert [(a.week, a.original_run, a.toil_days) for a in arrears] == [
        ("2026-W45", first, Decimal("0.5"))
    ]
    ledger.adjust(second, volunteer_id="bob", week="2026-W46", amount=Decimal("12.50"),
                  reason="taxi", by="dee")  # fmt: skip
    ledger.approve(second, by="bea")
    ledger.lock(second, by="cy")
    with pytest.raises(LedgerError, match="is locked by cy"):
        ledger.discard(second, by="x", reason="x")
    assert ledger.take_toil("bob", days=Decimal("0.5"), taken_on=date(2026, 12, 4),
                            by="bob").balance == 0  # fmt: skip
    third, again = ledger.create_run(_report([late]), inputs=FILES, rules_path="r",
                                     rules_sha256="a" * 64, rules_text="x", by="ana")  # fmt: skip
    assert again == ()
    assert ledger.run(third).rechecked == ("2026-W45", "2026-W46")
    fresh = {(s.volunteer_id, s.week_start, s.currency): s.total
             for s in _report([late]).statements if s.total}  # fmt: skip
    assert {k: v for k, v in ledger.lines_total().items() if v} == fresh
    assert ledger.report(first).totals() == _report([]).totals()
    assert [e.adjustments[0].source for e in ledger.week("bob", date(2026, 11, 2))
            if e.adjustments] == ["arrears"]  # fmt: skip
