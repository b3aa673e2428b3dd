"""Tiers: rates by shift role (escalation levels, shadows), issue 15.

The worked examples of docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows,
on the spec's example plan (EUR, stipend 300.00, weekend 50.00 a day,
callout 40.00 an hour with a 30-minute minimum in 15-minute steps, weekend
×1.5, interrupted weekend 150.00 and half a day off in lieu).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest

import oncall_pay as op
from helpers import DUBLIN, example_plan, example_policy, local, page
from oncall_pay import cli
from oncall_pay._explain import describe_policy, explain_statement
from oncall_pay._payroll import PeriodRule, payroll_rows
from oncall_pay._rules_file import parse_policy, policy_to_toml

DUBLIN_TZ = "Europe/Dublin"
WEEK = date(2026, 11, 16)  # a Monday; Saturday is 21 November

ESCALATION = op.Tier(
    roles=("level 2",),
    weekly_stipend=Decimal("60.00"),
    standby={"weekend": op.StandbyRate("day", Decimal("10.00"))},
    callout=op.Callout(
        hourly=Decimal("60.00"),
        minimum_minutes=60,
        increment_minutes=15,
        multipliers={"weekend": Decimal("1.5")},
    ),
    interrupted_weekend=op.InterruptedWeekend(bonus=Decimal("200.00"), toil_days=Decimal("1")),
)


def tiered_policy(**tiers: op.Tier) -> op.Policy:
    return example_policy(example_plan(tiers=tiers or {"escalation": ESCALATION}))


def shift(role: str | None, start: tuple[int, ...], end: tuple[int, ...]) -> op.Shift:
    return op.Shift("alice", local(DUBLIN_TZ, *start), local(DUBLIN_TZ, *end), role)


FULL_WEEK = ((2026, 11, 16), (2026, 11, 23))
SATURDAY_0210 = local(DUBLIN_TZ, 2026, 11, 21, 2, 10)

TIERED_RULES = """
[[versions]]
effective_from = 2026-01-05
  [versions.plans.default]
  currency = "EUR"
  weekly_stipend = "300.00"
  [versions.plans.default.tiers.escalation]
  roles = ["Level  2", "level 3"]
  weekly_stipend = "60.00"
  callout.hourly = "60.00"
  [versions.plans.default.tiers.shadow]
