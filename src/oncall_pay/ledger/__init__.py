"""Pay runs with a memory: a ledger of what was paid, approved and locked.

An edge module like the readers and writers: it stores reports the engine
computed and diffs them against what locked runs paid; the engine knows
nothing of it. ``docs/ledger.md`` explains the workflow, the tables and how
to run the same schema on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from ..pay_run import SOURCES, Sources
from ._arrears import Arrears, Paid, split_report
from ._schema import MIGRATIONS, SCHEMA_VERSION, schema_sql
from ._store import (
    Adjustment,
    Event,
    InputFile,
    Ledger,
    LedgerError,
    RunRecord,
    ToilBalance,
    WeekEntry,
)

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Adjustment",
    "Arrears",
    "Event",
    "InputFile",
    "Ledger",
    "LedgerError",
    "Paid",
    "RunRecord",
    "ToilBalance",
    "WeekEntry",
    "hash_inputs",
    "ledger_path",
    "schema_sql",
    "split_report",
]

#: The ledger file when neither ``--ledger`` nor the environment names one.
DEFAULT_PATH: Final = Path("oncall-pay.sqlite")
#: The environment variable naming the ledger file.
ENV_VAR: Final = "ONCALL_PAY_LEDGER"


def ledger_path(given: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None) -> Path:
    """The ledger file: ``given`` (``--ledger``), else ``$ONCALL_PAY_LEDGER``, else
    ``./oncall-pay.sqlite``."""
    if given is not None:
        return Path(given)
    value = (os.environ if env is None else env).get(ENV_VAR)
    return Path(value) if value else DEFAULT_PATH


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(sources: Sources) -> tuple[InputFile, ...]:
    """Every input file of a pay run with its SHA-256, roster and rules first.

    Raises:
        OSError: A file cannot be read.
    """
    kinds = [("Roster file", sources.volunteers), ("Rules file", sources.rules)]
    kinds += [
        (SOURCES[name].label, path)
        for name in SOURCES
        for path in sources.files.get(name, ())
    ]
    return tuple(InputFile(kind, str(path), _sha256(path)) for kind, path in kinds)
