"""The pay-run ledger: draft, approve, lock, arrears, adjustments, time off in lieu."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest

import oncall_pay as op
from helpers import LONDON, example_policy, local, page
from oncall_pay.cli import main
from oncall_pay.ledger import (
    DEFAULT_PATH,
    ENV_VAR,
    MIGRATIONS,
    SCHEMA_VERSION,
    InputFile,
    Ledger,
    LedgerError,
    ledger_path,
    schema_sql,
)

L = "Europe/London"
NOV_2, NOV_9 = date(2026, 11, 2), date(2026, 11, 9)
FILES = (InputFile("Roster file", "roster.csv", "0" * 64),)


def _report(pages: list[op.Page]) -> op.Report:
    """Bob on call all of two weeks in November, with the pages given."""
    shift = op.Shift("bob", local(L, 2026, 11, 2), local(L, 2026, 11, 16))
    return op.compute(
        [LONDON], [shift], pages, example_policy(), start=NOV_2, end=date(2026, 11, 15)
    )


def _store(ledger: Ledger, report: op.Report, *, lock: bool = True) -> int:
    run_id, _ = ledger.create_run(
        report, inputs=FILES, rules_path="rules.toml", rules_sha256="a" * 64,
        rules_text="name = 'x'", by="ana",
    )  # fmt: skip
    if lock:
        ledger.approve(run_id, by="bea")
        ledger.lock(run_id, by="cy")
    return run_id


SAT_PAGE = page("P1", "bob", local(L, 2026, 11, 7, 10))


def test_a_run_goes_from_draft_to_approved_to_locked(tmp_path: Path) -> None:
    """A run is created as a draft, approved by someone, then locked; the trail says who."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([SAT_PAGE]), lock=False)
        assert ledger.run(run_id).status == "draft"
        ledger.approve(run_id, by="bea")
        assert ledger.run(run_id).status == "approved"
        ledger.lock(run_id, by="cy")
        record = ledger.run(run_id)
    assert record.status == "locked"
    assert [(e.action, e.by) for e in record.events] == [
        ("created", "ana"), ("approved", "bea"), ("locked", "cy"),
    ]  # fmt: skip
    assert record.totals == _report([SAT_PAGE]).totals()


def test_a_locked_run_refuses_every_change(tmp_path: Path) -> None:
    """Approving, locking, adjusting or discarding a locked run is refused, saying it is locked."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([]))
        attempts = [
            lambda: ledger.approve(run_id, by="x"),
            lambda: ledger.lock(run_id, by="x"),
            lambda: ledger.discard(run_id, by="x", reason="oops"),
            lambda: ledger.adjust(run_id, volunteer_id="bob", week="2026-W45",
                                  amount=Decimal(1), reason="r", by="x"),
        ]
        for attempt in attempts:
            with pytest.raises(LedgerError, match=f"run {run_id} is locked by cy at .* cannot be"):
                attempt()
        assert [e.action for e in ledger.run(run_id).events] == ["created", "approved", "locked"]
        assert ledger.adjustments(run_id) == []


def test_a_draft_cannot_be_locked_before_approval(tmp_path: Path) -> None:
    """Locking a draft is refused: approve it first."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([]), lock=False)
        with pytest.raises(LedgerError, match="is a draft: approve it first"):
            ledger.lock(run_id, by="cy")
        assert ledger.run(run_id).status == "draft"


def test_a_second_open_run_over_the_same_week_is_refused(tmp_path: Path) -> None:
    """Two unpaid runs over one week would pay it twice: the second is refused until the
    first is locked or discarded."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = _store(ledger, _report([]), lock=False)
        with pytest.raises(LedgerError, match=f"run {first} \\(draft\\) also reports pay week"):
            _store(ledger, _report([]), lock=False)
        ledger.discard(first, by="ana", reason="wrong roster")
        second = _store(ledger, _report([]), lock=False)
        assert [r.status for r in ledger.runs()] == ["discarded", "draft"]
        assert second == first + 1


def test_rerunning_unchanged_inputs_pays_nothing_more(tmp_path: Path) -> None:
    """A second run of a locked period with the same inputs has no statement and no adjustment."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        _store(ledger, _report([SAT_PAGE]))
        again, arrears = ledger.create_run(
            _report([SAT_PAGE]), inputs=FILES, rules_path="r", rules_sha256="a" * 64,
            rules_text="", by="ana",
        )  # fmt: skip
        assert arrears == ()
        record = ledger.run(again)
        assert (record.statements, record.adjustments, record.totals) == (0, 0, {})