"""


def run(shifts: list[op.Shift], pages: list[op.Page], policy: op.Policy) -> op.Report:
    return op.compute([DUBLIN], shifts, pages, policy, start=WEEK, end=WEEK)


def lines(report: op.Report) -> list[tuple[str, str | None, str | None, str]]:
    (st,) = report.statements
    return [(li.kind, li.category, li.tier, str(li.amount)) for li in st.lines]


def test_a_full_week_on_level_two_is_paid_by_the_escalation_tier() -> None:
    report = run([shift("Level 2", *FULL_WEEK)], [], tiered_policy())
    assert lines(report) == [
        ("stipend", None, "escalation", "60.00"),
        ("standby", "weekend", "escalation", "20.00"),
    ]
    assert str(report.statements[0].total) == "80.00"
    # Level-2 time is cover: its hours are on the statement and in health.
    assert report.statements[0].hours["weekend"] == Decimal(48)
    assert [f.measure for f in report.health.fairness] == ["off_hours_hours", "counted_pages"]


def test_a_manager_paged_as_level_two_is_paid_the_tiers_callout_and_bonus() -> None:
    saturday = page("P1", "alice", SATURDAY_0210, worked=timedelta(minutes=45))
    report = run([shift("level 2", *FULL_WEEK)], [saturday], tiered_policy())
    # 45 min raised to the tier's 60-minute minimum, × 60.00 × 1.5.
    assert lines(report) == [
        ("stipend", None, "escalation", "60.00"),
        ("standby", "weekend", "escalation", "20.00"),
        ("callout", "weekend", "escalation", "90.00"),
        ("interrupted_weekend", None, "escalation", "200.00"),
    ]
    st = report.statements[0]
    assert (str(st.total), st.toil_days) == ("370.00", Decimal(1))
    (outcome,) = report.pages
    assert (outcome.counted, outcome.tier) == (True, "escalation")
    (month,) = report.health.months
    assert (month.counted_pages, month.escalations) == (1, 1)
    assert report.health.volunteers[0].escalations == 1
    text = explain_statement(report, DUBLIN, WEEK)
    assert "callout (weekend) — tier 'escalation'" in text
    assert "P1 Sat 21 Nov 02:10 +0000 weekend, counted, tier 'escalation'" in text


def test_primary_time_beats_the_tier_and_a_block_pays_its_best_bonus() -> None:
    """Level 2 all week and a primary Saturday: Saturday is the plan's own
    time; Sunday stays level 2. The Saturday page is primary, the Sunday page
    escalation; their one rest block pays the better bonus, the tier's."""
    shifts = [shift("level 2", *FULL_WEEK), shift(None, (2026, 11, 21), (2026, 11, 22))]
    pages = [
        page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3), worked=timedelta(minutes=20)),
        page("P2", "alice", local(DUBLIN_TZ, 2026, 11, 22, 3), worked=timedelta(minutes=20)),
    ]
    report = run(shifts, pages, tiered_policy())
    assert lines(report) == [
        ("stipend", None, None, "58.54"),  # 300 × 24/123
        ("standby", "weekend", None, "50.00"),
        ("callout", "weekend", None, "30.00"),  # 30 min × 40 × 1.5
        ("stipend", None, "escalation", "48.29"),  # 60 × 99/123
        ("standby", "weekend", "escalation", "10.00"),
        ("callout", "weekend", "escalation", "90.00"),  # 60 min × 60 × 1.5
        ("interrupted_weekend", None, "escalation", "200.00"),
    ]
    st = report.statements[0]
    assert (str(st.total), st.toil_days) == ("486.83", Decimal(1))
    assert [(p.page_id, p.tier) for p in report.pages] == [("P1", None), ("P2", "escalation")]
    assert report.health.months[0].escalations == 1
    # Overlap between roles is settled by the order, without a notice.
    assert not any(n.kind == "overlap" for n in report.notices)


def test_overlapping_shifts_of_one_role_are_merged_with_a_notice() -> None:
    week = shift("level 2", *FULL_WEEK)
    report = run([week, week], [], tiered_policy())
    assert lines(report) == lines(run([week], [], tiered_policy()))
    assert [n.kind for n in report.notices if n.kind == "overlap"] == ["overlap"]


def test_a_tier_without_rates_pays_nothing_but_its_pages_still_count() -> None:
    empty = op.Tier(roles=("level 2",))
    saturday = page("P1", "alice", SATURDAY_0210, worked=timedelta(minutes=45))
    report = run([shift("level 2", *FULL_WEEK)], [saturday], tiered_policy(escalation=empty))
    (st,) = report.statements
    assert (st.lines, str(st.total), st.toil_days) == ((), "0.00", Decimal(0))
    (outcome,) = report.pages
    assert (outcome.counted, outcome.tier) == (True, "escalation")
    assert report.health.months[0].escalations == 1


def test_a_tier_that_pays_no_urgency_does_not_count_its_pages() -> None:
    muted = attrs.evolve(ESCALATION, callout=op.Callout(urgencies=()))
    saturday = page("P1", "alice", SATURDAY_0210, worked=timedelta(minutes=45))
    report = run([shift("level 2", *FULL_WEEK)], [saturday], tiered_policy(escalation=muted))
    (outcome,) = report.pages
    assert (outcome.counted, outcome.reason, outcome.tier) == (False, "urgency", None)
    assert report.health.months[0].escalations == 0


