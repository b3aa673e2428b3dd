"""The TOML rules file (spec/rules-file.md): reading, refusing, writing back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

import oncall_pay as op
from oncall_pay._rules_file import policy_to_toml
from strategies import policies

# The example of spec/rules-file.md, without its "# … as above" comment line.
SPEC_EXAMPLE = """\
name = "Virtual on-call team"      # shown in the workbook
week_starts_on = "monday"          # pay weeks, for every version (changing it re-prices history)

[[versions]]
effective_from = 2026-01-05        # TOML local date: weeks starting on or after it use this version
rounding = "half_up"               # or "half_even"; per line, to the currency's minor unit

  [versions.calendar]              # defaults for every plan of this version
  weekend_days = ["saturday", "sunday"]
  working_hours = { start = "09:00", end = "18:00" }   # end may be "24:00"
  observed_holidays = true
  extra_holidays = { "*" = [2026-12-24], IE = [2026-12-29] }   # company days off, "*" = everyone
  removed_holidays = { GB = [] }   # package holidays this company does not observe
  allow_missing_subdivision = false

  [versions.plans.default]         # for any volunteer whose country has no plan of its own
  currency = "EUR"
  weekly_stipend = "300.00"
  standby.weekend = { per = "day", rate = "50.00" }
  standby.holiday = { per = "day", rate = "100.00" }
  callout.hourly = "40.00"
  callout.minimum_minutes = 30
  callout.increment_minutes = 15
  callout.multipliers = { workday_off_hours = "1.0", weekend = "1.5", holiday = "2.0" }
  callout.max_minutes = 240                      # optional: no single page counts for more
  callout.urgencies = ["high"]                   # optional: only these pages are paid (default: all)
  interrupted_weekend = { bonus = "150.00", toil_days = "0.5" }
  limits = { weekly_cap = "1500.00" }            # optional: no cap when absent

  [versions.plans.us]
  countries = ["US"]
  currency = "USD"
  weekly_stipend = "350.00"
  calendar = { working_hours = { start = "08:00", end = "17:00" } }   # merged key by key over the version's calendar
"""  # noqa: E501 - the spec's lines, as written

SPEC_POLICY = op.Policy(
    name="Virtual on-call team",
    week_starts_on="monday",
    versions=(
        op.Version(
            effective_from=date(2026, 1, 5),
            rounding="half_up",
            calendar=op.Calendar(
                weekend_days=("saturday", "sunday"),
                working_hours=op.WorkingHours("09:00", "18:00"),
                observed_holidays=True,
                extra_holidays={"*": (date(2026, 12, 24),), "IE": (date(2026, 12, 29),)},
                removed_holidays={"GB": ()},
                allow_missing_subdivision=False,
            ),
            plans={
                "default": op.Plan(
                    currency="EUR",
                    weekly_stipend=Decimal("300.00"),
                    standby={
                        "weekend": op.StandbyRate("day", Decimal("50.00")),
                        "holiday": op.StandbyRate("day", Decimal("100.00")),
                    },
                    callout=op.Callout(
                        hourly=Decimal("40.00"),
                        minimum_minutes=30,
                        increment_minutes=15,
                        multipliers={
                            "workday_off_hours": Decimal("1.0"),
                            "weekend": Decimal("1.5"),
                            "holiday": Decimal("2.0"),
                        },
                        max_minutes=240,
                        urgencies=("high",),
                    ),
                    interrupted_weekend=op.InterruptedWeekend(
                        bonus=Decimal("150.00"), toil_days=Decimal("0.5")
                    ),
                    limits=op.Limits(weekly_cap=Decimal("1500.00")),
                ),
                "us": op.Plan(
                    currency="USD",
                    countries=("US",),
                    weekly_stipend=Decimal("350.00"),
                    calendar=op.Calendar(working_hours=op.WorkingHours("08:00", "17:00")),
                ),
            },
        ),
    ),
)


def rules(
    *, top: str = "", version: str = "", calendar: str = "", plan: str = "", more: str = ""
) -> str:
    """A valid rules file with snippets put in at the top, version, calendar and plan."""
    return f"""\
{top}
[[versions]]
effective_from = 2026-01-05
{version}