def test_a_late_page_is_paid_as_arrears_naming_the_original_run_and_week(tmp_path: Path) -> None:
    """A page found after the month was locked is paid once, as the difference for its week."""
    before, after = _report([]), _report([SAT_PAGE])
    week = next(s for s in after.statements if s.week_start == NOV_2)
    was = next(s for s in before.statements if s.week_start == NOV_2)
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = _store(ledger, before)
        second, arrears = ledger.create_run(
            after, inputs=FILES, rules_path="r", rules_sha256="a" * 64, rules_text="", by="ana"
        )
        assert len(arrears) == 1
        (a,) = arrears
        assert (a.volunteer_id, a.week, a.original_run) == ("bob", "2026-W45", first)
        assert a.amount == week.total - was.total > 0
        assert a.toil_days == week.toil_days - was.toil_days == Decimal("0.5")
        (stored,) = ledger.adjustments(second)
        assert stored.source == "arrears"
        assert f"first paid in run {first}" in stored.reason
        assert ledger.run(second).statements == 0  # the weeks were paid: only the difference


def test_a_removed_page_gives_negative_arrears(tmp_path: Path) -> None:
    """A page paid in a locked run and then withdrawn is taken back, as a negative adjustment."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        _store(ledger, _report([SAT_PAGE]))
        _, arrears = ledger.create_run(
            _report([]), inputs=FILES, rules_path="r", rules_sha256="a" * 64, rules_text="",
            by="ana",
        )  # fmt: skip
    assert [a.amount < 0 for a in arrears] == [True]


def test_a_manual_adjustment_records_who_when_and_why(tmp_path: Path) -> None:
    """A manual adjustment is stored with reason, author and time, in the volunteer's currency."""
    clock = iter(f"2026-12-0{n}T10:00:00+00:00" for n in range(1, 10))
    with Ledger(tmp_path / "l.sqlite", clock=lambda: next(clock)) as ledger:
        run_id = _store(ledger, _report([]), lock=False)
        ledger.approve(run_id, by="bea")
        adj = ledger.adjust(run_id, volunteer_id="bob", week="2026-W46", amount=Decimal("12.5"),
                            reason="taxi home after the outage", by="dee")  # fmt: skip
        record = ledger.run(run_id)
    assert (adj.amount, adj.currency, adj.by, adj.week_start) == (
        Decimal("12.50"), "EUR", "dee", NOV_9
    )
    assert adj.reason == "taxi home after the outage"
    assert adj.at.startswith("2026-12-0")
    # The approval covered other amounts: it is withdrawn, and the trail says so.
    assert record.status == "draft"
    assert [e.action for e in record.events][-2:] == ["approval withdrawn", "adjusted"]
    assert record.totals["EUR"] == _report([]).totals()["EUR"] + Decimal("12.50")


@pytest.mark.parametrize(
    ("week", "amount", "reason", "message"),
    [
        ("2026-W01", "5", "r", "no run of the ledger reports pay week '2026-W01'"),
        ("2026-W46", "0", "r", "an adjustment of 0 changes nothing"),
        ("2026-W46", "1.005", "r", "1.005 has more decimal places than EUR has"),
        ("2026-W46", "1", "  ", "an adjustment needs a reason"),
    ],
)
def test_a_bad_manual_adjustment_is_refused(
    tmp_path: Path, week: str, amount: str, reason: str, message: str
) -> None:
    """A week no run priced, a zero or too precise amount, or no reason: refused, nothing stored."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([]), lock=False)
        with pytest.raises(LedgerError, match=message):
            ledger.adjust(run_id, volunteer_id="bob", week=week, amount=Decimal(amount),
                          reason=reason, by="x")  # fmt: skip
        assert ledger.adjustments(run_id) == []


def test_time_off_in_lieu_accrues_in_locked_runs_and_is_taken(tmp_path: Path) -> None:
    """An interrupted weekend earns TOIL once its run is locked; taking more than the balance
    is refused."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([SAT_PAGE]), lock=False)
        assert ledger.toil_balance("bob").earned == 0  # a draft is not paid yet
        ledger.approve(run_id, by="bea")
        ledger.lock(run_id, by="cy")
        assert ledger.toil_balance("bob").balance == Decimal("0.5")
        with pytest.raises(LedgerError, match=r"bob has 0.5 day\(s\) .* cannot take 1"):
            ledger.take_toil("bob", days=Decimal(1), taken_on=date(2026, 12, 4), by="bob")
        after = ledger.take_toil("bob", days=Decimal("0.5"), taken_on=date(2026, 12, 4), by="bob")
        assert after.balance == 0
        assert ledger.toil_volunteers() == ["bob"]