def test_a_role_no_tier_lists_is_the_plans_own_time() -> None:
    policy = tiered_policy()
    plain = run([shift(None, *FULL_WEEK)], [], policy)
    for role in ("level 3", "primary", "level 1"):
        assert lines(run([shift(role, *FULL_WEEK)], [], policy)) == lines(plain)
    assert lines(plain) == [
        ("stipend", None, None, "300.00"),
        ("standby", "weekend", None, "100.00"),
    ]


def test_a_shadow_tier_pays_shadow_time_which_is_never_cover() -> None:
    shadow = op.Tier(weekly_stipend=Decimal("25.00"))
    policy = tiered_policy(shadow=shadow)
    assert policy.versions[0].plans["default"].tiers["shadow"].roles == ("shadow",)
    saturday = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3), worked=timedelta(minutes=20))
    report = run([shift("Shadow", *FULL_WEEK)], [saturday], policy)
    assert lines(report) == [("stipend", None, "shadow", "25.00")]
    st = report.statements[0]
    assert sum(st.hours.values()) == 0  # not cover
    (outcome,) = report.pages
    assert (outcome.counted, outcome.tier) == (True, "shadow")
    # Health: no cover, no pages, no rest blocks, no escalations.
    assert report.health.fairness == ()
    (month,) = report.health.months
    assert (month.counted_pages, month.interrupted_rest_blocks, month.escalations) == (0, 0, 0)
    # Beside a primary week the shadow tier gets nothing: cover comes first.
    both = run([shift("shadow", *FULL_WEEK), shift(None, *FULL_WEEK)], [saturday], policy)
    alone = run([shift(None, *FULL_WEEK)], [saturday], policy)
    assert both.statements == alone.statements


def test_without_a_shadow_tier_shadow_time_is_still_nothing() -> None:
    saturday = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3))
    report = run([shift("shadow", *FULL_WEEK)], [saturday], tiered_policy())
    (st,) = report.statements
    assert st.lines == ()
    assert (report.pages[0].counted, report.pages[0].reason) == (False, "not_on_call")


def test_rate_factor_and_the_weekly_cap_cover_every_tier() -> None:
    capped = example_plan(
        tiers={"escalation": ESCALATION}, limits=op.Limits(weekly_cap=Decimal("100.00"))
    )
    senior = attrs.evolve(DUBLIN, rate_factor=Decimal("1.5"))
    week = shift("level 2", *FULL_WEEK)
    report = op.compute([senior], [week], [], example_policy(capped), start=WEEK, end=WEEK)
    (st,) = report.statements
    assert [(li.kind, li.tier, li.rate, str(li.amount)) for li in st.lines] == [
        ("stipend", "escalation", Decimal("90.0000"), "90.00"),
        ("standby", "escalation", Decimal("15.0000"), "30.00"),
        ("cap", None, None, "-20.00"),
    ]
    assert str(st.total) == "100.00"


def test_a_version_without_the_tier_pays_the_role_as_its_own_time() -> None:
    later = WEEK + timedelta(weeks=1)
    policy = op.Policy(
        versions=(
            example_policy(example_plan(tiers={"escalation": ESCALATION})).versions[0],
            attrs.evolve(example_policy().versions[0], effective_from=later),
        )
    )
    shifts = [shift("level 2", (2026, 11, 16), (2026, 11, 30))]
    report = op.compute([DUBLIN], shifts, [], policy, start=WEEK, end=later)
    first, second = report.statements
    assert {li.tier for li in first.lines} == {"escalation"}
    assert {li.tier for li in second.lines} == {None}
    assert str(second.total) == "400.00"


