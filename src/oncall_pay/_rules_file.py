"""The TOML rules file: read it, check all of it, write it back.

Reading happens in two passes. The first walks the whole document and checks
every key against the declarations of the rules classes (``rule()`` in
``_rules.py``; the format is docs/rules-file.md), recording each problem with the
file and its TOML path (``versions[1].plans.us.callout.hourly``, where the
index is the position of the ``[[versions]]`` table in the file) and carrying
on, so that one ``PolicyError`` lists everything there is to fix. Only a
document without problems reaches the second pass, which builds the frozen
values of ``_rules.py``. Both passes, and the writer ``policy_to_toml``,
walk ``attrs.fields`` of those classes (``_schema.py``); nothing here knows
a key of the file.

Writing is a small emitter of its own (``_schema.write_toml``): the standard
library reads TOML but does not write it, and the rules file needs only
strings, whole numbers, booleans, local dates, arrays and tables.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import attrs

from ._errors import PolicyError, Problem
from ._rules import Policy
from ._schema import Checker, TomlFloat, build, check_document, write_toml

__all__ = ["load_policy", "parse_policy", "policy_to_toml"]


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read and check a rules file.

    Args:
        path: The TOML file, read as UTF-8 (a leading byte-order mark is
            ignored). It is named in every error as given here.

    Returns:
        The policy the file describes.

    Raises:
        PolicyError: The file cannot be read, is not TOML, or breaks any rule
            of the rules file; every problem found is listed.
    """
    source = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        msg = f"cannot read the rules file: {e.strerror or e}"
        raise PolicyError(Problem(msg, source=source)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        msg = f"the rules file is not UTF-8 text (byte 0x{data[e.start]:02x} cannot be read)"
        raise PolicyError(Problem(msg, source=source, line=line)) from None
    # Universal newlines, as ``read_text`` would give, so line numbers agree.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    return parse_policy(text, source)


def parse_policy(text: str, source: str = "<string>") -> Policy:
    """Parse and check the text of a rules file.

    Args:
        text: The TOML document.
        source: What to call the document in errors (a file name).

    Returns:
        The policy the text describes.

    Raises:
        PolicyError: The text is not TOML or breaks any rule of the rules
            file; every problem found is listed, each with its TOML path.
    """
    try:
        document = tomllib.loads(text, parse_float=TomlFloat)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(_syntax_problem(e, source)) from None
    except RecursionError:
        msg = "not valid TOML: arrays or tables are nested too deeply to read"
        raise PolicyError(Problem(msg, source=source)) from None
    checker = Checker(source)
    clean = check_document(checker, document, Policy)
    if checker.problems:
        raise PolicyError(checker.problems)
    try:
        return build(Policy, clean)
    except PolicyError as e:  # pragma: no cover - the first pass checks all of this
        raise PolicyError(attrs.evolve(p, source=source) for p in e.problems) from None


def _syntax_problem(error: tomllib.TOMLDecodeError, source: str) -> Problem:
    message = str(error)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    line = None
    if found:
        line = int(found.group(1))
        message = f"{message[: found.start()]} at column {found.group(2)}"
    elif " (at end of document)" in message:
        message = message.replace(" (at end of document)", " at the end of the file")
    return Problem(f"not valid TOML: {message}", source=source, line=line)


def policy_to_toml(policy: Policy) -> str:
    """Write a policy as a rules file.

    Decimals are written as strings with every digit they hold, dates as
    TOML local dates; settings left at their defaults (``None`` calendar
    fields, zero rates never set, health settings equal to the defaults)
    are left out, so the file reads back as an equal policy:
    ``parse_policy(policy_to_toml(p)) == p``.

    Args:
        policy: The policy to write.

    Returns:
        The TOML text, ending with a newline.
    """
    return write_toml(policy)