[versions.calendar]
{calendar}

[versions.plans.default]
currency = "EUR"
{plan}
{more}
"""


def problems(text: str, source: str = "<string>") -> tuple[op.Problem, ...]:
    """The problems ``parse_policy`` reports for ``text`` (it must refuse it)."""
    with pytest.raises(op.PolicyError) as caught:
        op.parse_policy(text, source)
    return caught.value.problems


def refused(text: str, path: str, *fragments: str) -> op.Problem:
    """Assert that ``text`` is refused at ``path`` with a message holding ``fragments``."""
    found = [p for p in problems(text) if p.field == path]
    assert found, f"no problem at {path}: {problems(text)}"
    for fragment in fragments:
        assert fragment in found[0].message, found[0].message
    return found[0]


# --- reading ---


def test_spec_example_reads_as_the_expected_policy() -> None:
    """The example file of rules-file.md reads as the policy it describes."""
    assert op.parse_policy(SPEC_EXAMPLE) == SPEC_POLICY


def test_decimals_keep_the_digits_written() -> None:
    """A decimal keeps its written digits: "300.00" stays 300.00, not 300."""
    plan = op.parse_policy(SPEC_EXAMPLE).versions[0].plans["default"]
    assert str(plan.weekly_stipend) == "300.00"
    assert str(plan.callout.multipliers["weekend"]) == "1.5"


def test_a_minimal_file_takes_every_default() -> None:
    """A file with one version and one plan of one currency takes every default."""
    text = '[[versions]]\neffective_from = 2026-01-05\nplans.default.currency = "EUR"'
    policy = op.parse_policy(text)
    assert policy == op.Policy(
        versions=(op.Version(date(2026, 1, 5), plans={"default": op.Plan(currency="EUR")}),)
    )
    assert policy.name == ""
    assert policy.week_starts_on == "monday"
    assert policy.versions[0].rounding == "half_up"
    assert policy.versions[0].calendar == op.Calendar()


def test_whole_numbers_are_accepted_as_decimals() -> None:
    """An amount may be written as a TOML integer: weekly_stipend = 300."""
    plan = op.parse_policy(rules(plan="weekly_stipend = 300")).versions[0].plans["default"]
    assert plan.weekly_stipend == Decimal(300)


def test_versions_may_come_in_any_order() -> None:
    """The order of [[versions]] in the file does not matter."""
    later = '[[versions]]\neffective_from = 2026-06-01\nplans.default.currency = "EUR"\n'
    policy = op.parse_policy(later + rules())
    assert [v.effective_from for v in policy.versions] == [date(2026, 1, 5), date(2026, 6, 1)]


def test_working_hours_may_end_at_midnight() -> None:
    """working_hours end may be "24:00"."""
    text = rules(calendar='working_hours = { start = "00:00", end = "24:00" }')
    assert op.parse_policy(text).versions[0].calendar.working_hours == op.WorkingHours(
        "00:00", "24:00"
    )


def test_fixed_amounts_may_carry_trailing_zeros() -> None:
    """A yen bonus written "150.00" is 150 yen exactly, so it is accepted."""
    text = rules(plan='currency = "JPY"\ninterrupted_weekend.bonus = "150.00"').replace(
        'currency = "EUR"\n', ""
    )
    plan = op.parse_policy(text).versions[0].plans["default"]
    assert plan.interrupted_weekend.bonus == Decimal(150)


def test_amounts_up_to_the_currency_minor_unit_are_accepted() -> None:
    """KWD amounts may have 3 decimals, rates 6."""
    text = rules(
        plan='limits.weekly_cap = "10.125"\nweekly_stipend = "1.123456"',
    ).replace('"EUR"', '"KWD"')
    plan = op.parse_policy(text).versions[0].plans["default"]
    assert plan.limits.weekly_cap == Decimal("10.125")
    assert plan.weekly_stipend == Decimal("1.123456")


def test_everyone_key_is_allowed_in_extra_holidays() -> None:
    """extra_holidays."*" lists company days off for every volunteer."""
    text = rules(calendar='extra_holidays = { "*" = [2026-12-24] }')
    calendar = op.parse_policy(text).versions[0].calendar
    assert calendar.extra_holidays == {"*": (date(2026, 12, 24),)}


def test_health_table_is_accepted() -> None:
    """The [health] table of health.md, with every key, is accepted."""
    health = """