def test_a_tiers_rate_may_be_a_multiple_of_the_base_hourly() -> None:
    """callout.hourly = { factor = "2", of = "base_hourly" } in a tier: twice the
    volunteer's own base; without a base in the roster, an error naming the tier."""
    doubled = attrs.evolve(
        ESCALATION,
        callout=attrs.evolve(ESCALATION.callout, hourly=op.OfBase(Decimal(2), "base_hourly")),
    )
    policy = tiered_policy(escalation=doubled)
    saturday = page("P1", "alice", SATURDAY_0210, worked=timedelta(minutes=45))
    based = attrs.evolve(DUBLIN, base_hourly=Decimal("35.00"))
    report = op.compute(
        [based], [shift("level 2", *FULL_WEEK)], [saturday], policy, start=WEEK, end=WEEK
    )
    callout = next(li for li in report.statements[0].lines if li.kind == "callout")
    # 60 min (the tier's minimum) × 2 × 35.00 × 1.5
    assert (callout.tier, callout.rate, str(callout.amount)) == (
        "escalation", Decimal("70.0000"), "105.00"
    )
    with pytest.raises(op.PolicyError) as caught:
        run([shift("level 2", *FULL_WEEK)], [saturday], policy)
    (problem,) = caught.value.problems
    assert problem.field == "versions[2026-01-05].plans.default.tiers.escalation.callout.hourly"
    assert "add a base_hourly column to the roster" in problem.message
    # The same place for a volunteer with a rate set (the tier is the plan's).
    senior = example_plan(tiers={"escalation": doubled}, rate_sets={"senior": op.RateSet()})
    with pytest.raises(op.PolicyError) as caught:
        op.compute(
            [attrs.evolve(DUBLIN, rate_set="senior")], [shift("level 2", *FULL_WEEK)], [],
            example_policy(senior), start=WEEK, end=WEEK,
        )  # fmt: skip
    (problem,) = caught.value.problems
    assert problem.field == "versions[2026-01-05].plans.default.tiers.escalation.callout.hourly"


def test_tiers_are_read_written_described_and_explained() -> None:
    policy = parse_policy(TIERED_RULES)
    tiers = policy.versions[0].plans["default"].tiers
    assert {name: t.roles for name, t in tiers.items()} == {
        "escalation": ("level 2", "level 3"),
        "shadow": ("shadow",),
    }
    assert parse_policy(policy_to_toml(policy)) == policy
    description = describe_policy(policy)
    assert (
        "tier 'escalation', for shifts of role 'level 2', 'level 3'; "
        "nothing is taken from the plan's rates:"
    ) in description
    assert "tier 'shadow', for shadow time (never cover); nothing" in description
    report = op.compute([DUBLIN], [shift("level 3", *FULL_WEEK)], [], policy, start=WEEK, end=WEEK)
    text = explain_statement(report, DUBLIN, WEEK)
    assert "stipend — tier 'escalation'" in text
    assert "covered 123 h of the week's 123 off-hours = 1 of a week × 60.00" in text
    changed = op.diff_policies(policy, parse_policy(TIERED_RULES.replace("60.00", "65.00", 1)))
    assert any("tier 'escalation': weekly stipend 60.00 → 65.00 EUR" in c for c in changed)




@pytest.mark.parametrize(
    ("tiers", "field", "message"),
    [
        (
            '[versions.plans.default.tiers.a]\nroles = ["level 2"]\n'
            '[versions.plans.default.tiers.b]\nroles = ["Level 2"]\n',
            "versions[0].plans.default.tiers.b.roles",
            'role "level 2" is also listed by tier "a"; a role may belong to one tier only',
        ),
        (
            '[versions.plans.default.tiers.a]\nroles = ["shadow", "trainee"]\n',
            "versions[0].plans.default.tiers.a.roles",
            '"shadow" is never cover, so it needs a tier of its own',
        ),
        (
            '[versions.plans.default.tiers.a]\nroles = "level 2"\n',
            "versions[0].plans.default.tiers.a.roles",
            'expected an array of shift roles such as ["level 2"]',
        ),
        (
            '[versions.plans.default.tiers.a]\nroles = ["level 2", " LEVEL 2"]\n',
            "versions[0].plans.default.tiers.a.roles[1]",
            "is listed twice",
        ),
        (
            '[versions.plans.default.tiers.a]\nweekly_stipnd = "1"\n',
            "versions[0].plans.default.tiers.a.weekly_stipnd",
            'unknown key "weekly_stipnd"; did you mean "weekly_stipend"?',
        ),
        (
            '[versions.plans.default.tiers.a]\ninterrupted_weekend = { bonus = "1.505" }\n',
            "versions[0].plans.default.tiers.a.interrupted_weekend.bonus",
            "EUR amounts may have at most 2 decimals",
        ),
        (
            '[versions.plans.default.tiers.a]\ncallout.hourly = 60.5\n',
            "versions[0].plans.default.tiers.a.callout.hourly",
            '"60.5"',
        ),
    ],
)
def test_a_bad_tier_is_an_error_naming_its_key(tiers: str, field: str, message: str) -> None:
    text = (
        '[[versions]]\neffective_from = 2026-01-05\n[versions.plans.default]\n'
        f'currency = "EUR"\n{tiers}'
    )
    with pytest.raises(op.PolicyError) as caught:
        parse_policy(text, "rules.toml")
    found = [(p.field, p.message) for p in caught.value.problems]
    assert any(f == field and message in m for f, m in found), found