def test_the_ledger_file_is_wal_and_at_the_current_schema(tmp_path: Path) -> None:
    """A new ledger is in WAL mode, with every migration applied once, and reopens unchanged."""
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION
    with Ledger(path) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone() == (SCHEMA_VERSION,)


def test_a_database_made_from_the_printed_schema_is_a_ledger(tmp_path: Path) -> None:
    """The script `run schema` prints creates a complete ledger: opening it migrates nothing."""
    path = tmp_path / "from-script.sqlite"
    db = sqlite3.connect(path)
    db.executescript(schema_sql())
    db.close()
    with Ledger(path) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION
        run_id = _store(ledger, _report([SAT_PAGE]))
        assert ledger.run(run_id).status == "locked"


def test_a_version_1_ledger_is_upgraded_and_keeps_its_runs(tmp_path: Path) -> None:
    """A ledger written before tiers (schema 1) gets the lines' tier column on
    opening; its runs stay, and new lines record their tier."""
    from oncall_pay.ledger._schema import MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0][2]:
        db.execute(statement)
    db.execute("INSERT INTO schema_migrations VALUES (1, 'v1', '2026-11-01T00:00:00Z')")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION
        run_id = _store(ledger, _report([SAT_PAGE]))
    db = sqlite3.connect(path)
    tiers = db.execute("SELECT DISTINCT tier FROM lines WHERE run_id = ?", (run_id,)).fetchall()
    assert tiers == [(None,)]  # the plan's own rates
    db.close()


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    """A file with a schema version this code does not know is not touched."""
    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
    db.commit()
    db.close()
    with pytest.raises(LedgerError, match="schema version 99, written by a newer oncall-pay"):
        Ledger(path)


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    """Pointing --ledger at another file is an error naming it, and the file is left alone."""
    path = tmp_path / "notes.txt"
    path.write_text("not a database " * 100)
    with pytest.raises(LedgerError, match=r"notes\.txt: not a pay-run ledger"):
        Ledger(path)
    assert path.read_text() == "not a database " * 100


def test_the_ledger_path_comes_from_the_flag_then_the_environment_then_the_default() -> None:
    """--ledger wins over ONCALL_PAY_LEDGER, which wins over ./oncall-pay.sqlite."""
    assert ledger_path("a.sqlite", {ENV_VAR: "b.sqlite"}) == Path("a.sqlite")
    assert ledger_path(None, {ENV_VAR: "b.sqlite"}) == Path("b.sqlite")
    assert ledger_path(None, {}) == DEFAULT_PATH == Path("oncall-pay.sqlite")


def test_the_schema_is_portable_sql() -> None:
    """The migrations use no SQLite-only construct, so they run on PostgreSQL too."""
    sql = schema_sql().upper()
    for word in ("AUTOINCREMENT", "WITHOUT ROWID", "PRAGMA", "REAL", "BLOB", "IF NOT EXISTS",
                 "DATETIME(", "STRFTIME", "INSERT OR", "REPLACE INTO"):  # fmt: skip
        assert word not in sql, word
    assert "CREATE TABLE RUNS" in sql


