"""The TOML rules file: read it, check all of it, write it back.

Reading happens in two passes. The first walks the whole document and checks
every key against ``spec/rules-file.md``, recording each problem with the
file and its TOML path (``versions[1].plans.us.callout.hourly``, where the
index is the position of the ``[[versions]]`` table in the file) and carrying
on, so that one ``PolicyError`` lists everything there is to fix. Only a
document without problems reaches the second pass, which builds the frozen
values of ``_rules.py``.

Writing (``policy_to_toml``) is a small emitter of its own: the standard
library reads TOML but does not write it, and the rules file needs only
strings, whole numbers, booleans, local dates, arrays and tables.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import attrs

from ._errors import PolicyError, Problem
from ._money import is_currency, minor_unit
from ._rules import (
    OFF_HOURS,
    RATE_PLACES,
    ROUNDINGS,
    WEEKDAYS,
    Calendar,
    Callout,
    HealthSettings,
    InterruptedWeekend,
    Limits,
    Plan,
    Policy,
    SleepHours,
    StandbyRate,
    Version,
    WorkingHours,
    country_alpha2,
    decimal_places,
    parse_hhmm,
)

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
        document = tomllib.loads(text, parse_float=_Float)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(_syntax_problem(e, source)) from None
    checker = _Checker(source)
    clean = _check_policy(checker, document)
    if checker.problems:
        raise PolicyError(checker.problems)
    try:
        return _build_policy(clean)
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


# --- the first pass: check everything, build nothing -------------------------


@attrs.frozen
class _Float:
    """A TOML float, kept as the text it was written with.

    ``tomllib`` hands every float literal to ``parse_float``; keeping the text
    means the error can show exactly the string to write instead.
    """

    text: str


class _Invalid(Exception):
    """A problem has been recorded and the value cannot be used further."""


class _Checker:
    """Collects the problems of one document."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, source=self.source, field=path or None))

    def fail(self, path: str, message: str) -> _Invalid:
        """Record a problem; the caller raises the result to drop the value."""
        self.add(path, message)
        return _Invalid()


#: Checks one value at a TOML path; returns the clean value or raises _Invalid.
_Check = Callable[[_Checker, Any, str], Any]

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_LITERAL_KEY: Final = re.compile(r"[^'\x00-\x1f\x7f]*")
_PLAIN_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_EXPONENT: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
_NOT_FINITE: Final = frozenset({"nan", "snan", "inf", "infinity"})
_EXAMPLE_DECIMAL: Final = '"12.50"'
#: Suggestions for exponent numbers are written out up to this many digits.
_MAX_DIGITS: Final = 30


def _key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _join(path: str, key: str) -> str:
    """The TOML path of ``key`` inside ``path``, for messages.

    Keys that are not bare are quoted as TOML literal strings (``'*'``) where
    they can be, so the path reads well inside the double quotes of a message.
    """
    if not _BARE_KEY.fullmatch(key):
        key = f"'{key}'" if _LITERAL_KEY.fullmatch(key) else _string(key)
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    """A value as it looks in the TOML file, for messages."""
    if isinstance(value, _Float):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)  # pragma: no cover - tomllib gives nothing else


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    if not close and word.lower() in choices:
        close = [word.lower()]
    return f'; did you mean "{close[0]}"?' if close else ""


def _decimals(count: int) -> str:
    return "1 decimal" if count == 1 else f"{count} decimals"


def _one_of(choices: Sequence[str]) -> str:
    return ", ".join(choices)


def _fields(
    ck: _Checker, table: Mapping[str, Any], path: str, checks: Mapping[str, _Check]
) -> dict[str, Any]:
    """Check each key of a table in file order; unknown keys are problems."""
    clean: dict[str, Any] = {}
    for key, value in table.items():
        check = checks.get(key)
        if check is None:
            message = f"unknown key {_string(key)}{_did_you_mean(key, list(checks))}"
            ck.add(_join(path, key), f"{message} (this table takes: {_one_of(list(checks))})")
            continue
        with contextlib.suppress(_Invalid):
            clean[key] = check(ck, value, _join(path, key))
    return clean