def test_export_and_explain_show_the_tier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a user: a level-2 shift in the CSV, rules with a tier, the workbook read back."""
    (tmp_path / "rules.toml").write_text(
        TIERED_RULES.replace('currency = "EUR"', 'currency = "EUR"\n  countries = ["IE"]'),
        encoding="utf-8",
    )
    with open(tmp_path / "volunteers.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [["id", "name", "country", "timezone"], ["alice", "Alice", "IE", DUBLIN_TZ]]
        )
    with open(tmp_path / "shifts.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                ["volunteer_id", "start", "end", "role"],
                ["alice", "2026-11-16T00:00:00+00:00", "2026-11-23T00:00:00+00:00", "Level 2"],
            ]
        )
    out = tmp_path / "pay.xlsx"
    args = [
        "export", "--rules", str(tmp_path / "rules.toml"),
        "--volunteers", str(tmp_path / "volunteers.csv"),
        "--shifts", str(tmp_path / "shifts.csv"),
        "--from", "2026-11-16", "--to", "2026-11-22", "--out", str(out),
    ]  # fmt: skip
    assert cli.main(args) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["Lines"].iter_rows(values_only=True))
    header = rows[0]
    tier_at, kind_at, amount_at = header.index("Tier"), header.index("Kind"), header.index("Amount")
    assert [(r[kind_at], r[tier_at], r[amount_at]) for r in rows[1:]] == [
        ("stipend", "escalation", 60),
    ]
    wb.close()
    statements = op.read_workbook(out)
    assert [li.tier for st in statements for li in st.lines] == ["escalation"]
    explain = [*args[1:7], "--volunteer", "alice", "--week", "2026-W47"]  # rules and inputs
    assert cli.main(["explain", *explain]) == 0
    assert "stipend — tier 'escalation'" in capsys.readouterr().out


def test_a_workbook_written_before_tiers_reads_back(tmp_path: Path) -> None:
    """read_workbook takes a Lines sheet without the Tier column (an earlier
    release's) as lines of the plan's own rates."""
    report = run([shift(None, *FULL_WEEK)], [], tiered_policy())
    path = op.write_workbook(report, tmp_path / "pay.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet = wb["Lines"]
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index("Tier") + 1)
    wb.save(path)
    wb.close()
    (statement,) = op.read_workbook(path)
    assert [(li.kind, li.tier, str(li.amount)) for li in statement.lines] == [
        ("stipend", None, "300.00"),
        ("standby", None, "100.00"),
    ]


def test_review_regressions() -> None:
    """Cases a review found: the tier of work and of a bonus is read in the
    week they fall in; shadow-ness goes by role, never by a tier's name; a
    tier's base multiple concerns only who has time of that tier."""
    later = date(2026, 11, 23)

    def two_versions(first: op.Plan, second: op.Plan, **version: object) -> op.Policy:
        return op.Policy(
            versions=(
                op.Version(effective_from=date(2026, 1, 5), plans={"default": first}),
                op.Version(effective_from=later, plans={"default": second}, **version),  # type: ignore[arg-type]
            )
        )

    def all_lines(report: op.Report) -> list[tuple[str, str, str | None, str | None, str]]:
        return [
            (st.week, li.kind, li.category, li.tier, str(li.amount))
            for st in report.statements
            for li in st.lines
        ]

    # Shadow work past midnight into a week whose plan pays no shadow time: nothing there.
    shadow = op.Tier(roles=("shadow",), callout=op.Callout(hourly=Decimal("10.00")))
    policy = two_versions(example_plan(tiers={"shadow": shadow}), example_plan())
    late = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 22, 23, 30), worked=timedelta(minutes=90))
    report = op.compute(
        [DUBLIN], [shift("shadow", (2026, 11, 22, 20), (2026, 11, 23))], [late], policy,
        start=WEEK, end=later,
    )  # fmt: skip
    assert all_lines(report) == [("2026-W47", "callout", "weekend", "shadow", "5.00")]
    # Level-2 work past midnight into a week where the tier is renamed: the new tier's rate.
    renamed = attrs.evolve(ESCALATION, callout=attrs.evolve(ESCALATION.callout, hourly=Decimal(90)))
    policy = two_versions(
        example_plan(tiers={"escalation": ESCALATION}), example_plan(tiers={"level2": renamed})
    )
    late = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 22, 23, 40), worked=timedelta(minutes=20))
    report = op.compute(
        [DUBLIN], [shift("level 2", (2026, 11, 16), (2026, 11, 30))], [late], policy,
        start=WEEK, end=later,
    )  # fmt: skip
    callouts = [line for line in all_lines(report) if line[1] == "callout"]
    # 60 minutes (the tier's minimum): 20 on Sunday at 60 × 1.5, 40 on Monday at 90.
    assert callouts == [
        ("2026-W47", "callout", "weekend", "escalation", "30.00"),
        ("2026-W48", "callout", "workday_off_hours", "level2", "60.00"),
    ]
    # A tier named like another plan's shadow tier is not shadow time.
    policy = op.Policy(
        versions=(
            op.Version(
                effective_from=date(2026, 1, 5),
                plans={
                    "default": example_plan(tiers={"x": op.Tier(roles=("shadow",))}),
                    "managers": example_plan(
                        tiers={
                            "x": ESCALATION,
                            "y": op.Tier(roles=("level 3",), weekly_stipend=Decimal(100)),
                        }
                    ),
                },
            ),
        )
    )
    manager = attrs.evolve(DUBLIN, plan="managers")
    saturday = page("P1", "alice", SATURDAY_0210, worked=timedelta(minutes=20))
    report = op.compute(
        [manager], [shift("level 2", *FULL_WEEK), shift("level 3", *FULL_WEEK)], [saturday],
        policy, start=WEEK, end=WEEK,
    )  # fmt: skip
    assert {li.tier for li in report.statements[0].lines} == {"x"}  # x before y, by name
    (month,) = report.health.months
    assert (month.counted_pages, month.escalations, month.interrupted_rest_blocks) == (1, 1, 1)
    # A base multiple in a tier: no base needed by a volunteer without time of the tier.
    based = attrs.evolve(
        ESCALATION,
        callout=attrs.evolve(ESCALATION.callout, hourly=op.OfBase(Decimal("1.5"), "base_hourly")),
    )
    report = run([shift(None, *FULL_WEEK)], [], tiered_policy(escalation=based))
    assert str(report.statements[0].total) == "400.00"