def test_every_migration_parses_as_postgresql_with_portable_column_types() -> None:
    """PostgreSQL's own parser (pglast) accepts every statement of the schema, and every
    column is VARCHAR, TEXT or INTEGER: types both databases store the same way."""
    import pglast  # in the test extra: never skipped
    types = set()
    for _, _, statements in MIGRATIONS:
        for statement in statements:
            (parsed,) = pglast.parse_sql(statement)
            for element in getattr(parsed.stmt, "tableElts", None) or ():
                if type(element).__name__ == "ColumnDef":
                    types.add(element.typeName.names[-1].sval)
    assert types == {"varchar", "text", "int4"}
    script = pglast.parse_sql(schema_sql())  # the script `run schema` prints, as a whole
    assert len(script) == sum(len(statements) + 1 for _, _, statements in MIGRATIONS)


# -- the command line ---------------------------------------------------------


def _args(files: dict[str, Path], *extra: str | Path) -> list[str]:
    return [str(a) for a in (
        "--volunteers", files["volunteers"], "--rules", files["rules"],
        "--shifts", files["shifts"], "--pages", files["pages"], *extra,
    )]  # fmt: skip


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The demo inputs copied into a folder, and the ledger named by the environment."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "team.sqlite"))
    assert main(["demo", "--output", str(tmp_path / "d.xlsx"), "--inputs", str(tmp_path)]) == 0
    names = {"volunteers": "volunteers.csv", "rules": "rules.toml", "shifts": "shifts.csv",
             "pages": "pages.csv"}  # fmt: skip
    return {key: tmp_path / name for key, name in names.items()}


