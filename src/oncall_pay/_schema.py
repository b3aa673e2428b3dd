"""One schema for the pay rules: each field of a rules class declares itself once.

A field of ``Policy``, ``Version``, ``Plan`` and the other rules classes is
made with :func:`rule`, which wraps ``attrs.field`` and stores in its
metadata everything the rest of the library needs to know about the key:

* ``checker`` — how the first pass of the reader checks the TOML value;
* ``label`` and ``unit`` — the words ``diff_policies`` and the rules
  description use;
* ``default`` — the attrs default, which also decides what the writer leaves out;
* ``toml`` — how the writer lays the value out (a key, dotted keys, a
  ``[section]``, named sections, ``[[tables]]``).

The walkers here — :func:`check_document`, :func:`build`,
:func:`write_toml` and :func:`diff_fields` — read ``attrs.fields(cls)`` and
nothing else, so a new key is one declaration (see docs/adding-a-rules-key.md).
Whatever cannot be said per field (a check across fields, a table-wide
message) is a small hook declared with :func:`table` on the class.

This module imports no rules class, so ``_rules.py`` can use it freely.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar

import attrs

from ._errors import Problem

__all__ = [
    "Checker",
    "Invalid",
    "Nested",
    "TomlFloat",
    "build",
    "check_document",
    "diff_fields",
    "rule",
    "rule_meta",
    "table",
    "write_toml",
]

#: How the writer lays out a field: ``key`` (``key = value``, attrs values
#: and mappings as inline tables), ``dotted`` (each part as ``key.part =``),
#: ``section`` (a ``[key]`` table, left out when empty), ``sections`` (a
#: mapping written as one ``[key.name]`` table per entry) and ``tables``
#: (a sequence written as ``[[key]]`` tables).
Layout = Literal["key", "dotted", "section", "sections", "tables"]

_META: Final = "oncall_pay.rule"
_T = TypeVar("_T")


# --- the problems of one document ----------------------------------------------


@attrs.frozen
class TomlFloat:
    """A TOML float, kept as the text it was written with.

    ``tomllib`` hands every float literal to ``parse_float``; keeping the text
    means the error can show exactly the string to write instead.
    """

    text: str


class Invalid(Exception):
    """A problem has been recorded and the value cannot be used further."""


class Checker:
    """Collects the problems of one document."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        """Record a problem at a TOML path."""
        self.problems.append(Problem(message, source=self.source, field=path or None))

    def fail(self, path: str, message: str) -> Invalid:
        """Record a problem; the caller raises the result to drop the value."""
        self.add(path, message)
        return Invalid()


#: Checks one value at a TOML path; returns the clean value or raises Invalid.
Check = Callable[[Checker, Any, str], Any]
#: A table-wide check run after its keys: (checker, raw table, clean keys, path).
After = Callable[[Checker, Mapping[str, Any], dict[str, Any], str], None]
#: Says what changed between two values, for ``diff_policies``; ``context``
#: carries the old and new currency.
Differ = Callable[[str, Any, Any, "DiffContext"], list[str]]


# --- declaring fields and tables -----------------------------------------------


@attrs.frozen
class RuleMeta:
    """What one rules field declares (read it with :func:`rule_meta`)."""

    checker: Check
    label: str
    unit: str | None = None
    toml: Layout = "key"
    #: The text after "missing; expected" when the key is required in TOML.
    required: str | None = None
    #: When the writer leaves the value out; by default, when it is the
    #: attrs default (decimals compared digit by digit, so a written
    #: ``"0.00"`` is kept). ``never`` always writes; ``equal`` compares with ``==``.
    omit: Literal["default", "never", "equal"] = "default"
    #: A fixed amount, paid as written: at most the currency's minor unit.
    fixed: bool = False
    #: Formats one value for ``diff_policies``; ``None`` uses ``unit``.
    show: Callable[[Any], str] | None = None
    #: Says what changed, replacing the ``label old → new`` line.
    diff: Differ | None = None


def rule(
    *,
    checker: Check,
    label: str,
    unit: str | None = None,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    converter: Any = None,
    validator: Any = None,
    toml: Layout = "key",
    required: str | None = None,
    omit: Literal["default", "never", "equal"] = "default",
    fixed: bool = False,
    show: Callable[[Any], str] | None = None,
    diff: Differ | None = None,
) -> Any:
    """An ``attrs.field`` that declares its TOML checker, label, unit and default.

    Everything that reads, writes, compares or describes the rules walks
    these declarations; see docs/adding-a-rules-key.md.
    """
    meta = RuleMeta(
        checker=checker, label=label, unit=unit, toml=toml, required=required,
        omit=omit, fixed=fixed, show=show, diff=diff,
    )  # fmt: skip
    kwargs: dict[str, Any] = {"metadata": {_META: meta}}
    if factory is not None:
        kwargs["factory"] = factory
    else:
        kwargs["default"] = default
    if converter is not None:
        kwargs["converter"] = converter
    if validator is not None:
        kwargs["validator"] = validator
    return attrs.field(**kwargs)


def rule_meta(field: attrs.Attribute[Any]) -> RuleMeta:
    """The declaration of a field made with :func:`rule`.

    Raises:
        TypeError: The field was not made with ``rule``.
    """
    meta = field.metadata.get(_META)
    if not isinstance(meta, RuleMeta):
        msg = f"{field.name} is not declared with rule()"
        raise TypeError(msg)
    return meta


@attrs.frozen
class TableSpec:
    """What a rules class declares as a whole (see :func:`table`)."""

    expected: str
    #: The keys in the order messages list them, when not the field order
    #: (fields not listed follow in field order).
    order: tuple[str, ...] | None = None
    after: After | None = None
    #: The fields ``diff_policies`` reports first, in this order (the rest
    #: follow in field order).
    diff_order: tuple[str, ...] | None = None


_TABLES: dict[type, TableSpec] = {}


def table(
    expected: str,
    *,
    order: Sequence[str] | None = None,
    after: After | None = None,
    diff_order: Sequence[str] | None = None,
) -> Callable[[type[_T]], type[_T]]:
    """Declare how a rules class reads as a TOML table.

    Args:
        expected: What the table is, for "expected …, got …" messages.
        order: The keys in the order "this table takes: …" lists them.
        after: A check across the keys, run after each key is checked.
        diff_order: The order ``diff_policies`` reports the fields in.
    """

    def register(cls: type[_T]) -> type[_T]:
        _TABLES[cls] = TableSpec(
            expected,
            tuple(order) if order is not None else None,
            after,
            tuple(diff_order) if diff_order is not None else None,
        )
        return cls

    return register


def _ordered(first: Sequence[str], names: Sequence[str]) -> list[str]:
    """``first``, then any other of ``names`` in their own order.

    A field added after the declared order is not forgotten: it comes last.
    """
    return [*first, *(n for n in names if n not in first)]


def spec(cls: type) -> TableSpec:
    """The table declaration of a rules class."""
    return _TABLES[cls]


def rule_fields(cls: type) -> Iterator[tuple[attrs.Attribute[Any], RuleMeta]]:
    """Each field of a rules class with its declaration, in field order."""
    for field in attrs.fields(cls):
        yield field, rule_meta(field)


# --- TOML text -------------------------------------------------------------------

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_LITERAL_KEY: Final = re.compile(r"[^'\x00-\x1f\x7f]*")
_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
                   "\r": "\\r"}  # fmt: skip


def toml_string(text: str) -> str:
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


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def join(path: str, key: str) -> str:
    """The TOML path of ``key`` inside ``path``, for messages.

    Keys that are not bare are quoted as TOML literal strings (``'*'``) where
    they can be, so the path reads well inside the double quotes of a message.
    """
    if not _BARE_KEY.fullmatch(key):
        key = f"'{key}'" if _LITERAL_KEY.fullmatch(key) else toml_string(key)
    return f"{path}.{key}" if path else key


def show(value: Any) -> str:
    """A value as it looks in the TOML file, for messages."""
    if isinstance(value, TomlFloat):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)  # pragma: no cover - tomllib gives nothing else


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``; did you mean "x"?`` for the closest choice, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1)
    if not close and word.lower() in choices:
        close = [word.lower()]
    return f'; did you mean "{close[0]}"?' if close else ""


def one_of(choices: Sequence[str]) -> str:
    """Choices for a message: ``a, b, c``."""
    return ", ".join(choices)


# --- the first pass: check ---------------------------------------------------------


def fields_of(
    ck: Checker, table: Mapping[str, Any], path: str, checks: Mapping[str, Check]
) -> dict[str, Any]:
    """Check each key of a table in file order; unknown keys are problems."""
    clean: dict[str, Any] = {}
    for key, value in table.items():
        check = checks.get(key)
        if check is None:
            message = f"unknown key {toml_string(key)}{did_you_mean(key, list(checks))}"
            ck.add(join(path, key), f"{message} (this table takes: {one_of(list(checks))})")
            continue
        with contextlib.suppress(Invalid):
            clean[key] = check(ck, value, join(path, key))
    return clean


def require(ck: Checker, table: Mapping[str, Any], path: str, key: str, expected: str) -> None:
    """A problem when ``key`` is missing from ``table``."""
    if key not in table:
        ck.add(join(path, key), f"missing; expected {expected}")


def expect_table(ck: Checker, value: Any, path: str, expected: str) -> dict[str, Any]:
    """``value`` when it is a TOML table, else a problem."""
    if not isinstance(value, dict):
        raise ck.fail(path, f"expected {expected}, got {show(value)}")
    return value


def check_keys(ck: Checker, table: Mapping[str, Any], path: str, cls: type) -> dict[str, Any]:
    """Check a table against the fields of ``cls``: keys, required keys, then its hook."""
    declared = spec(cls)
    checks = {field.name: meta.checker for field, meta in rule_fields(cls)}
    if declared.order is not None:
        checks = {key: checks[key] for key in _ordered(declared.order, list(checks))}
    clean = fields_of(ck, table, path, checks)
    for field, meta in rule_fields(cls):
        if meta.required is not None:
            require(ck, table, path, field.name, meta.required)
    if declared.after is not None:
        declared.after(ck, table, clean, path)
    return clean


@attrs.frozen
class Nested:
    """The checker of a field whose value is a table of another rules class."""

    cls: type

    def __call__(self, ck: Checker, value: Any, path: str) -> dict[str, Any]:
        table = expect_table(ck, value, path, spec(self.cls).expected)
        return check_keys(ck, table, path, self.cls)

    def build(self, clean: Mapping[str, Any]) -> Any:
        """The value of the class from the clean keys."""
        return build(self.cls, clean)


def check_document(ck: Checker, document: Mapping[str, Any], cls: type) -> dict[str, Any]:
    """The first pass over a whole document: every problem goes to ``ck``."""
    return check_keys(ck, document, "", cls)


# --- the second pass: build ----------------------------------------------------------


def build(cls: type[_T], clean: Mapping[str, Any]) -> _T:
    """The value of ``cls`` from keys the first pass passed.

    A checker with a ``build`` method (a nested table, a list of them)
    turns its clean value into values; others are used as they are. Keys
    left out take the attrs default.
    """
    values = {}
    for field, meta in rule_fields(cls):
        if field.name in clean:
            make = getattr(meta.checker, "build", None)
            values[field.name] = make(clean[field.name]) if make else clean[field.name]
    return cls(**values)


# --- writing -----------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    # Positional notation keeps every stored digit and never an exponent,
    # which the reader would refuse.
    return toml_string(format(value, "f"))


def _inline(items: Sequence[tuple[str, str]]) -> str:
    if not items:
        return "{}"
    return "{ " + ", ".join(f"{toml_key(k)} = {v}" for k, v in items) + " }"


def encode(value: Any) -> str:
    """A value as TOML: decimals as strings with every digit, dates as local dates."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return _inline([(k, encode(v)) for k, v in value.items()])
    if attrs.has(type(value)):
        return _inline(list(_items(value)))
    return "[" + ", ".join(encode(v) for v in value) + "]"