def test_a_tier_of_another_plan_changes_nothing_for_this_one() -> None:
    """A volunteer whose plans have no tiers is priced as before tiers, even
    when another plan of the rules has some: overlapping shifts of two roles
    are merged with an overlap notice."""
    policy = op.Policy(
        versions=(
            op.Version(
                effective_from=date(2026, 1, 5),
                plans={
                    "default": example_plan(),
                    "managers": example_plan(tiers={"escalation": ESCALATION}),
                },
            ),
        )
    )
    shifts = [shift("primary", *FULL_WEEK), shift("level 2", (2026, 11, 20), (2026, 11, 23))]
    report = run(shifts, [], policy)
    plain = run(shifts, [], example_policy())
    assert report.statements == plain.statements
    assert [n.kind for n in report.notices] == [n.kind for n in plain.notices] == ["overlap"]
    assert report.input_counts["shift_overlaps"] == 1


def test_a_tiers_lines_go_to_its_own_earning_codes() -> None:
    """[versions.payroll] tier_codes: a tier's line takes the tier's code for
    its kind (and category) first, else the plain code; so does its bonus."""
    payroll = op.Payroll(
        codes={"stipend": "4100", "standby": "4110", "callout": "4120",
               "interrupted_weekend": "4140", "toil_days": "4900"},
        tier_codes={"escalation": {"stipend": "5100", "callout.weekend": "5121"}},
    )  # fmt: skip
    policy = example_policy(example_plan(tiers={"escalation": ESCALATION}), payroll=payroll)
    shifts = [shift("level 2", *FULL_WEEK), shift(None, (2026, 11, 21), (2026, 11, 22))]
    pages = [
        page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3), worked=timedelta(minutes=20)),
        page("P2", "alice", local(DUBLIN_TZ, 2026, 11, 22, 3), worked=timedelta(minutes=20)),
    ]
    report = run(shifts, pages, policy)
    roster = [attrs.evolve(DUBLIN, payroll_id="E-1")]
    rows = payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)
    got = sorted((r.code, str(r.amount)) for r in rows)
    # Primary: stipend 58.54 (4100), standby 50.00 (4110), callout 30.00 (4120);
    # escalation: stipend 48.29 (5100), standby 10.00 (4110: no tier code),
    # callout 90.00 (5121), bonus 200.00 (4140); time off 1 day (4900).
    # (Standby at 10.00 and at 50.00 a day are two rows of 4110: a row has one rate.)
    assert got == [
        ("4100", "58.54"), ("4110", "10.00"), ("4110", "50.00"), ("4120", "30.00"),
        ("4140", "200.00"), ("4900", "0"), ("5100", "48.29"), ("5121", "90.00"),
    ]  # fmt: skip
    assert sum(r.amount for r in rows) == report.statements[0].total