def _sheet(path: Path, title: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


def test_the_month_walk_through_on_the_demo_files(
    demo: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Draft, approve, lock November; a late page; December's run pays it as arrears, and
    its workbook shows the arrears, the trail and the input hashes."""
    nov = _args(demo, "--from", "2026-11-01", "--to", "2026-11-30")
    assert main(["run", "create", *nov, "--by", "ana", "--output", str(tmp_path / "n.xlsx")]) == 0
    assert main(["run", "approve", "1", "--by", "bea"]) == 0
    assert main(["run", "lock", "1", "--by", "cy"]) == 0
    capsys.readouterr()
    assert main(["run", "adjust", "1", "--volunteer", "bob", "--week", "2026-W45",
                 "--amount", "5", "--reason", "x"]) == 1  # fmt: skip
    assert "run 1 is locked by cy" in capsys.readouterr().err
    with demo["pages"].open("a", encoding="utf-8") as f:
        f.write("PD-2001,bob,2026-11-07T22:30:00+00:00,2026-11-07T23:20:00+00:00,,high,Late\n")
    dec = _args(demo, "--from", "2026-12-01", "--to", "2026-12-31", "--arrears-from", "2026-11-01")
    out = tmp_path / "dec.xlsx"
    assert main(["run", "create", *dec, "--by", "ana", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "arrears bob 2026-W45: +" in printed
    adjust = ["run", "adjust", "--volunteer", "alice", "--week", "2026-W47",
              "--amount", "-10.00", "--reason", "double-claimed taxi", "--by", "dee"]  # fmt: skip
    assert main(adjust) == 0
    assert main(["run", "approve", "2", "--by", "bea"]) == 0
    assert main(["run", "lock", "2", "--by", "cy"]) == 0
    assert main(["run", "show", "2", "--output", str(out)]) == 0
    adjustments = _sheet(out, "Adjustments")
    assert adjustments[0][:3] == ("Volunteer ID", "Name", "Week")
    kinds = {(r[0], r[2], r[7], r[8]) for r in adjustments[1:]}
    assert kinds == {("bob", "2026-W45", "arrears", 1), ("alice", "2026-W47", "manual", None)}
    run = dict(r[:2] for r in _sheet(out, "Run"))
    assert run["Ledger status"] == "locked"
    assert run["Arrears re-checked from"] == "2026-11-01"
    assert run["Pay weeks paid before (arrears only)"] == "2026-W45 – 2026-W49 (5)"
    assert str(run["Trail 2: adjusted"]).endswith("by dee (alice 2026-W47 -10.00 EUR)")
    assert "by bea" in str(run["Trail 3: approved"])
    assert str(run[f"SHA-256 of {demo['pages']}"]).endswith("(Pages files (CSV))")
    to_pay = {(r[0], r[3]): r[4:7] for r in _sheet(out, "To pay")[1:] if r and r[0]}
    bob = to_pay[("bob", "GBP")]
    # Statements of December's new weeks, the November arrears, and their sum to pay.
    assert bob[1] == 52.5
    assert bob[2] == pytest.approx(bob[0] + bob[1])
    # Bob's weekend was interrupted already: the late page earns no more time off.
    toil = {r[0]: r[2:] for r in _sheet(out, "TOIL")[1:]}
    assert toil["bob"] == (0.5, 0, 0, 0.5)  # earned before, in this run, taken, balance
    capsys.readouterr()
    assert main(["toil", "take", "--volunteer", "bob", "--days", "0.5", "--on", "2026-12-11",
                 "--note", "Friday", "--by", "bob"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["toil", "balance", "--volunteer", "bob"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "bob: earned 0.5 day(s) in locked runs, taken 0.5, balance 0.0",
        "  taken 2026-12-11: 0.5 day(s) — Friday (recorded by bob)",
    ]
    assert main(["explain", *_args(demo), "--volunteer", "bob", "--week", "2026-W45"]) == 0
    text = capsys.readouterr().out
    assert "run 1 [locked]: statement" in text
    assert "run 2 [locked]: arrears adjustment +" in text
    assert "Time off in lieu: earned 0.5 day(s) in locked runs, taken 0.5, balance 0.0" in text


def test_arrears_from_after_from_is_refused_and_nothing_is_written(
    demo: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--arrears-from must not be after --from; the error names the option; no ledger appears."""
    bad = _args(demo, "--from", "2026-12-01", "--to", "2026-12-31", "--arrears-from", "2026-12-08")
    assert main(["run", "create", *bad]) == 1
    err = capsys.readouterr().err
    assert "--arrears-from 2026-12-08 is after --from 2026-12-01" in err
    assert "nothing was written" in err
    assert not (tmp_path / "team.sqlite").exists()


def test_run_schema_prints_the_migrations(capsys: pytest.CaptureFixture[str]) -> None:
    """run schema prints the SQL of every migration, to create the tables elsewhere."""
    assert main(["run", "schema"]) == 0
    assert capsys.readouterr().out == schema_sql()


def test_run_commands_without_a_ledger_say_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """run list on a missing ledger is an error naming the path; no file is created."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "list"]) == 1
    assert "no ledger at oncall-pay.sqlite" in capsys.readouterr().err
    assert not (tmp_path / "oncall-pay.sqlite").exists()


def test_an_adjustment_for_someone_not_on_the_roster_is_refused(tmp_path: Path) -> None:
    """A volunteer id the run's roster does not have is refused, even with a currency."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([]), lock=False)
        with pytest.raises(LedgerError, match="volunteer 'bbo' is not on the roster of run 1"):
            ledger.adjust(run_id, volunteer_id="bbo", week="2026-W46", amount=Decimal(5),
                          reason="typo", by="x", currency="EUR")  # fmt: skip
        assert ledger.adjustments(run_id) == []


def test_explain_with_a_missing_ledger_says_so_before_printing_anything(
    demo: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """explain --ledger naming no file is an error and prints no explanation; without a
    ledger in use, explain prints no ledger section."""
    week = ["--volunteer", "bob", "--week", "2026-W45"]
    capsys.readouterr()
    assert main(["explain", *_args(demo), *week, "--ledger", str(tmp_path / "none.sqlite")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "no ledger at" in err
    assert "none.sqlite" in err
    assert main(["explain", *_args(demo), *week]) == 0  # $ONCALL_PAY_LEDGER names no file yet
    assert "Ledger (" not in capsys.readouterr().out


def test_a_workbook_that_cannot_be_written_still_leaves_the_run_stored(
    demo: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """run create --output into a missing folder: the draft is stored, and the error says
    so and how to write the workbook later."""
    nov = _args(demo, "--from", "2026-11-01", "--to", "2026-11-30")
    target = tmp_path / "no such folder" / "n.xlsx"
    assert main(["run", "create", *nov, "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert "run 1 was stored as a draft, but its workbook could not be written" in err
    assert "oncall-pay run show 1 --output PATH" in err
    assert not target.exists()
    with Ledger(tmp_path / "team.sqlite") as ledger:
        assert [r.status for r in ledger.runs()] == ["draft"]


def test_an_input_file_changed_while_reading_stores_nothing(
    demo: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """If a file changes between being hashed and being read, the run is not stored: the
    recorded hashes would not be those of what was priced."""
    import oncall_pay._ledger_cli as cli

    real = cli.load_inputs

    def load_then_edit(*args: object, **kwargs: object) -> object:
        inputs = real(*args, **kwargs)  # type: ignore[arg-type]
        with demo["pages"].open("a", encoding="utf-8") as f:
            f.write("PD-9,bob,2026-11-07T22:30:00+00:00,,,high,Edited meanwhile\n")
        return inputs

    monkeypatch.setattr(cli, "load_inputs", load_then_edit)
    nov = _args(demo, "--from", "2026-11-01", "--to", "2026-11-30")
    assert main(["run", "create", *nov]) == 1
    assert "an input file changed while the run was being read" in capsys.readouterr().err
    assert not (tmp_path / "team.sqlite").exists()


def test_an_approval_without_a_name_is_refused(tmp_path: Path) -> None:
    """run approve --by "" records nothing: an approval names who gave it."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run_id = _store(ledger, _report([]), lock=False)
        with pytest.raises(LedgerError, match=r"an approval needs the approver's name"):
            ledger.approve(run_id, by="  ")
        assert ledger.run(run_id).status == "draft"


def test_a_ledger_in_a_missing_folder_is_refused_by_name(tmp_path: Path) -> None:
    """--ledger in a folder that does not exist: the error names the folder, nothing is made."""
    path = tmp_path / "no such folder" / "l.sqlite"
    with pytest.raises(LedgerError, match="cannot make the ledger here, there is no folder"):
        Ledger(path)
    assert not path.parent.exists()


def test_pay_weeks_that_start_on_another_day_than_paid_ones_are_refused(tmp_path: Path) -> None:
    """Changing the rules' week start under paid weeks would pay overlapping weeks twice:
    the run is refused, naming both weekdays."""
    import attrs

    sunday_weeks = attrs.evolve(example_policy(), week_starts_on="sunday")
    shift = op.Shift("bob", local(L, 2026, 11, 2), local(L, 2026, 11, 16))
    shifted = op.compute([LONDON], [shift], [], sunday_weeks, start=NOV_2,
                         end=date(2026, 11, 15))  # fmt: skip
    with Ledger(tmp_path / "l.sqlite") as ledger:
        _store(ledger, _report([]))
        with pytest.raises(LedgerError, match=r"paid pay weeks starting on a Monday .* Sunday"):
            _store(ledger, shifted, lock=False)
        assert len(ledger.runs()) == 1


def test_a_volunteer_paid_before_but_gone_from_the_roster_gets_a_notice(tmp_path: Path) -> None:
    """A renamed id is not re-checked under its old id: the run says so, naming the weeks."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        _store(ledger, _report([SAT_PAGE]))
        renamed = attrs.evolve(LONDON, id="bob.jones")
        shift = op.Shift("bob.jones", local(L, 2026, 11, 2), local(L, 2026, 11, 16))
        report = op.compute(
            [renamed], [shift], [attrs.evolve(SAT_PAGE, volunteer_id="bob.jones")],
            example_policy(), start=NOV_2, end=date(2026, 11, 15),
        )  # fmt: skip
        run_id, arrears = ledger.create_run(
            report, inputs=FILES, rules_path="r", rules_sha256="a" * 64, rules_text="", by="ana"
        )
        assert {a.volunteer_id for a in arrears} == {"bob.jones"}  # paid again, in full
        stored = ledger.report(run_id)
    (notice,) = [n for n in stored.notices if n.kind == "not_rechecked"]
    assert notice.volunteer_id == "bob"
    assert notice.detail.startswith("paid in locked runs for 2026-W45, 2026-W46 but not in")
    assert "keep roster ids stable" in notice.detail
