"""The TOML checkers a rules field can declare, and the vocabulary they share.

Each checker takes ``(checker, value, path)``, records any problem with the
TOML path and returns the clean value (or raises ``Invalid`` to drop it);
see docs/rules-file.md for what each kind of value accepts. The constants
and helpers here (weekday names, categories, ``parse_hhmm`` …) are the
ones ``_rules.py`` re-exports.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from datetime import date, time
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final

import holidays

from . import _vocab
from ._model import country_subdivisions, date_range_problem
from ._money import is_currency
from ._schema import (
    Check,
    Checker,
    Invalid,
    TomlFloat,
    did_you_mean,
    expect_table,
    join,
    one_of,
    show,
    toml_string,
)

WEEKDAYS: Final = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
#: Time categories, in the order they are reported, as plain strings (the
#: members of ``_vocab.Category``; strings keep the rules' mappings cheap).
CATEGORIES: Final = tuple(c.value for c in _vocab.CATEGORIES)
#: The categories that are paid.
OFF_HOURS: Final = tuple(c.value for c in _vocab.OFF_HOURS)
ROUNDINGS: Final = ("half_up", "half_even")
#: Rates (stipend, standby and callout rates) may have this many decimals.
RATE_PLACES: Final = 6

_PLAIN_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_EXPONENT: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
_NOT_FINITE: Final = frozenset({"nan", "snan", "inf", "infinity"})
EXAMPLE_DECIMAL: Final = '"12.50"'
#: Every decimal of the rules file is below this: amounts stay well inside
#: what a spreadsheet cell holds exactly (15 significant digits).
DECIMAL_LIMIT: Final = Decimal(10) ** 12
TOO_LARGE: Final = "numbers in the rules are below 1,000,000,000,000"
#: Suggestions for exponent numbers are written out up to this many digits.
_MAX_DIGITS: Final = 30


@cache
def country_alpha2(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code under which the ``holidays`` package files ``code``.

    ``"US"`` gives ``"US"``; the aliases the package also accepts give their
    alpha-2 code (``"USA"`` → ``"US"``, ``"UK"`` → ``"GB"``); an unknown code
    gives ``None``. Rules must use the alpha-2 code itself: a plan listing
    ``"USA"`` would never match a volunteer in ``"US"``.
    """
    if country_subdivisions(code) is None:
        return None
    return str(holidays.country_holidays(code).country)


def parse_hhmm(text: str) -> int:
    """Minutes after local midnight for ``HH:MM`` (``24:00`` allowed).

    Raises:
        ValueError: Not a wall-clock time of that form.
    """
    parts = text.split(":") if isinstance(text, str) else []
    # isascii: str.isdigit also accepts digits such as "²" that int() refuses.
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        msg = f"{text!r} is not a time of the form HH:MM"
        raise ValueError(msg)
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        msg = f"{text!r} is not a wall-clock time between 00:00 and 24:00"
        raise ValueError(msg)
    return hours * 60 + minutes


def decimal_places(value: Decimal) -> int:
    """The decimals a value needs: ``"150.00"`` needs 0, ``"0.125"`` needs 3."""
    # Not Decimal.normalize(): it rounds to the context's 28 digits, so
    # "1.0000000000000000000000000000001" would pass as a whole number.
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    significant = list(digits)
    while exponent < 0 and significant and significant[-1] == 0:
        significant.pop()
        exponent += 1
    return max(0, -exponent) if any(significant) else 0


def decimals(count: int) -> str:
    """``1 decimal``, ``2 decimals``."""
    return "1 decimal" if count == 1 else f"{count} decimals"


# --- arrays ---


def expect_array(ck: Checker, value: Any, path: str, expected: str) -> list[Any]:
    """``value`` when it is a TOML array, else a problem."""
    if not isinstance(value, list):
        raise ck.fail(path, f"expected {expected}, got {show(value)}")
    return value


def each(ck: Checker, items: list[Any], path: str, check: Check) -> list[Any]:
    """Each item checked; the ones with problems are left out."""
    clean = []
    for i, item in enumerate(items):
        with contextlib.suppress(Invalid):
            clean.append(check(ck, item, f"{path}[{i}]"))
    return clean


def no_repeats(ck: Checker, items: list[Any], path: str) -> None:
    """A problem for each item listed a second time."""
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item in seen:
            ck.add(f"{path}[{i}]", f"{show(item)} is listed twice")
        seen.add(item)


