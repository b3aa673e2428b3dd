"""The one schema of the rules (docs/adding-a-rules-key.md): a key is one declaration.

Reading (check and build), writing, comparing and describing all walk the
``rule()`` declarations of the rules classes; these tests show a new key is
picked up everywhere without other code, and that no field goes undeclared.
"""

# rule() is attrs.field with its declaration in the metadata: no shared mutable default.
# ruff: noqa: RUF009

from __future__ import annotations

import ast
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import oncall_pay as op
from oncall_pay import _checks as checks
from oncall_pay._explain import describe_policy
from oncall_pay._schema import (
    Checker,
    DiffContext,
    Nested,
    TomlFloat,
    build,
    check_document,
    diff_fields,
    rule,
    rule_meta,
    spec,
    table,
    write_toml,
)

RULES_CLASSES = [
    op.Policy, op.Version, op.Plan, op.Callout, op.StandbyRate, op.InterruptedWeekend,
    op.Limits, op.Calendar, op.WorkingHours, op.HealthSettings, op.SleepHours, op.Payroll,
    op.NightHours,
]  # fmt: skip


@pytest.mark.parametrize("cls", RULES_CLASSES, ids=lambda c: c.__name__)
def test_every_rules_field_declares_a_checker_and_a_label(cls: type) -> None:
    """No field of a rules class is left undeclared: each has a checker and a label."""
    assert spec(cls).expected
    for field in attrs.fields(cls):
        meta = rule_meta(field)
        assert callable(meta.checker), field.name
        assert meta.label.strip(), field.name
        if isinstance(meta.checker, Nested):
            assert meta.checker.cls in RULES_CLASSES, field.name


@pytest.mark.parametrize("cls", RULES_CLASSES, ids=lambda c: c.__name__)
def test_declared_key_orders_name_every_field_once(cls: type) -> None:
    """An explicit key or diff order names real fields, each once (the rest follow)."""
    names = [f.name for f in attrs.fields(cls)]
    declared = spec(cls)
    for order in (declared.order, declared.diff_order):
        if order is not None:
            assert len(set(order)) == len(order)
            assert set(order) <= set(names)


def test_a_field_not_declared_with_rule_is_refused() -> None:
    """rule_meta names a field made with plain attrs.field."""

    @attrs.frozen
    class Plain:
        x: int = 0

    with pytest.raises(TypeError, match="x is not declared with rule"):
        rule_meta(attrs.fields(Plain).x)


# --- a throw-away rules class: one declaration per key, nothing else ---------------


@table('a table such as { level = 2, fee = "1.50" }')
@attrs.frozen
class Toy:
    level: int = rule(
        checker=checks.whole(0, "steps", 3, maximum=100), label="toy level", unit="steps", default=0
    )
    fee: Decimal = rule(checker=checks.decimal, label="toy fee", unit="money", default=Decimal(0))


@table("a table with a toy")
@attrs.frozen
class Box:
    name: str = rule(checker=checks.string, label="box name", omit="never", default="")
    toy: Toy = rule(checker=Nested(Toy), label="toy", factory=Toy, toml="dotted")


def _read(document: dict[str, object]) -> tuple[Box | None, list[str]]:
    ck = Checker("box.toml")
    clean = check_document(ck, document, Box)
    if ck.problems:
        return None, [str(p) for p in ck.problems]
    return build(Box, clean), []


def test_a_new_class_is_checked_and_built_from_its_declarations() -> None:
    """The first pass checks each declared key; the second builds the values."""
    box, problems = _read({"name": "b", "toy": {"level": 2, "fee": "1.50"}})
    assert problems == []
    assert box == Box("b", Toy(2, Decimal("1.50")))


def test_a_new_class_reports_every_problem_at_its_path() -> None:
    """Bad values, floats and unknown keys are reported with the declared checkers' words."""
    _box, problems = _read({"toy": {"level": -1, "fee": TomlFloat("1.5"), "colour": "red"}})
    assert problems == [
        'box.toml, field "toy.level": expected a whole number of steps ≥ 0, such as 3, got -1',
        'box.toml, field "toy.fee": 1.5 is a TOML float; write it as a string: "1.5" '
        "(binary floats cannot hold amounts exactly)",
        'box.toml, field "toy.colour": unknown key "colour" (this table takes: level, fee)',
    ]