def _require(ck: _Checker, table: Mapping[str, Any], path: str, key: str, expected: str) -> None:
    if key not in table:
        ck.add(_join(path, key), f"missing; expected {expected}")


def _table(ck: _Checker, value: Any, path: str, expected: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ck.fail(path, f"expected {expected}, got {_show(value)}")
    return value


def _array(ck: _Checker, value: Any, path: str, expected: str) -> list[Any]:
    if not isinstance(value, list):
        raise ck.fail(path, f"expected {expected}, got {_show(value)}")
    return value


def _each(ck: _Checker, items: list[Any], path: str, check: _Check) -> list[Any]:
    clean = []
    for i, item in enumerate(items):
        with contextlib.suppress(_Invalid):
            clean.append(check(ck, item, f"{path}[{i}]"))
    return clean


def _no_repeats(ck: _Checker, items: list[Any], path: str) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item in seen:
            ck.add(f"{path}[{i}]", f"{_show(item)} is listed twice")
        seen.add(item)


# --- leaves ---


def _positional(text: str) -> str | None:
    """``"1e3"`` in plain digits (``"1000"``), unless that would be absurdly long."""
    number = Decimal(text)
    return format(number, "f") if abs(number.adjusted()) <= _MAX_DIGITS else None


def _float_message(text: str, expected: str) -> str:
    if text.lstrip("+-") in ("nan", "inf"):
        return f"{text} is a TOML float that is not a finite number; expected {expected}"
    digits = text.replace("_", "")
    plain = _positional(digits) if "e" in digits.lower() else digits
    if plain is None:
        return f"{text} is a TOML float; expected {expected}"
    return (
        f'{text} is a TOML float; write it as a string: "{plain}" '
        "(binary floats cannot hold amounts exactly)"
    )


def _decimal(ck: _Checker, value: Any, path: str) -> Decimal:
    """A decimal ≥ 0 written as a string or an integer."""
    expected = f"a decimal number ≥ 0 written as a string, such as {_EXAMPLE_DECIMAL}"
    if isinstance(value, _Float):
        raise ck.fail(path, _float_message(value.text, expected))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ck.fail(path, f"expected {expected}, got {_show(value)}")
    if isinstance(value, int):
        number = Decimal(value)
    else:
        text = value.strip()
        if text.lower().lstrip("+-") in _NOT_FINITE:
            raise ck.fail(path, f"{_show(value)} is not a finite number; expected {expected}")
        if _EXPONENT.fullmatch(text):
            plain = _positional(text)
            hint = f'write the plain number "{plain}"' if plain else f"expected {expected}"
            raise ck.fail(path, f"{_show(value)} has an exponent; {hint}")
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise ck.fail(path, f"expected {expected}, got {_show(value)}")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ck.fail(path, f"expected {expected}, got {_show(value)}") from None
    if number < 0:
        raise ck.fail(path, f"{_show(value)} is negative; expected an amount ≥ 0")
    return number


def _rate(ck: _Checker, value: Any, path: str) -> Decimal:
    """A rate: a decimal ≥ 0 with at most ``RATE_PLACES`` significant decimals."""
    number = _decimal(ck, value, path)
    places = decimal_places(number)
    if places > RATE_PLACES:
        raise ck.fail(
            path,
            f"{_show(value)} has {_decimals(places)}; "
            f"a rate may have at most {_decimals(RATE_PLACES)}",
        )
    return number


def _whole(minimum: int, unit: str, example: int) -> _Check:
    def check(ck: _Checker, value: Any, path: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        message = f"expected a whole number of {unit} ≥ {minimum}, such as {example}, got "
        if isinstance(value, str) and value.strip().isdigit():
            raise ck.fail(path, f"{message}{_show(value)} (write whole numbers without quotes)")
        raise ck.fail(path, f"{message}{_show(value)}")

    return check


_minutes: Final = _whole(0, "minutes", 30)


def _string_value(ck: _Checker, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ck.fail(path, f"expected a string in double quotes, got {_show(value)}")
    return value


def _boolean(ck: _Checker, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        hint = " (without quotes)" if isinstance(value, str) and value in ("true", "false") else ""
        raise ck.fail(path, f"expected true or false{hint}, got {_show(value)}")
    return value


def _choice(choices: Sequence[str], what: str) -> _Check:
    def check(ck: _Checker, value: Any, path: str) -> str:
        if isinstance(value, str) and value in choices:
            return value
        hint = _did_you_mean(value, choices) if isinstance(value, str) else ""
        raise ck.fail(path, f"expected {what} ({_one_of(choices)}), got {_show(value)}{hint}")

    return check


_weekday: Final = _choice(WEEKDAYS, "an English weekday name in lower case")
_rounding: Final = _choice(ROUNDINGS, "a rounding mode")
_per: Final = _choice(("hour", "day"), "the unit a standby rate is paid per")


def _local_date(ck: _Checker, value: Any, path: str) -> date:
    expected = "a TOML local date such as 2026-01-05 (no quotes, no time of day)"
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            written = date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
        else:
            raise ck.fail(
                path, f"expected {expected}, got the string {_show(value)}; write {written}"
            )
    raise ck.fail(path, f"expected {expected}, got {_show(value)}")


def _wall_time(ck: _Checker, value: Any, path: str) -> str:
    expected = 'a local wall-clock time "HH:MM" from "00:00" to "24:00", such as "09:00"'
    if isinstance(value, time):
        raise ck.fail(
            path, f'expected {expected}, got the TOML time {_show(value)}; write "{value:%H:%M}"'
        )
    if not isinstance(value, str):
        raise ck.fail(path, f"expected {expected}, got {_show(value)}")
    try:
        parse_hhmm(value)
    except ValueError:
        raise ck.fail(path, f"expected {expected}, got {_show(value)}") from None
    return value


def _currency(ck: _Checker, value: Any, path: str) -> str:
    if isinstance(value, str) and is_currency(value):
        return value
    hint = ""
    if isinstance(value, str) and is_currency(value.strip().upper()):
        hint = f'; did you mean "{value.strip().upper()}"?'
    raise ck.fail(
        path, f'expected an ISO 4217 currency code such as "EUR", got {_show(value)}{hint}'
    )


def _country_message(value: Any) -> str:
    message = (
        "expected an ISO 3166-1 alpha-2 country code that the holidays package knows, "
        f'such as "IE" or "US"; got {_show(value)}'
    )
    if isinstance(value, str):
        alpha2 = country_alpha2(value.strip().upper())
        if alpha2 is not None:
            message += f'; did you mean "{alpha2}"?'
    return message


def _is_country(value: Any) -> bool:
    return isinstance(value, str) and country_alpha2(value) == value


def _country(ck: _Checker, value: Any, path: str) -> str:
    if isinstance(value, str) and _is_country(value):
        return value
    raise ck.fail(path, _country_message(value))


# --- calendars ---


def _weekend_days(ck: _Checker, value: Any, path: str) -> tuple[str, ...]:
    days = _array(ck, value, path, 'an array of weekday names such as ["saturday", "sunday"]')
    clean = _each(ck, days, path, _weekday)
    if len(clean) == len(days) and len(set(clean)) == len(WEEKDAYS):
        raise ck.fail(
            path, "every day of the week is a weekend day; at least one must be a workday"
        )
    return tuple(clean)


def _hours(ck: _Checker, value: Any, path: str, *, across_midnight: bool) -> dict[str, str]:
    example = '{ start = "09:00", end = "18:00" }'
    table = _table(ck, value, path, f"a table such as {example}")
    clean = _fields(ck, table, path, {"start": _wall_time, "end": _wall_time})
    for key in ("start", "end"):
        _require(ck, table, path, key, 'a local wall-clock time "HH:MM"')
    if "start" in clean and "end" in clean:
        start, end = parse_hhmm(clean["start"]), parse_hhmm(clean["end"])
        if across_midnight and start % 1440 == end % 1440:
            raise ck.fail(
                path, f'start "{clean["start"]}" and end "{clean["end"]}" are the same time'
            )
        if not across_midnight and start >= end:
            raise ck.fail(
                path,
                f'start "{clean["start"]}" is not before end "{clean["end"]}"; working hours '
                'are one stretch of a day (end may be "24:00")',
            )
    return clean


def _working_hours(ck: _Checker, value: Any, path: str) -> dict[str, str]:
    return _hours(ck, value, path, across_midnight=False)


def _holidays(*, everyone: bool) -> _Check:
    expected = "a table of country code to an array of dates, such as { IE = [2026-12-29] }"

    def dates(ck: _Checker, value: Any, path: str) -> tuple[date, ...]:
        items = _array(ck, value, path, "an array of TOML local dates such as [2026-12-24]")
        return tuple(_each(ck, items, path, _local_date))

    def check(ck: _Checker, value: Any, path: str) -> dict[str, tuple[date, ...]]:
        table = _table(ck, value, path, expected)
        clean = {}
        for key, listed in table.items():
            key_path = _join(path, key)
            if key == "*" and not everyone:
                ck.add(
                    key_path,
                    '"*" (everyone) is only allowed in extra_holidays; '
                    "list removed holidays by country",
                )
            elif key != "*" and not _is_country(key):
                ck.add(key_path, _country_message(key))
            with contextlib.suppress(_Invalid):
                clean[key] = dates(ck, listed, key_path)
        return clean

    return check


_CALENDAR_CHECKS: Final[Mapping[str, _Check]] = {
    "weekend_days": _weekend_days,
    "working_hours": _working_hours,
    "observed_holidays": _boolean,
    "extra_holidays": _holidays(everyone=True),
    "removed_holidays": _holidays(everyone=False),
    "allow_missing_subdivision": _boolean,
}


def _calendar(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, "a table of calendar settings")
    return _fields(ck, table, path, _CALENDAR_CHECKS)


# --- plans ---

_NEVER_PAID: Final = (
    "in_hours is never paid: working hours are covered by the product teams; "
    f"expected one of {_one_of(OFF_HOURS)}"
)


def _categories(ck: _Checker, value: Any, path: str, check: _Check) -> dict[str, Any]:
    """A table keyed by off-hours category."""
    table = _table(ck, value, path, f"a table keyed by category ({_one_of(OFF_HOURS)})")
    clean = {}
    for category, entry in table.items():
        entry_path = _join(path, category)
        if category == "in_hours":
            ck.add(entry_path, _NEVER_PAID)
            continue
        if category not in OFF_HOURS:
            ck.add(
                entry_path,
                f"unknown category {_string(category)}{_did_you_mean(category, OFF_HOURS)} "
                f"(expected one of {_one_of(OFF_HOURS)})",
            )
            continue
        with contextlib.suppress(_Invalid):
            clean[category] = check(ck, entry, entry_path)
    return clean


def _standby_rate(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, 'a table such as { per = "day", rate = "50.00" }')
    clean = _fields(ck, table, path, {"per": _per, "rate": _rate})
    _require(ck, table, path, "per", '"hour" or "day"')
    _require(ck, table, path, "rate", f"a decimal written as a string, such as {_EXAMPLE_DECIMAL}")
    return clean


def _standby(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    return _categories(ck, value, path, _standby_rate)


def _multipliers(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    return _categories(ck, value, path, _decimal)


def _urgencies(ck: _Checker, value: Any, path: str) -> tuple[str, ...]:
    words = _array(ck, value, path, 'an array of urgency words such as ["high"]')

    def word(ck: _Checker, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ck.fail(path, f'expected an urgency word such as "high", got {_show(value)}')
        return value

    clean = _each(ck, words, path, word)
    _no_repeats(ck, clean if len(clean) == len(words) else [], path)
    return tuple(clean)


def _callout(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, "a table of callout settings")
    checks: dict[str, _Check] = {
        "hourly": _rate,
        "minimum_minutes": _minutes,
        "increment_minutes": _minutes,
        "multipliers": _multipliers,
        "max_minutes": _minutes,
        "urgencies": _urgencies,
        "per_page": _decimal,  # places checked against the plan's currency
    }
    clean = _fields(ck, table, path, checks)
    if "max_minutes" in clean and clean["max_minutes"] < clean.get("minimum_minutes", 0):
        ck.add(
            _join(path, "max_minutes"),
            f"{clean['max_minutes']} is less than minimum_minutes "
            f"{clean.get('minimum_minutes', 0)}; expected max_minutes ≥ minimum_minutes",
        )
    return clean


def _interrupted_weekend(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, 'a table such as { bonus = "150.00", toil_days = "0.5" }')
    return _fields(ck, table, path, {"bonus": _decimal, "toil_days": _decimal})


def _limits(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, 'a table such as { weekly_cap = "1500.00" }')
    return _fields(ck, table, path, {"weekly_cap": _decimal})


def _countries(ck: _Checker, value: Any, path: str) -> tuple[str, ...]:
    codes = _array(ck, value, path, 'an array of country codes such as ["IE", "GB"]')
    clean = _each(ck, codes, path, _country)
    _no_repeats(ck, clean if len(clean) == len(codes) else [], path)
    return tuple(clean)


_PLAN_CHECKS: Final[Mapping[str, _Check]] = {
    "countries": _countries,
    "currency": _currency,
    "weekly_stipend": _rate,
    "standby": _standby,
    "callout": _callout,
    "interrupted_weekend": _interrupted_weekend,
    "limits": _limits,
    "calendar": _calendar,
}

#: The fixed amounts of a plan, which are paid as written: at most the
#: currency's minor unit.
_FIXED_AMOUNTS: Final = (
    ("callout", "per_page"),
    ("interrupted_weekend", "bonus"),
    ("limits", "weekly_cap"),
)


def _plan(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, "a table of plan settings")
    clean = _fields(ck, table, path, _PLAN_CHECKS)
    _require(ck, table, path, "currency", 'an ISO 4217 currency code such as "EUR"')
    currency = clean.get("currency")
    if currency is None:
        return clean
    places = minor_unit(currency)
    for section, key in _FIXED_AMOUNTS:
        amount = clean.get(section, {}).get(key)
        if amount is not None and decimal_places(amount) > places:
            ck.add(
                _join(_join(path, section), key),
                f'"{amount}" has {_decimals(decimal_places(amount))}; {currency} amounts '
                f"may have at most {_decimals(places)} (the currency's minor unit)",
            )
    return clean


def _plans(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, "a table of plans such as [versions.plans.default]")
    if not table:
        raise ck.fail(path, "a version needs at least one plan, such as [versions.plans.default]")
    clean = {}
    for name, plan in table.items():
        with contextlib.suppress(_Invalid):
            clean[name] = _plan(ck, plan, _join(path, name))
    owner: dict[str, str] = {}
    for name, plan in clean.items():
        for i, country in enumerate(plan.get("countries", ())):
            if country in owner and owner[country] != name:
                ck.add(
                    f"{_join(_join(path, name), 'countries')}[{i}]",
                    f'"{country}" is also listed by plan {_string(owner[country])}; '
                    "a country may belong to one plan of a version only",
                )
            owner.setdefault(country, name)
    return clean


# --- versions and the document ---


def _version(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, "a [[versions]] table")
    checks: dict[str, _Check] = {
        "effective_from": _local_date,
        "rounding": _rounding,
        "calendar": _calendar,
        "plans": _plans,
    }
    clean = _fields(ck, table, path, checks)
    _require(ck, table, path, "effective_from", "a TOML local date such as 2026-01-05")
    _require(ck, table, path, "plans", "at least one plan, such as [versions.plans.default]")
    return clean


def _versions(ck: _Checker, value: Any, path: str) -> list[dict[str, Any]]:
    items = _array(ck, value, path, "an array of tables, each written [[versions]]")
    if not items:
        raise ck.fail(path, "expected at least one [[versions]] table, got none")
    clean = []
    first: dict[date, int] = {}
    for i, item in enumerate(items):
        try:
            version = _version(ck, item, f"{path}[{i}]")
        except _Invalid:
            continue
        clean.append(version)
        when = version.get("effective_from")
        if when is None:
            continue
        if when in first:
            ck.add(
                f"{path}[{i}].effective_from",
                f"{when} is also the effective_from of versions[{first[when]}]; "
                "expected a different date for each version",
            )
        first.setdefault(when, i)
    return clean


def _sleep_hours(ck: _Checker, value: Any, path: str) -> dict[str, str]:
    return _hours(ck, value, path, across_midnight=True)


#: ``[health]`` (spec/health.md): ``Policy.health``, a ``HealthSettings``.
_HEALTH_CHECKS: Final[Mapping[str, _Check]] = {
    "monthly_page_target": _whole(1, "pages", 10),
    "sleep_hours": _sleep_hours,
    "min_rest_hours": _decimal,
    "max_consecutive_days": _whole(1, "days", 8),
}


def _health(ck: _Checker, value: Any, path: str) -> dict[str, Any]:
    table = _table(ck, value, path, "a table of health settings")
    return _fields(ck, table, path, _HEALTH_CHECKS)


_POLICY_CHECKS: Final[Mapping[str, _Check]] = {
    "name": _string_value,
    "week_starts_on": _weekday,
    "versions": _versions,
    "health": _health,
}


def _check_policy(ck: _Checker, document: dict[str, Any]) -> dict[str, Any]:
    clean = _fields(ck, document, "", _POLICY_CHECKS)
    _require(ck, document, "", "versions", "at least one [[versions]] table")
    return clean


# --- the second pass: build the values -----------------------------------------


def _build_calendar(clean: Mapping[str, Any]) -> Calendar:
    fields = dict(clean)
    if "working_hours" in fields:
        fields["working_hours"] = WorkingHours(**fields["working_hours"])
    return Calendar(**fields)


def _build_plan(clean: Mapping[str, Any]) -> Plan:
    fields = dict(clean)
    fields["standby"] = {k: StandbyRate(**v) for k, v in clean.get("standby", {}).items()}
    fields["callout"] = Callout(**clean.get("callout", {}))
    fields["interrupted_weekend"] = InterruptedWeekend(**clean.get("interrupted_weekend", {}))
    fields["limits"] = Limits(**clean.get("limits", {}))
    fields["calendar"] = _build_calendar(clean.get("calendar", {}))
    return Plan(**fields)


def _build_version(clean: Mapping[str, Any]) -> Version:
    fields = dict(clean)
    fields["plans"] = {name: _build_plan(plan) for name, plan in clean["plans"].items()}
    fields["calendar"] = _build_calendar(clean.get("calendar", {}))
    return Version(**fields)


def _build_health(clean: Mapping[str, Any]) -> HealthSettings:
    fields = dict(clean)
    if "sleep_hours" in fields:
        fields["sleep_hours"] = SleepHours(**fields["sleep_hours"])
    return HealthSettings(**fields)


def _build_policy(clean: Mapping[str, Any]) -> Policy:
    fields = dict(clean)
    fields["versions"] = [_build_version(v) for v in clean["versions"]]
    fields["health"] = _build_health(clean.get("health", {}))
    return Policy(**fields)


# --- writing -----------------------------------------------------------------

_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
                   "\r": "\\r"}  # fmt: skip


def _string(text: str) -> str:
    """A TOML basic string."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return f'"{"".join(out)}"'


def _number(value: Decimal) -> str:
    # Positional notation keeps every stored digit and never an exponent,
    # which the reader would refuse.
    return _string(format(value, "f"))


def _is_zero_default(value: Decimal) -> bool:
    """Whether a decimal is the untouched default ``Decimal(0)``.

    A ``"0.00"`` written on purpose is kept, so the file reads back as written.
    """
    return value.as_tuple() == Decimal(0).as_tuple()


def _inline(items: Sequence[tuple[str, str]]) -> str:
    if not items:
        return "{}"
    return "{ " + ", ".join(f"{_key(k)} = {v}" for k, v in items) + " }"


def _array_of(values: Sequence[str]) -> str:
    return "[" + ", ".join(values) + "]"


def _dates(mapping: Mapping[str, tuple[date, ...]]) -> str:
    return _inline([(k, _array_of([d.isoformat() for d in v])) for k, v in mapping.items()])


def _calendar_lines(calendar: Calendar) -> Iterator[tuple[str, str]]:
    if calendar.weekend_days is not None:
        yield "weekend_days", _array_of([_string(d) for d in calendar.weekend_days])
    if calendar.working_hours is not None:
        hours = calendar.working_hours
        yield (
            "working_hours",
            _inline([("start", _string(hours.start)), ("end", _string(hours.end))]),
        )
    if calendar.observed_holidays is not None:
        yield "observed_holidays", _bool(calendar.observed_holidays)
    if calendar.extra_holidays:
        yield "extra_holidays", _dates(calendar.extra_holidays)
    if calendar.removed_holidays:
        yield "removed_holidays", _dates(calendar.removed_holidays)
    if calendar.allow_missing_subdivision is not None:
        yield "allow_missing_subdivision", _bool(calendar.allow_missing_subdivision)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _health_lines(health: HealthSettings) -> Iterator[tuple[str, str]]:
    """The settings that differ from the defaults of ``spec/health.md``."""
    default = HealthSettings()
    if health.monthly_page_target != default.monthly_page_target:
        yield "monthly_page_target", str(health.monthly_page_target)
    if health.sleep_hours != default.sleep_hours:
        hours = health.sleep_hours
        yield "sleep_hours", _inline([("start", _string(hours.start)), ("end", _string(hours.end))])
    if health.min_rest_hours != default.min_rest_hours:
        yield "min_rest_hours", _number(health.min_rest_hours)
    if health.max_consecutive_days != default.max_consecutive_days:
        yield "max_consecutive_days", str(health.max_consecutive_days)


def _plan_lines(plan: Plan) -> Iterator[tuple[str, str]]:
    yield "currency", _string(plan.currency)
    if plan.countries:
        yield "countries", _array_of([_string(c) for c in plan.countries])
    if not _is_zero_default(plan.weekly_stipend):
        yield "weekly_stipend", _number(plan.weekly_stipend)
    for category, standby in plan.standby.items():
        rate = _inline([("per", _string(standby.per)), ("rate", _number(standby.rate))])
        yield f"standby.{_key(category)}", rate
    callout = plan.callout
    if not _is_zero_default(callout.hourly):
        yield "callout.hourly", _number(callout.hourly)
    if callout.minimum_minutes:
        yield "callout.minimum_minutes", str(callout.minimum_minutes)
    if callout.increment_minutes:
        yield "callout.increment_minutes", str(callout.increment_minutes)
    if callout.multipliers:
        yield (
            "callout.multipliers",
            _inline([(k, _number(v)) for k, v in callout.multipliers.items()]),
        )
    if callout.max_minutes is not None:
        yield "callout.max_minutes", str(callout.max_minutes)
    if callout.urgencies is not None:
        yield "callout.urgencies", _array_of([_string(u) for u in callout.urgencies])
    if not _is_zero_default(callout.per_page):
        yield "callout.per_page", _number(callout.per_page)
    interrupted = [
        (key, _number(amount))
        for key, amount in (
            ("bonus", plan.interrupted_weekend.bonus),
            ("toil_days", plan.interrupted_weekend.toil_days),
        )
        if not _is_zero_default(amount)
    ]
    if interrupted:
        yield "interrupted_weekend", _inline(interrupted)
    if plan.limits.weekly_cap is not None:
        yield "limits", _inline([("weekly_cap", _number(plan.limits.weekly_cap))])
    for key, value in _calendar_lines(plan.calendar):
        yield f"calendar.{key}", value


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
    lines = []
    if policy.name:
        lines.append(f"name = {_string(policy.name)}")
    lines.append(f"week_starts_on = {_string(policy.week_starts_on)}")
    health = list(_health_lines(policy.health))
    if health:
        lines += ["", "[health]"]
        lines += [f"{key} = {value}" for key, value in health]
    for version in policy.versions:
        lines += [
            "",
            "[[versions]]",
            f"effective_from = {version.effective_from.isoformat()}",
            f"rounding = {_string(version.rounding)}",
        ]
        calendar = list(_calendar_lines(version.calendar))
        if calendar:
            lines += ["", "  [versions.calendar]"]
            lines += [f"  {key} = {value}" for key, value in calendar]
        for name, plan in version.plans.items():
            lines += ["", f"  [versions.plans.{_key(name)}]"]
            lines += [f"  {key} = {value}" for key, value in _plan_lines(plan)]
    return "\n".join(lines) + "\n"