[health]
monthly_page_target = 10
sleep_hours = { start = "22:00", end = "08:00" }
min_rest_hours = 11
max_consecutive_days = 8
"""
    assert op.parse_policy(rules(more=health)) == op.parse_policy(rules())


# --- refusing: the type and the shape of errors ---


def test_a_refused_file_raises_a_policy_error_that_is_a_value_error() -> None:
    """A bad rules file raises PolicyError, an OncallPayError and a ValueError."""
    with pytest.raises(op.PolicyError) as caught:
        op.parse_policy(rules(plan="weekly_stipend = 12.5"))
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, op.OncallPayError)
    assert caught.value.source == "<string>"
    assert caught.value.field == "versions[0].plans.default.weekly_stipend"


def test_every_problem_of_a_file_is_reported() -> None:
    """The loader reports all problems of a file, not only the first."""
    text = rules(
        top='week_starts_on = "mon"',
        version='rounding = "bankers"',
        calendar='working_hours = { start = "18:00", end = "09:00" }',
        plan='weekly_stipend = 12.5\nweekly_stippend = "1"\ncallout.hourly = "-40"',
        more='[versions.plans.us]\ncurrency = "XYZ"',
    )
    assert {p.field for p in problems(text)} == {
        "week_starts_on",
        "versions[0].rounding",
        "versions[0].calendar.working_hours",
        "versions[0].plans.default.weekly_stipend",
        "versions[0].plans.default.weekly_stippend",
        "versions[0].plans.default.callout.hourly",
        "versions[0].plans.us.currency",
    }


def test_errors_name_the_file_and_path_in_their_text() -> None:
    """The error text names the source and the TOML path of each problem."""
    with pytest.raises(op.PolicyError, match=r'rules\.toml, field "versions\[0\]\.plans'):
        op.parse_policy(rules(plan="weekly_stipend = 12.5"), "rules.toml")


def test_the_version_index_is_its_position_in_the_file() -> None:
    """versions[1] is the second [[versions]] table of the file, whatever its date."""
    earlier = '[[versions]]\neffective_from = 2025-01-06\nplans.us.currency = "USD"\n'
    text = rules() + earlier + 'plans.us.callout.hourly = "x"\n'
    refused(text, "versions[1].plans.us.callout.hourly", '"x"', '"12.50"')


def test_toml_syntax_errors_give_the_line() -> None:
    """A file that is not TOML is refused with the line of the mistake."""
    (problem,) = problems('name = "x"\n[[versions]]\neffective_from = \n', "rules.toml")
    assert problem.source == "rules.toml"
    assert problem.line == 3
    assert problem.message.startswith("not valid TOML")


# --- refusing: every rule of the format ---

PLAN = "versions[0].plans.default"
CALENDAR = "versions[0].calendar"

BAD_FILES = [
    # Floats, shown as the string to write instead, with the digits as written.
    ("float", rules(plan="weekly_stipend = 12.5"), f"{PLAN}.weekly_stipend", ['"12.5"']),
    ("float-keeps-text", rules(plan="callout.hourly = 40.50"), f"{PLAN}.callout.hourly",
     ['write it as a string: "40.50"']),
    ("float-exponent", rules(plan="weekly_stipend = 1e3"), f"{PLAN}.weekly_stipend", ['"1000"']),
    ("float-underscore", rules(plan="weekly_stipend = 1_000.5"), f"{PLAN}.weekly_stipend",
     ['"1000.5"']),
    ("float-nan", rules(plan="weekly_stipend = nan"), f"{PLAN}.weekly_stipend",
     ["not a finite number"]),
    ("float-multiplier", rules(plan="callout.multipliers.weekend = 1.5"),
     f"{PLAN}.callout.multipliers.weekend", ['"1.5"']),
    ("float-toil", rules(plan="interrupted_weekend.toil_days = 0.5"),
     f"{PLAN}.interrupted_weekend.toil_days", ['"0.5"']),
    # Decimal strings that are not plain finite numbers.
    ("nan", rules(plan='weekly_stipend = "NaN"'), f"{PLAN}.weekly_stipend",
     ["not a finite number", '"12.50"']),
    ("infinity", rules(plan='limits.weekly_cap = "Infinity"'), f"{PLAN}.limits.weekly_cap",
     ["not a finite number"]),
    ("exponent", rules(plan='callout.hourly = "1e3"'), f"{PLAN}.callout.hourly",
     ["exponent", '"1000"']),
    ("words", rules(plan='callout.hourly = "forty"'), f"{PLAN}.callout.hourly",
     ['"forty"', '"12.50"']),
    ("comma", rules(plan='callout.hourly = "40,00"'), f"{PLAN}.callout.hourly", ['"40,00"']),
    ("bool-amount", rules(plan="weekly_stipend = true"), f"{PLAN}.weekly_stipend", ["true"]),
    # Negative amounts and multipliers.
    ("negative-rate", rules(plan='standby.weekend = { per = "day", rate = "-50.00" }'),
     f"{PLAN}.standby.weekend.rate", ["negative", "≥ 0"]),
    ("negative-int", rules(plan="weekly_stipend = -1"), f"{PLAN}.weekly_stipend", ["negative"]),
    ("negative-multiplier", rules(plan='callout.multipliers.holiday = "-2"'),
     f"{PLAN}.callout.multipliers.holiday", ["negative"]),
    # Decimal places.
    ("bonus-cents", rules(plan='interrupted_weekend.bonus = "150.001"'),
     f"{PLAN}.interrupted_weekend.bonus", ["3 decimals", "EUR", "2 decimals"]),
    ("yen-per-page", rules(plan='callout.per_page = "10.5"').replace('"EUR"', '"JPY"'),
     f"{PLAN}.callout.per_page", ["JPY", "0 decimals"]),
    ("dinar-cap", rules(plan='limits.weekly_cap = "1.0001"').replace('"EUR"', '"KWD"'),
     f"{PLAN}.limits.weekly_cap", ["KWD", "3 decimals"]),
    ("rate-places", rules(plan='weekly_stipend = "1.1234567"'), f"{PLAN}.weekly_stipend",
     ["7 decimals", "6 decimals"]),
    ("standby-rate-places", rules(plan='standby.holiday = { per = "hour", rate = "0.0000001" }'),
     f"{PLAN}.standby.holiday.rate", ["at most 6 decimals"]),
    # Whole numbers of minutes.
    ("minutes-negative", rules(plan="callout.minimum_minutes = -5"),
     f"{PLAN}.callout.minimum_minutes", ["whole number", "≥ 0", "-5"]),
    ("minutes-float", rules(plan="callout.increment_minutes = 15.0"),
     f"{PLAN}.callout.increment_minutes", ["whole number", "15.0"]),
    ("minutes-quoted", rules(plan='callout.max_minutes = "240"'), f"{PLAN}.callout.max_minutes",
     ["without quotes"]),
    ("max-below-minimum", rules(plan="callout.minimum_minutes = 30\ncallout.max_minutes = 20"),
     f"{PLAN}.callout.max_minutes", ["20", "minimum_minutes 30"]),
    # Standby units and categories.
    ("per-week", rules(plan='standby.weekend = { per = "week", rate = "1" }'),
     f"{PLAN}.standby.weekend.per", ['"week"', "hour", "day"]),
    ("per-missing", rules(plan='standby.weekend = { rate = "1" }'), f"{PLAN}.standby.weekend.per",
     ["missing"]),
    ("standby-in-hours", rules(plan='standby.in_hours = { per = "hour", rate = "1" }'),
     f"{PLAN}.standby.in_hours", ["never paid"]),
    ("multiplier-in-hours", rules(plan='callout.multipliers.in_hours = "1"'),
     f"{PLAN}.callout.multipliers.in_hours", ["never paid"]),
    ("category-typo", rules(plan='standby.weekends = { per = "day", rate = "1" }'),
     f"{PLAN}.standby.weekends", ['did you mean "weekend"']),
    ("urgencies-string", rules(plan='callout.urgencies = "high"'), f"{PLAN}.callout.urgencies",
     ["array"]),
    # Currency.
    ("currency-unknown", rules().replace('"EUR"', '"EURO"'), f"{PLAN}.currency",
     ["ISO 4217", '"EURO"']),
    ("currency-lower", rules().replace('"EUR"', '"eur"'), f"{PLAN}.currency",
     ['did you mean "EUR"']),
    ("currency-missing", rules().replace('currency = "EUR"', 'weekly_stipend = "1"'),
     f"{PLAN}.currency", ["missing", "ISO 4217"]),
    # Working hours.
    ("hours-reversed", rules(calendar='working_hours = { start = "18:00", end = "09:00" }'),
     f"{CALENDAR}.working_hours", ['"18:00" is not before end "09:00"']),
    ("hours-equal", rules(calendar='working_hours = { start = "09:00", end = "09:00" }'),
     f"{CALENDAR}.working_hours", ["not before"]),
    ("hours-form", rules(calendar='working_hours = { start = "9:00", end = "18:00" }'),
     f"{CALENDAR}.working_hours.start", ['"HH:MM"', '"9:00"']),
    ("hours-past-midnight", rules(calendar='working_hours = { start = "09:00", end = "24:30" }'),
     f"{CALENDAR}.working_hours.end", ['"24:30"']),
    ("hours-toml-time", rules(calendar='working_hours = { start = 09:00:00, end = "18:00" }'),
     f"{CALENDAR}.working_hours.start", ['write "09:00"']),
    ("hours-missing-end", rules(calendar='working_hours = { start = "09:00" }'),
     f"{CALENDAR}.working_hours.end", ["missing"]),
    # Weekdays.
    ("weekend-all-week",
     rules(calendar='weekend_days = ["monday", "tuesday", "wednesday", "thursday", "friday",'
                    ' "saturday", "sunday"]'),
     f"{CALENDAR}.weekend_days", ["at least one must be a workday"]),
    ("weekend-unknown-day", rules(calendar='weekend_days = ["saturday", "sundy"]'),
     f"{CALENDAR}.weekend_days[1]", ['"sundy"', 'did you mean "sunday"']),
    ("week-starts-capital", rules(top='week_starts_on = "Monday"'), "week_starts_on",
     ['did you mean "monday"']),
    ("week-starts-french", rules(top='week_starts_on = "lundi"'), "week_starts_on",
     ["English weekday name"]),
    # Countries.
    ("country-unknown", rules(plan='countries = ["XX"]'), f"{PLAN}.countries[0]",
     ["ISO 3166-1 alpha-2", '"XX"']),
    ("country-lower", rules(plan='countries = ["ie"]'), f"{PLAN}.countries[0]",
     ['did you mean "IE"']),
    ("country-string", rules(plan='countries = "IE"'), f"{PLAN}.countries", ["array"]),
    # The holidays package also knows "USA" and "UK", but no volunteer in "US"
    # or "GB" would ever match a plan that lists them.
    ("country-alpha3", rules(plan='countries = ["USA"]'), f"{PLAN}.countries[0]",
     ['did you mean "US"']),
    ("country-uk", rules(plan='countries = ["UK"]'), f"{PLAN}.countries[0]",
     ['did you mean "GB"']),
    ("holiday-country-alpha3", rules(calendar="extra_holidays = { GBR = [2026-12-24] }"),
     f"{CALENDAR}.extra_holidays.GBR", ['did you mean "GB"']),
    ("country-twice-in-plan", rules(plan='countries = ["IE", "IE"]'), f"{PLAN}.countries[1]",
     ["listed twice"]),
    ("country-in-two-plans",
     rules(plan='countries = ["IE", "US"]', more='[versions.plans.us]\ncurrency = "USD"\n'
           'countries = ["US"]'),
     "versions[0].plans.us.countries[0]", ['"US"', 'plan "default"']),
    ("extra-holidays-country", rules(calendar="extra_holidays = { XX = [2026-12-24] }"),
     f"{CALENDAR}.extra_holidays.XX", ["ISO 3166-1 alpha-2"]),
    ("removed-holidays-country", rules(calendar="removed_holidays = { ZZ = [] }"),
     f"{CALENDAR}.removed_holidays.ZZ", ["ISO 3166-1 alpha-2"]),
    ("removed-holidays-everyone", rules(calendar='removed_holidays = { "*" = [2026-12-25] }'),
     f"{CALENDAR}.removed_holidays.'*'", ["only allowed in extra_holidays"]),
    ("holiday-datetime", rules(calendar="extra_holidays = { IE = [2026-12-24T00:00:00] }"),
     f"{CALENDAR}.extra_holidays.IE[0]", ["local date"]),
    ("plan-calendar", rules(plan='calendar.weekend_days = ["caturday"]'),
     f"{PLAN}.calendar.weekend_days[0]", ['"caturday"']),
    ("bool-quoted", rules(calendar='observed_holidays = "true"'),
     f"{CALENDAR}.observed_holidays", ["true or false (without quotes)"]),
    # Versions.
    ("no-versions", 'name = "x"\n', "versions", ["missing", "[[versions]]"]),
    ("empty-versions", "versions = []\n", "versions", ["at least one [[versions]]"]),
    ("versions-table", '[versions]\neffective_from = 2026-01-05\n', "versions",
     ["array of tables"]),
    ("duplicate-effective-from", rules(more=rules()), "versions[1].effective_from",
     ["2026-01-05", "versions[0]"]),
    ("effective-from-string", rules().replace("= 2026-01-05", '= "2026-01-05"'),
     "versions[0].effective_from", ["local date", "write 2026-01-05"]),
    ("effective-from-datetime", rules().replace("= 2026-01-05", "= 2026-01-05T00:00:00Z"),
     "versions[0].effective_from", ["local date", "no time of day"]),
    ("effective-from-missing", rules().replace("effective_from = 2026-01-05", ""),
     "versions[0].effective_from", ["missing"]),
    ("rounding", rules(version='rounding = "bankers"'), "versions[0].rounding",
     ["half_up", "half_even", '"bankers"']),
    ("version-without-plans", '[[versions]]\neffective_from = 2026-01-05\n', "versions[0].plans",
     ["missing", "at least one plan"]),
    ("version-empty-plans", '[[versions]]\neffective_from = 2026-01-05\nplans = {}\n',
     "versions[0].plans", ["at least one plan"]),
    # Unknown keys, at every level.
    ("unknown-top", rules(top='nme = "x"'), "nme", ['unknown key "nme"', 'did you mean "name"']),
    ("unknown-version", rules(version='roundings = "half_up"'), "versions[0].roundings",
     ['did you mean "rounding"']),
    ("unknown-calendar", rules(calendar="observed_holiday = true"),
     f"{CALENDAR}.observed_holiday", ['did you mean "observed_holidays"']),
    ("unknown-plan", rules(plan='weekly_stippend = "300.00"'), f"{PLAN}.weekly_stippend",
     ['unknown key "weekly_stippend"', 'did you mean "weekly_stipend"']),
    ("unknown-callout", rules(plan='callout.hourley = "1"'), f"{PLAN}.callout.hourley",
     ['did you mean "hourly"']),
    ("unknown-standby", rules(plan='standby.weekend = { per = "day", rate = "1", rat = "2" }'),
     f"{PLAN}.standby.weekend.rat", ["unknown key"]),
    ("unknown-interrupted", rules(plan='interrupted_weekend.toil = "1"'),
     f"{PLAN}.interrupted_weekend.toil", ['did you mean "toil_days"']),
    ("unknown-limits", rules(plan='limits.monthly_cap = "1"'), f"{PLAN}.limits.monthly_cap",
     ["unknown key"]),
    ("unknown-working-hours", rules(calendar='working_hours = { start = "09:00", end = "18:00",'
                                    ' lunch = "12:00" }'),
     f"{CALENDAR}.working_hours.lunch", ["unknown key"]),
    ("unknown-quoted", rules(plan='"weekly stipend" = "1"'), f"{PLAN}.'weekly stipend'",
     ["unknown key"]),
    # Types.
    ("name-number", rules(top="name = 3"), "name", ["string", "3"]),
    ("plan-not-table", rules(more='[versions.plans]\nus = "USD"'), "versions[0].plans.us",
     ["table"]),
    # The reserved [health] table.
    ("health-unknown", rules(more="[health]\nmonthly_pages = 10"), "health.monthly_pages",
     ['did you mean "monthly_page_target"']),
    ("health-target", rules(more="[health]\nmonthly_page_target = 0"),
     "health.monthly_page_target", ["≥ 1"]),
    ("health-sleep-equal", rules(more='[health]\nsleep_hours = { start = "22:00", end = "22:00" }'),
     "health.sleep_hours", ["same time"]),
    ("health-rest-float", rules(more="[health]\nmin_rest_hours = 11.5"), "health.min_rest_hours",
     ['"11.5"']),
    ("health-days", rules(more="[health]\nmax_consecutive_days = 0"),
     "health.max_consecutive_days", ["≥ 1"]),
    # Earning codes and cost centres (payroll.md).
    ("payroll-unknown-line", rules(more='[versions.payroll]\ncodes = { "standby.wekend" = "X" }'),
     "versions[0].payroll.codes.'standby.wekend'",
     ['unknown line "standby.wekend"', 'did you mean "standby.weekend"']),
    ("payroll-in-hours", rules(more='[versions.payroll]\ncodes = { "standby.in_hours" = "X" }'),
     "versions[0].payroll.codes.'standby.in_hours'", ["unknown line"]),
    ("payroll-formula", rules(more='[versions.payroll]\ncodes = { stipend = "=1+1" }'),
     "versions[0].payroll.codes.stipend", ["earning code of 1 to 20", '"=1+1"']),
    ("payroll-number", rules(more="[versions.payroll]\ncodes = { stipend = 4100 }"),
     "versions[0].payroll.codes.stipend", ["earning code", '"4100"', "4100"]),
    ("payroll-too-long", rules(more=f'[versions.payroll]\ncodes = {{ cap = "{"A" * 21}" }}'),
     "versions[0].payroll.codes.cap", ["1 to 20"]),
    ("payroll-unknown-key", rules(more='[versions.payroll]\ncode = { cap = "A" }'),
     "versions[0].payroll.code", ['did you mean "codes"']),
    ("payroll-codes-not-table", rules(more='[versions.payroll]\ncodes = "A"'),
     "versions[0].payroll.codes", ["table of earning codes"]),
    ("cost-center-number", rules(plan="cost_center = 7"), f"{PLAN}.cost_center",
     ["string", "7"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "path", "fragments"),
    [pytest.param(text, path, fragments, id=name) for name, text, path, fragments in BAD_FILES],
)
def test_bad_rules_are_refused_at_their_path(text: str, path: str, fragments: list[str]) -> None:
    """Each rule of rules-file.md refuses a bad value at its TOML path, saying what was expected."""
    refused(text, path, *fragments)


def test_sleep_hours_may_cross_midnight() -> None:
    """[health] sleep_hours may run from 22:00 to 08:00."""
    health = '[health]\nsleep_hours = { start = "22:00", end = "08:00" }'
    op.parse_policy(rules(more=health))


def test_a_float_in_many_places_is_reported_in_each() -> None:
    """Every float of a file is reported, each at its own path."""
    text = rules(plan="weekly_stipend = 300.0\ncallout.hourly = 40.0\nlimits.weekly_cap = 1.5")
    assert [p.field for p in problems(text)] == [
        f"{PLAN}.weekly_stipend",
        f"{PLAN}.callout.hourly",
        f"{PLAN}.limits.weekly_cap",
    ]


# --- files ---


def test_load_policy_reads_a_file(tmp_path: Path) -> None:
    """load_policy reads a UTF-8 file into the same policy as parse_policy."""
    path = tmp_path / "rules.toml"
    path.write_text(SPEC_EXAMPLE, encoding="utf-8")
    assert op.load_policy(path) == SPEC_POLICY
    assert op.load_policy(str(path)) == SPEC_POLICY


def test_load_policy_names_the_file_in_errors(tmp_path: Path) -> None:
    """An error from load_policy names the file as given."""
    path = tmp_path / "rules.toml"
    path.write_text(rules(plan="weekly_stipend = 12.5"), encoding="utf-8")
    with pytest.raises(op.PolicyError) as caught:
        op.load_policy(path)
    assert caught.value.source == str(path)
    assert str(path) in str(caught.value)
    assert "rules.toml" in str(caught.value)
    assert '"12.5"' in str(caught.value)


def test_load_policy_ignores_a_byte_order_mark(tmp_path: Path) -> None:
    """A file saved with a UTF-8 byte-order mark (Windows editors) reads normally."""
    path = tmp_path / "rules.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SPEC_EXAMPLE.replace("\n", "\r\n").encode())
    assert op.load_policy(path) == SPEC_POLICY


def test_load_policy_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    """A file in another encoding is refused with its name and line."""
    path = tmp_path / "rules.toml"
    path.write_bytes(b'[[versions]]\neffective_from = 2026-01-05\nname = "caf\xe9"\n')
    with pytest.raises(op.PolicyError, match="not UTF-8") as caught:
        op.load_policy(path)
    assert caught.value.source == str(path)
    assert caught.value.line == 3


def test_load_policy_refuses_a_missing_file(tmp_path: Path) -> None:
    """A missing rules file is a PolicyError naming it, not an OSError."""
    path = tmp_path / "missing.toml"
    with pytest.raises(op.PolicyError, match="cannot read") as caught:
        op.load_policy(path)
    assert caught.value.source == str(path)


# --- writing back ---


def test_spec_example_round_trips() -> None:
    """The example policy written with to_toml reads back equal."""
    assert op.parse_policy(SPEC_POLICY.to_toml()) == SPEC_POLICY


def test_to_toml_writes_decimals_as_strings_and_dates_as_dates() -> None:
    """to_toml writes decimals as quoted strings with their digits and dates as TOML dates."""
    text = SPEC_POLICY.to_toml()
    assert 'weekly_stipend = "300.00"' in text
    assert "effective_from = 2026-01-05" in text
    assert 'extra_holidays = { "*" = [2026-12-24], IE = [2026-12-29] }' in text
    assert text == policy_to_toml(SPEC_POLICY)


def test_to_toml_leaves_unset_calendar_settings_unset() -> None:
    """Calendar settings that are None are not written, and stay None when read back."""
    policy = op.Policy(
        versions=(op.Version(date(2026, 1, 5), plans={"default": op.Plan(currency="EUR")}),)
    )
    text = policy.to_toml()
    assert "calendar" not in text
    assert op.parse_policy(text).versions[0].calendar == op.Calendar()


def test_to_toml_writes_exponent_decimals_in_plain_digits() -> None:
    """A Decimal built in code as 1E+2 is written "100", which the reader accepts."""
    plan = op.Plan(currency="EUR", weekly_stipend=Decimal("1E+2"))
    policy = op.Policy(versions=(op.Version(date(2026, 1, 5), plans={"default": plan}),))
    assert 'weekly_stipend = "100"' in policy.to_toml()
    assert op.parse_policy(policy.to_toml()) == policy


def test_to_toml_quotes_names_and_keys_that_need_it() -> None:
    """Names with quotes, backslashes and line breaks, and plan names with spaces, survive."""
    plan = op.Plan(currency="EUR")
    policy = op.Policy(
        name='Team "Night"\\Ops\nline two\ttab\x01',
        versions=(op.Version(date(2026, 1, 5), plans={"night owls": plan, "ü": plan}),),
    )
    assert op.parse_policy(policy.to_toml()) == policy


@given(policies())
def test_any_valid_policy_reads_back_equal(policy: op.Policy) -> None:
    """parse_policy(policy.to_toml()) == policy for every valid policy."""
    assert op.parse_policy(policy.to_toml()) == policy


@given(policies())
def test_writing_what_was_read_gives_the_same_text(policy: op.Policy) -> None:
    """Reading and writing again keeps every digit: the text is the same the second time."""
    text = policy.to_toml()
    assert op.parse_policy(text).to_toml() == text