# --- numbers ---


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


def decimal(ck: Checker, value: Any, path: str) -> Decimal:
    """A decimal ≥ 0 written as a string or an integer."""
    expected = f"a decimal number ≥ 0 written as a string, such as {EXAMPLE_DECIMAL}"
    if isinstance(value, TomlFloat):
        raise ck.fail(path, _float_message(value.text, expected))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ck.fail(path, f"expected {expected}, got {show(value)}")
    if isinstance(value, int):
        number = Decimal(value)
    else:
        text = value.strip()
        if text.lower().lstrip("+-") in _NOT_FINITE:
            raise ck.fail(path, f"{show(value)} is not a finite number; expected {expected}")
        if _EXPONENT.fullmatch(text):
            plain = _positional(text)
            hint = f'write the plain number "{plain}"' if plain else f"expected {expected}"
            raise ck.fail(path, f"{show(value)} has an exponent; {hint}")
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise ck.fail(path, f"expected {expected}, got {show(value)}")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ck.fail(path, f"expected {expected}, got {show(value)}") from None
    if number < 0:
        raise ck.fail(path, f"{show(value)} is negative; expected an amount ≥ 0")
    if number >= DECIMAL_LIMIT:
        raise ck.fail(path, f"{show(value)} is too large; {TOO_LARGE}")
    return number


def rate(ck: Checker, value: Any, path: str) -> Decimal:
    """A rate: a decimal ≥ 0 with at most ``RATE_PLACES`` significant decimals."""
    number = decimal(ck, value, path)
    places = decimal_places(number)
    if places > RATE_PLACES:
        raise ck.fail(
            path,
            f"{show(value)} has {decimals(places)}; "
            f"a rate may have at most {decimals(RATE_PLACES)}",
        )
    return number