def _default(field: attrs.Attribute[Any]) -> Any:
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()  # type: ignore[union-attr]
    return default


def _left_out(field: attrs.Attribute[Any], meta: RuleMeta, value: Any) -> bool:
    if meta.omit == "never" or field.default is attrs.NOTHING:
        return False
    default = _default(field)
    if attrs.has(type(value)) and meta.omit == "default":
        return False  # an inline table is left out when it has nothing to say
    if meta.omit == "equal":
        return bool(value == default)
    if isinstance(value, Decimal) and isinstance(default, Decimal):
        # A "0.00" written on purpose is kept, so the file reads back as written.
        return value.as_tuple() == default.as_tuple()
    return bool(value == default)


def _items(obj: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """The ``key = value`` lines of an object: its key and dotted fields."""
    for field, meta in rule_fields(type(obj)):
        value = getattr(obj, field.name)
        if meta.toml == "dotted":
            if isinstance(value, Mapping):
                for k, v in value.items():
                    yield f"{prefix}{field.name}.{toml_key(k)}", encode(v)
            else:
                yield from _items(value, f"{prefix}{field.name}.")
        elif meta.toml == "key" and not _left_out(field, meta, value):
            text = encode(value)
            if attrs.has(type(value)) and text == "{}":
                continue  # an inline table with nothing to say
            yield f"{prefix}{field.name}", text


def _body(obj: Any, path: str, indent: str, lines: list[str]) -> None:
    lines += [f"{indent}{key} = {value}" for key, value in _items(obj)]
    inner = "" if not path else indent + "  "
    for layout in ("section", "sections", "tables"):
        for field, meta in rule_fields(type(obj)):
            if meta.toml != layout:
                continue
            value = getattr(obj, field.name)
            name = f"{path}.{field.name}" if path else field.name
            if layout == "section":
                sub: list[str] = []
                _body(value, name, inner, sub)
                if sub:
                    lines += ["", f"{inner}[{name}]", *sub]
            elif layout == "sections":
                for key, item in value.items():
                    lines += ["", f"{inner}[{name}.{toml_key(key)}]"]
                    _body(item, f"{name}.{toml_key(key)}", inner, lines)
            else:
                for item in value:
                    lines += ["", f"{inner}[[{name}]]"]
                    _body(item, name, inner, lines)


def write_toml(obj: Any) -> str:
    """A rules value as a TOML document, laid out as its fields declare.

    Settings at their defaults are left out (see ``omit`` of :func:`rule`),
    so the text reads back as an equal value.
    """
    lines: list[str] = []
    _body(obj, "", "", lines)
    return "\n".join(lines) + "\n"


# --- differences ---------------------------------------------------------------------------


@attrs.frozen
class DiffContext:
    """What a difference is said against: the old and the new currency."""

    old_currency: str = ""
    new_currency: str = ""


def money(old: object, new: object, context: DiffContext) -> str:
    """``old → new CUR`` (both currencies when they differ; ``none`` for no amount).

    A value that is not a decimal (a rate written as ``1.5 × base_hourly``)
    is said in its own words, without a currency.
    """
    oc, nc = context.old_currency, context.new_currency

    def text(value: object, cur: str, *, with_cur: bool) -> str:
        if value is None:
            return "none"
        if not isinstance(value, Decimal):
            return str(value)
        return f"{value} {cur}" if with_cur else f"{value}"

    if (
        oc == nc
        and isinstance(old, Decimal)
        and isinstance(new, Decimal)
    ):
        return f"{text(old, oc, with_cur=False)} → {text(new, nc, with_cur=True)}"
    return f"{text(old, oc, with_cur=True)} → {text(new, nc, with_cur=True)}"


def _shown(meta: RuleMeta, value: Any) -> str:
    if meta.show is not None:
        return meta.show(value)
    if meta.unit is None:
        return str(value)
    return f"{value} {meta.unit}"


def describe_value(meta: RuleMeta, value: Any, currency: str) -> str:
    """One value in the field's declared unit, for the rules description."""
    if meta.unit == "money":
        if value is None:
            return "none"
        return f"{value} {currency}" if isinstance(value, Decimal) else str(value)
    return _shown(meta, value)


def set_fields(obj: Any) -> Iterator[tuple[str, RuleMeta, Any]]:
    """``(dotted name, declaration, value)`` of each field not at its default,
    walking into fields that hold another rules class (unless they declare ``show``)."""
    for field, meta in rule_fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(meta.checker, Nested) and meta.show is None and attrs.has(type(value)):
            for name, inner, found in set_fields(value):
                yield f"{field.name}.{name}", inner, found
        elif field.default is attrs.NOTHING or not _left_out(field, meta, value):
            yield field.name, meta, value


def diff_field(meta: RuleMeta, old: Any, new: Any, context: DiffContext) -> list[str]:
    """The lines saying how one field changed (none when it did not)."""
    if meta.diff is not None:
        return meta.diff(meta.label, old, new, context)
    if old == new:
        return []
    if meta.unit == "money":
        return [f"{meta.label} {money(old, new, context)}"]
    if meta.unit == "day(s)":  # the unit once, at the end
        return [f"{meta.label} {old} → {new} day(s)"]
    return [f"{meta.label} {_shown(meta, old)} → {_shown(meta, new)}"]


def prefixed(label: str, old: Any, new: Any, context: DiffContext) -> list[str]:
    """A differ for a nested table said apart: each of its lines after ``label: ``."""
    return [f"{label}: {line}" for line in diff_fields(type(old), old, new, context)]


def diff_fields(
    cls: type, old: Any, new: Any, context: DiffContext, *, skip: Sequence[str] = ()
) -> list[str]:
    """How two values of a rules class differ, field by field, in declared words.

    A field holding another rules class (a plan's callout) is walked in
    turn, unless it declares ``show`` or ``diff``; ``skip`` names fields the
    caller says in its own words.
    """
    order = _ordered(spec(cls).diff_order or (), [f.name for f in attrs.fields(cls)])
    by_name = {f.name: f for f in attrs.fields(cls)}
    out: list[str] = []
    for name in order:
        if name in skip:
            continue
        meta = rule_meta(by_name[name])
        was, now = getattr(old, name), getattr(new, name)
        if isinstance(meta.checker, Nested) and meta.diff is None and meta.show is None:
            out += diff_fields(meta.checker.cls, was, now, context)
        else:
            out += diff_field(meta, was, now, context)
    return out