def test_a_new_class_is_written_as_declared_and_reads_back() -> None:
    """The writer lays out dotted keys and leaves defaults out; the text reads back equal."""
    box = Box("b", Toy(level=2))
    text = write_toml(box)
    assert text == 'name = "b"\ntoy.level = 2\n'
    again, problems = _read(tomllib.loads(text, parse_float=TomlFloat))
    assert problems == []
    assert again == box
    # A zero written on purpose is kept, unlike the untouched default.
    assert write_toml(Box("b", Toy(fee=Decimal("0.00")))) == 'name = "b"\ntoy.fee = "0.00"\n'


def test_a_new_class_is_compared_with_its_labels_and_units() -> None:
    """diff_fields says each change with the declared label and unit."""
    lines = diff_fields(Box, Box("a"), Box("b", Toy(3, Decimal("2.00"))), DiffContext("EUR", "EUR"))
    assert lines == ["box name a → b", "toy level 0 steps → 3 steps", "toy fee 0 → 2.00 EUR"]


# --- a new plan key: one declaration, picked up by the real walkers ------------------


@table("a table of plan settings", order=spec(op.Plan).order, after=spec(op.Plan).after)
@attrs.frozen
class PlanWithPremium(op.Plan):
    """A plan with one more key, as a newcomer would add it to Plan."""

    night_premium: Decimal = rule(
        checker=checks.rate, label="night premium", unit="money", default=Decimal(0)
    )


def _policy(plan: op.Plan) -> op.Policy:
    return op.Policy(versions=(op.Version(date(2026, 1, 5), {"default": plan}),))


def test_a_new_plan_key_is_read_written_compared_and_described() -> None:
    """Adding one rule() to a plan reaches the reader, writer, diff and description."""
    ck = Checker("rules.toml")
    clean = Nested(PlanWithPremium)(ck, {"currency": "EUR", "night_premium": "5.00"}, "p")
    assert ck.problems == []
    plan = build(PlanWithPremium, clean)
    assert plan.night_premium == Decimal("5.00")

    Nested(PlanWithPremium)(ck, {"currency": "EUR", "night_premium": "5.1234567"}, "p")
    assert [p.field for p in ck.problems] == ["p.night_premium"]
    assert "a rate may have at most 6 decimals" in ck.problems[0].message

    Nested(PlanWithPremium)(ck, {"currency": "EUR", "night_premum": "1"}, "q")
    assert ck.problems[-1].message.startswith('unknown key "night_premum"; did you mean')
    assert ck.problems[-1].message.endswith("calendar, tiers, rate_sets, night_premium)")

    text = write_toml(_policy(plan))
    assert '  night_premium = "5.00"\n' in text

    before = _policy(PlanWithPremium(currency="EUR"))
    assert op.diff_policies(before, _policy(plan)) == [
        "version of 2026-01-05: plan 'default': night premium 0 → 5.00 EUR"
    ]
    assert "    night premium: 5.00 EUR" in describe_policy(_policy(plan)).splitlines()
    assert "night premium" not in describe_policy(before)


def test_policy_to_toml_does_not_need_the_reader() -> None:
    """Policy.to_toml writes through the schema; _rules imports nothing of _rules_file."""
    import oncall_pay._rules as rules_module

    tree = ast.parse(Path(rules_module.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "_rules_file" not in imported
    assert {"_schema", "_checks"} <= imported
    policy = _policy(op.Plan(currency="EUR", weekly_stipend=Decimal("1")))
    assert op.parse_policy(policy.to_toml()) == policy


@table("a table of plan settings", order=spec(op.Plan).order, after=spec(op.Plan).after)
@attrs.frozen
class PlanWithFee(op.Plan):
    """A plan with a fixed amount of its own (not inside a section)."""

    monthly_fee: Decimal = rule(
        checker=checks.decimal, label="monthly fee", unit="money", fixed=True,
        default=Decimal(0),
    )  # fmt: skip


def test_a_declared_rate_or_fixed_amount_is_checked_for_python_callers_too() -> None:
    """Built in Python, a new key gets the places its declaration gives it in the file."""
    assert PlanWithPremium(currency="EUR", night_premium=Decimal("5.123456")).night_premium
    with pytest.raises(op.PolicyError) as caught:
        PlanWithPremium(currency="EUR", night_premium=Decimal("5.1234567"))
    assert caught.value.field == "night_premium"
    assert caught.value.message == "5.1234567 has more than 6 decimals"
    assert PlanWithFee(currency="EUR", monthly_fee=Decimal("9.99")).monthly_fee
    with pytest.raises(op.PolicyError) as caught:
        PlanWithFee(currency="JPY", monthly_fee=Decimal("9.5"))
    assert caught.value.field == "monthly_fee"
    assert caught.value.message == "9.5 has more decimals than JPY's minor unit (0)"
