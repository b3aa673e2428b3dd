"""The ledger's tables, as numbered migrations kept in the code.

Each migration is a list of plain SQL statements that runs unchanged on
SQLite and on PostgreSQL (docs/ledger.md#running-the-schema-on-postgresql):
only ``VARCHAR``, ``TEXT`` and ``INTEGER`` columns, primary and foreign keys,
``CHECK`` constraints and indexes. Money, quantities and days are decimal
text (``"12.50"``): exact on both databases and summed as ``Decimal`` by the
code, never as floats. Dates are ISO text (``2026-11-02``), moments ISO 8601
text in UTC. Row ids are given by the code (``MAX(id) + 1`` inside the write
transaction), not by ``AUTOINCREMENT`` or ``SERIAL``.

A migration is never edited once released: a change of the schema is a new
entry at the end of :data:`MIGRATIONS`.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "schema_sql"]

_V1: Final = (
    """CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at VARCHAR(40) NOT NULL
)""",
    """CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    status VARCHAR(16) NOT NULL CHECK (status IN ('draft', 'approved', 'locked', 'discarded')),
    period_start VARCHAR(10) NOT NULL,
    period_end VARCHAR(10) NOT NULL,
    arrears_from VARCHAR(10),
    created_at VARCHAR(40) NOT NULL,
    created_by TEXT NOT NULL,
    software_version VARCHAR(64) NOT NULL,
    policy_name TEXT NOT NULL,
    rules_path TEXT NOT NULL,
    rules_sha256 VARCHAR(64) NOT NULL,
    rules_text TEXT NOT NULL,
    report_json TEXT NOT NULL
)""",
    """CREATE TABLE run_inputs (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    PRIMARY KEY (run_id, position)
)""",
    """CREATE TABLE run_weeks (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    week_start VARCHAR(10) NOT NULL,
    week VARCHAR(10) NOT NULL,
    PRIMARY KEY (run_id, week_start)
)""",
    """CREATE TABLE statements (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    volunteer_id TEXT NOT NULL,
    week_start VARCHAR(10) NOT NULL,
    week VARCHAR(10) NOT NULL,
    currency VARCHAR(3) NOT NULL,
    rules_version VARCHAR(10) NOT NULL,
    plan TEXT NOT NULL,
    total TEXT NOT NULL,
    toil_days TEXT NOT NULL,
    PRIMARY KEY (run_id, volunteer_id, week_start)
)""",
    """CREATE TABLE lines (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    volunteer_id TEXT NOT NULL,
    week_start VARCHAR(10) NOT NULL,
    position INTEGER NOT NULL,
    kind VARCHAR(32) NOT NULL,
    category VARCHAR(32),
    quantity TEXT NOT NULL,
    unit VARCHAR(16),
    rate TEXT,
    multiplier TEXT,
    amount TEXT NOT NULL,
    PRIMARY KEY (run_id, volunteer_id, week_start, position),
    FOREIGN KEY (run_id, volunteer_id, week_start)
        REFERENCES statements (run_id, volunteer_id, week_start)
)""",
    """CREATE TABLE adjustments (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    source VARCHAR(16) NOT NULL CHECK (source IN ('arrears', 'manual')),
    volunteer_id TEXT NOT NULL,
    week_start VARCHAR(10) NOT NULL,
    week VARCHAR(10) NOT NULL,
    currency VARCHAR(3) NOT NULL,
    amount TEXT NOT NULL,
    toil_days TEXT NOT NULL,
    original_run_id INTEGER REFERENCES runs (id),
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    PRIMARY KEY (run_id, position)
)""",
    """CREATE TABLE run_events (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    action VARCHAR(32) NOT NULL,
    done_by TEXT NOT NULL,
    done_at VARCHAR(40) NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
)""",
    """CREATE TABLE toil_taken (
    id INTEGER PRIMARY KEY,
    volunteer_id TEXT NOT NULL,
    days TEXT NOT NULL,
    taken_on VARCHAR(10) NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at VARCHAR(40) NOT NULL
)""",
    "CREATE INDEX statements_by_week ON statements (volunteer_id, week_start)",
    "CREATE INDEX adjustments_by_week ON adjustments (volunteer_id, week_start)",
    "CREATE INDEX toil_taken_by_volunteer ON toil_taken (volunteer_id)",
)

#: The migrations, in order: (version, what it does, its statements).
MIGRATIONS: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (1, "runs, statements, lines, adjustments, events, time off in lieu taken", _V1),
    # docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows: the
    # tier whose rates priced a line (NULL for the plan's own).
    (2, "the tier of each line", ("ALTER TABLE lines ADD COLUMN tier TEXT",)),
)

#: The schema version this code writes and reads.
SCHEMA_VERSION: Final = MIGRATIONS[-1][0]


def schema_sql() -> str:
    """Every migration as one SQL script, for creating the tables on another
    database, each followed by the row that records it as applied."""
    parts = []
    for version, description, statements in MIGRATIONS:
        parts.append(f"-- migration {version}: {description}")
        parts.extend(f"{statement};" for statement in statements)
        said = description.replace("'", "''")
        parts.append(
            "INSERT INTO schema_migrations (version, description, applied_at) "
            f"VALUES ({version}, '{said}', CURRENT_TIMESTAMP);"
        )
    return "\n\n".join(parts) + "\n"