def test_earning_codes_of_an_unknown_tier_are_refused() -> None:
    """A tier_codes name no plan of the version has is a typo: refused in the
    rules file (with the tier it meant) and from Python."""
    text = TIERED_RULES.replace(
        "[[versions]]\neffective_from = 2026-01-05\n",
        "[[versions]]\neffective_from = 2026-01-05\n"
        '[versions.payroll]\ntier_codes.escalaton = { stipend = "5100" }\n',
    )
    with pytest.raises(op.PolicyError) as caught:
        parse_policy(text, "rules.toml")
    (problem,) = caught.value.problems
    assert problem.field == "versions[0].payroll.tier_codes.escalaton"
    assert 'no plan of this version has a tier "escalaton"; did you mean "escalation"?' in (
        problem.message
    )
    with pytest.raises(op.PolicyError, match="no plan of this version has a tier"):
        example_policy(payroll=op.Payroll(tier_codes={"escalation": {"stipend": "5100"}}))
    good = parse_policy(text.replace("escalaton", "escalation"))
    assert parse_policy(policy_to_toml(good)) == good
    changed = op.diff_policies(
        good, parse_policy(text.replace("escalaton", "escalation").replace('"5100"', '"5101"'))
    )
    assert changed == [
        "version of 2026-01-05: payroll: earning code of tier 'escalation' stipend 5100 → 5101"
    ]