def whole(minimum: int, unit: str, example: int, *, maximum: int) -> Check:
    """A whole number of ``unit`` from ``minimum`` to ``maximum``."""

    def check(ck: Checker, value: Any, path: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            if value > maximum:
                raise ck.fail(path, f"{value} is more than {maximum} {unit}, the most allowed")
            return value
        message = f"expected a whole number of {unit} ≥ {minimum}, such as {example}, got "
        if isinstance(value, str) and value.strip().isdigit():
            raise ck.fail(path, f"{message}{show(value)} (write whole numbers without quotes)")
        raise ck.fail(path, f"{message}{show(value)}")

    return check


#: The most minutes a callout setting may have: a week.
MAX_MINUTES: Final = 7 * 24 * 60
minutes: Final = whole(0, "minutes", 30, maximum=MAX_MINUTES)


#: The largest callout multiplier: with every rate below 10^12 and a week's
#: hours, any line stays far inside the 28 digits Decimal arithmetic keeps.
MAX_MULTIPLIER: Final = 100


def multiplier(ck: Checker, value: Any, path: str) -> Decimal:
    """A multiplier: a decimal from 0 to ``MAX_MULTIPLIER``."""
    number = decimal(ck, value, path)
    if number > MAX_MULTIPLIER:
        raise ck.fail(path, f"{show(value)} is more than {MAX_MULTIPLIER}, the most allowed")
    return number


def hours_at_most(maximum: int) -> Check:
    """A decimal number of hours ≥ 0, at most ``maximum``."""

    def check(ck: Checker, value: Any, path: str) -> Decimal:
        number = decimal(ck, value, path)
        if number > maximum:
            raise ck.fail(path, f"{show(value)} is more than {maximum} hours, the most allowed")
        return number

    return check


# --- words, dates, times ---


def string(ck: Checker, value: Any, path: str) -> str:
    """Any string."""
    if not isinstance(value, str):
        raise ck.fail(path, f"expected a string in double quotes, got {show(value)}")
    return value


def boolean(ck: Checker, value: Any, path: str) -> bool:
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        hint = " (without quotes)" if isinstance(value, str) and value in ("true", "false") else ""
        raise ck.fail(path, f"expected true or false{hint}, got {show(value)}")
    return value


def choice(choices: Sequence[str], what: str) -> Check:
    """One of ``choices``."""

    def check(ck: Checker, value: Any, path: str) -> str:
        if isinstance(value, str) and value in choices:
            return value
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise ck.fail(path, f"expected {what} ({one_of(choices)}), got {show(value)}{hint}")

    return check


weekday: Final = choice(WEEKDAYS, "an English weekday name in lower case")
rounding: Final = choice(ROUNDINGS, "a rounding mode")
per: Final = choice(("hour", "day"), "the unit a standby rate is paid per")


def local_date(ck: Checker, value: Any, path: str) -> date:
    """A TOML local date."""
    expected = "a TOML local date such as 2026-01-05 (no quotes, no time of day)"
    if type(value) is date:
        problem = date_range_problem(value)
        if problem is not None:
            raise ck.fail(path, problem)
        return value
    if isinstance(value, str):
        try:
            written = date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
        else:
            raise ck.fail(
                path, f"expected {expected}, got the string {show(value)}; write {written}"
            )
    raise ck.fail(path, f"expected {expected}, got {show(value)}")


def wall_time(ck: Checker, value: Any, path: str) -> str:
    """A wall-clock time ``"HH:MM"`` (``"24:00"`` allowed)."""
    expected = 'a local wall-clock time "HH:MM" from "00:00" to "24:00", such as "09:00"'
    if isinstance(value, time):
        raise ck.fail(
            path, f'expected {expected}, got the TOML time {show(value)}; write "{value:%H:%M}"'
        )
    if not isinstance(value, str):
        raise ck.fail(path, f"expected {expected}, got {show(value)}")
    try:
        parse_hhmm(value)
    except ValueError:
        raise ck.fail(path, f"expected {expected}, got {show(value)}") from None
    return value


def currency(ck: Checker, value: Any, path: str) -> str:
    """An ISO 4217 currency code."""
    if isinstance(value, str) and is_currency(value):
        return value
    hint = ""
    if isinstance(value, str) and is_currency(value.strip().upper()):
        hint = f'; did you mean "{value.strip().upper()}"?'
    raise ck.fail(
        path, f'expected an ISO 4217 currency code such as "EUR", got {show(value)}{hint}'
    )


def country_message(value: Any) -> str:
    """The problem with a country code that is not one."""
    message = (
        "expected an ISO 3166-1 alpha-2 country code that the holidays package knows, "
        f'such as "IE" or "US"; got {show(value)}'
    )
    if isinstance(value, str):
        alpha2 = country_alpha2(value.strip().upper())
        if alpha2 is not None:
            message += f'; did you mean "{alpha2}"?'
    return message


def is_country(value: Any) -> bool:
    """Whether ``value`` is an alpha-2 code the holidays package knows."""
    return isinstance(value, str) and country_alpha2(value) == value


def country(ck: Checker, value: Any, path: str) -> str:
    """A country code."""
    if isinstance(value, str) and is_country(value):
        return value
    raise ck.fail(path, country_message(value))


def countries(ck: Checker, value: Any, path: str) -> tuple[str, ...]:
    """An array of country codes, none twice."""
    codes = expect_array(ck, value, path, 'an array of country codes such as ["IE", "GB"]')
    clean = each(ck, codes, path, country)
    no_repeats(ck, clean if len(clean) == len(codes) else [], path)
    return tuple(clean)


def _words(
    ck: Checker,
    value: Any,
    path: str,
    *,
    one: str,
    many: str,
    example: str,
    key: Callable[[str], str] = str,
) -> tuple[str, ...]:
    """An array of non-empty texts, none twice (as ``key`` compares them)."""
    items = expect_array(ck, value, path, f'an array of {many} such as ["{example}"]')

    def word(ck: Checker, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ck.fail(path, f'expected {one} such as "{example}", got {show(value)}')
        return value

    clean = each(ck, items, path, word)
    no_repeats(ck, [key(w) for w in clean] if len(clean) == len(items) else [], path)
    return tuple(clean)


def urgencies(ck: Checker, value: Any, path: str) -> tuple[str, ...]:
    """An array of urgency words, none twice."""
    return _words(ck, value, path, one="an urgency word", many="urgency words", example="high")


def roles(ck: Checker, value: Any, path: str) -> tuple[str, ...]:
    """An array of shift roles, none twice (compared without case and spaces)."""
    return _words(
        ck, value, path, one="a shift role", many="shift roles", example="level 2",
        key=lambda r: " ".join(r.split()).casefold(),
    )  # fmt: skip


# --- calendars ---


def weekend_days(ck: Checker, value: Any, path: str) -> tuple[str, ...]:
    """An array of weekday names that leaves at least one workday."""
    days = expect_array(ck, value, path, 'an array of weekday names such as ["saturday", "sunday"]')
    clean = each(ck, days, path, weekday)
    if len(clean) == len(days) and len(set(clean)) == len(WEEKDAYS):
        raise ck.fail(
            path, "every day of the week is a weekend day; at least one must be a workday"
        )
    return tuple(clean)


def holidays_by_country(*, everyone: bool) -> Check:
    """A table of country code (or ``"*"`` when ``everyone``) to an array of dates."""
    expected = "a table of country code to an array of dates, such as { IE = [2026-12-29] }"

    def dates(ck: Checker, value: Any, path: str) -> tuple[date, ...]:
        items = expect_array(ck, value, path, "an array of TOML local dates such as [2026-12-24]")
        return tuple(each(ck, items, path, local_date))

    def check(ck: Checker, value: Any, path: str) -> dict[str, tuple[date, ...]]:
        table = expect_table(ck, value, path, expected)
        clean = {}
        for key, listed in table.items():
            key_path = join(path, key)
            if key == "*" and not everyone:
                ck.add(
                    key_path,
                    '"*" (everyone) is only allowed in extra_holidays; '
                    "list removed holidays by country",
                )
            elif key != "*" and not is_country(key):
                ck.add(key_path, country_message(key))
            with contextlib.suppress(Invalid):
                clean[key] = dates(ck, listed, key_path)
        return clean

    return check


# --- tables keyed by category ---

_NEVER_PAID: Final = (
    "in_hours is never paid: working hours are covered by the product teams; "
    f"expected one of {one_of(OFF_HOURS)}"
)


class ByCategory:
    """A table keyed by off-hours category, each entry checked by ``check``."""

    def __init__(self, check: Check) -> None:
        self.check = check

    def __call__(self, ck: Checker, value: Any, path: str) -> dict[str, Any]:
        table = expect_table(ck, value, path, f"a table keyed by category ({one_of(OFF_HOURS)})")
        clean = {}
        for category, entry in table.items():
            entry_path = join(path, category)
            if category == "in_hours":
                ck.add(entry_path, _NEVER_PAID)
                continue
            if category not in OFF_HOURS:
                ck.add(
                    entry_path,
                    f"unknown category {toml_string(category)}"
                    f"{did_you_mean(category, OFF_HOURS)} (expected one of {one_of(OFF_HOURS)})",
                )
                continue
            with contextlib.suppress(Invalid):
                clean[category] = self.check(ck, entry, entry_path)
        return clean

    def build(self, clean: dict[str, Any]) -> dict[str, Any]:
        """Each entry built by the entry checker's ``build``, if it has one."""
        make = getattr(self.check, "build", None)
        return {k: make(v) for k, v in clean.items()} if make else clean


# --- payroll ---

#: The keys of ``[versions.payroll] codes``: each line kind, each line kind
#: that has time categories per paid category (``standby.weekend``), and
#: ``toil_days`` for the days off in lieu.
EARNING_CODE_KEYS: Final = (
    *(
        key
        for kind in _vocab.LINE_KINDS
        for key in (
            kind.value,
            *(
                f"{kind.value}.{c}"
                for c in OFF_HOURS
                if kind in (_vocab.LineKind.STANDBY, _vocab.LineKind.CALLOUT, _vocab.LineKind.PAGE)
            ),
        )
    ),
    "toil_days",
)
_EARNING_CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,19}")


def earning_code_problem(key: str, code: object) -> str | None:
    """What is wrong with one entry of ``codes``, or ``None``."""
    if key not in EARNING_CODE_KEYS:
        return (
            f"unknown line {toml_string(key)}{did_you_mean(key, EARNING_CODE_KEYS)} "
            f"(expected one of {one_of(EARNING_CODE_KEYS)})"
        )
    if not isinstance(code, str) or not _EARNING_CODE.fullmatch(code):
        return (
            "expected an earning code of 1 to 20 letters, digits, '_', '.' or '-' "
            f"starting with a letter or digit, such as \"ONC1\" or \"4100\", got {show(code)}"
        )
    return None


def earning_codes(ck: Checker, value: Any, path: str) -> dict[str, str]:
    """``{ stipend = "ONC1", "standby.weekend" = "ONC2", … }``."""
    table = expect_table(
        ck, value, path, 'a table of earning codes such as { stipend = "ONC1" }'
    )
    clean = {}
    for key, code in table.items():
        problem = earning_code_problem(key, code)
        if problem is None:
            clean[key] = code
        else:
            ck.add(join(path, key), problem)
    return clean
