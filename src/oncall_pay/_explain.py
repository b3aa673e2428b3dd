"""Plain-words text for people: one statement explained, a policy described.

Pure functions from values to text; the command line prints them. The
description of a plan says its settings in prose; any setting the prose
does not cover is still listed, with the label and unit its field declares
(``rule()`` in ``_rules.py``; see docs/adding-a-rules-key.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs

from ._health import Health, month_name
from ._model import Volunteer
from ._report import LineItem, PageOutcome, Report, WeeklyStatement
from ._rules import (
    OFF_HOURS,
    WEEKDAYS,
    NightHours,
    Plan,
    Policy,
    RateSet,
    Tier,
    Version,
    amount_text,
)
from ._schema import describe_value, rule_meta, set_fields
from ._vocab import CATEGORY_PROSE, Category
from ._weeks import iso_week, week_end

#: Categories inside a sentence, from the one label table.
_CATEGORY_WORDS = CATEGORY_PROSE
#: The same with a night band: the workday off-hours left outside the band
#: are evenings and mornings, not nights (docs/how-pay-is-computed.md#the-night-band).
_WITH_BAND: Final = {
    **CATEGORY_PROSE,
    Category.WORKDAY_OFF_HOURS.value: "workday evenings and mornings",
}


def _words(band: bool) -> Mapping[str, str]:
    """The words of each category, for a plan with (or without) a night band."""
    return _WITH_BAND if band else _CATEGORY_WORDS


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _line_text(
    line: LineItem, st: WeeklyStatement, pages: list[PageOutcome], words: Mapping[str, str]
) -> str:
    cat = f" ({words[line.category]})" if line.category else ""
    amount = f"{line.amount:>12,} {st.currency}"
    if line.tier is not None:
        cat += f" — tier {line.tier!r}"
    if line.kind == "stipend":
        off = sum((st.hours[c] for c in OFF_HOURS), Decimal(0))
        if line.tier is not None or sum(li.kind == "stipend" for li in st.lines) > 1:
            # Tiers share the week (or price shadow time): this line's part.
            # From the quantity (6 places): 24.000006 h is 24 h, to the minute.
            off = round(line.quantity * st.week_off_hours, 2)
        how = (
            f"covered {_num(off)} h of the week's {_num(st.week_off_hours)} off-hours "
            f"= {_num(line.quantity)} of a week × {line.rate}"
        )
    elif line.kind == "standby" and line.unit == "hour":
        how = f"{_num(line.quantity)} h on call × {line.rate} per hour"
    elif line.kind == "standby":
        how = (
            f"{_num(line.quantity)} days (each local day's covered share of its "
            f"{words[line.category or '']} time) × {line.rate} per day"
        )
    elif line.kind == "callout":
        ids = [
            p for p in pages if p.counted and p.category == line.category and p.tier == line.tier
        ]
        listed = ", ".join(
            f"{p.page_id} {p.work_from:%a %H:%M}–{p.work_to:%H:%M}"
            for p in ids
            if p.work_from is not None and p.work_to is not None
        )
        how = (
            f"{_num(line.quantity)} h worked (pages raised to the minimum, rounded up, "
            f"overlaps paid once) × {line.rate} × {line.multiplier}"
            + (f"; work intervals: {listed}" if listed else "")
        )
    elif line.kind == "page":
        how = f"{_num(line.quantity)} counted pages × {line.rate} × {line.multiplier}"
    elif line.kind == "interrupted_weekend":
        how = f"{_num(line.quantity)} interrupted rest block(s) × {line.rate}"
    else:
        how = "weekly cap reached: the lines above are cut back to the cap"
    return f"  {line.kind}{cat}\n      {how}\n      = {amount}"


def explain_statement(
    report: Report, volunteer: Volunteer, week_start: date, policy: Policy | None = None
) -> str:
    """One weekly statement as a readable breakdown.

    Args:
        report: A report that reports ``week_start``.
        volunteer: Whose statement.
        week_start: The first day of the pay week.
        policy: The rules the report was computed with: when given, the
            statement's night band (if its plan has one) is said too.

    Returns:
        Several lines of text: the lines with how each quantity was measured,
        the holidays and pages of the week.
    """
    last_day = week_end(week_start)
    head = (
        f"{volunteer.id} — {volunteer.name or volunteer.id} "
        f"({volunteer.country}{'-' + volunteer.subdivision if volunteer.subdivision else ''}, "
        f"{volunteer.timezone})\n"
        f"Pay week {iso_week(week_start)}: {week_start:%a %d %b %Y} – {last_day:%a %d %b %Y} "
        "(local time)"
    )
    found = [
        s for s in report.statements
        if s.volunteer_id == volunteer.id and s.week_start == week_start
    ]  # fmt: skip
    pages = [
        p for p in report.pages if p.volunteer_id == volunteer.id and p.week_start == week_start
    ]
    if not found:
        return f"{head}\nNo statement: no cover, no page and no pay in this week."
    st = found[0]
    out = [
        head,
        f"Rules version of {st.rules_version}, plan {st.plan!r}, paid in {st.currency}",
    ]
    if volunteer.rate_factor is not None:
        # docs/how-pay-is-computed.md#per-person-rates: the rates below include it.
        out.append(f"Every rate × {volunteer.rate_factor} (rate_factor in the roster)")
    if volunteer.rate_set is not None:
        # docs/how-pay-is-computed.md#rate-sets: the lines below are priced by it.
        out.append(
            f"Rates of rate set {volunteer.rate_set!r} of plan {st.plan!r} "
            "(rate_set in the roster), not the plan's own"
        )
    if volunteer.base_hourly is not None:
        out.append(
            f"Base hourly rate {volunteer.base_hourly} {st.currency} (base_hourly in the "
            "roster): a rate written as a multiple of it is shown worked out"
        )
    band = _night_band(policy, st.rules_version, st.plan)
    if band is not None:
        out.append(
            f"Night band {band.start}–{band.end} local, on workdays outside working hours "
            "(weekend and holiday time is never night)"
        )
    out += [
        "",
    ]
    # Night hours are listed where the plan has a band or the week has some
    # (docs/how-pay-is-computed.md#the-night-band): without a band it is always 0.
    out.append(
        "Hours on call: "
        + ", ".join(
            f"{_words(band is not None)[c]} {_num(h)} h"
            for c, h in st.hours.items()
            if c != Category.NIGHT or h or band is not None
        )
    )
    out.append("")
    out.append("Lines:")
    words = _words(band is not None)
    out.extend(_line_text(line, st, pages, words) for line in st.lines)
    if not st.lines:
        out.append("  (none: nothing priced this week)")
    out.append(f"Total: {st.total:,} {st.currency}")
    if st.toil_days:
        out.append(f"Time off in lieu earned: {_num(st.toil_days)} day(s)")
    holidays = [
        h for h in report.holidays
        if h.country == volunteer.country and h.subdivision == volunteer.subdivision
        and week_start <= h.date <= last_day
    ]  # fmt: skip
    out.append("")
    if holidays:
        out.append("Holidays this week:")
        out.extend(f"  {h.date:%a %d %b} {h.name} ({h.source})" for h in holidays)
    else:
        out.append("Holidays this week: none")
    out.append("")
    if pages:
        out.append("Pages this week:")
        for p in pages:
            status = "counted" if p.counted else f"not counted: {p.reason}"
            if p.tier is not None:
                status += f", tier {p.tier!r}"
            out.append(f"  {p.page_id} {p.at:%a %d %b %H:%M %z} {p.category}, {status}"
                       + (f" — {p.title}" if p.title else ""))  # fmt: skip
    else:
        out.append("Pages this week: none")
    return "\n".join(out)


def health_line(health: Health | None, month: str) -> str:
    """One month's health in one line, for ``explain`` and ``demo``.

    Args:
        health: The report's health measures.
        month: ``YYYY-MM``.

    Returns:
        For example ``November 2026: 8 counted pages (target < 10): healthy``;
        ``(partial month)`` is added when the reported weeks cover only part of it.
    """
    name = month_name(month)
    found = health.month(month) if health is not None else None
    if health is None or found is None:
        return f"{name}: no health measures (no reported pay week in this month)"
    pages = found.counted_pages
    status = "healthy" if found.below_target else "not healthy"
    line = (
        f"{name}: {pages} counted page{'' if pages == 1 else 's'} "
        f"(target < {health.settings.monthly_page_target}): {status}"
    )
    return line + (" (partial month)" if found.partial else "")


#: The plan settings the prose of ``_describe_plan`` says; any other set
#: field gets a line of its declared label and unit.
_SAID_IN_PROSE: Final = frozenset({
    "currency", "countries", "weekly_stipend", "standby",
    "callout.hourly", "callout.minimum_minutes", "callout.increment_minutes",
    "callout.multipliers", "callout.max_minutes", "callout.urgencies", "callout.per_page",
    "interrupted_weekend.bonus", "interrupted_weekend.toil_days", "limits.weekly_cap",
    "calendar.weekend_days", "calendar.working_hours", "calendar.observed_holidays",
    # The version's calendar is described with the version; a plan's holiday
    # changes and its missing-subdivision setting are not described.
    "calendar.extra_holidays", "calendar.removed_holidays", "calendar.allow_missing_subdivision",
    "tiers",
    "rate_sets",
    "calendar.night_hours",
})  # fmt: skip


def _night_band(policy: Policy | None, effective_from: date, plan: str) -> NightHours | None:
    """The night band of a statement's version and plan, if the rules are known and set one."""
    if policy is None:
        return None
    for version in policy.versions:
        if version.effective_from == effective_from and plan in version.plans:
            return version.calendar_for(plan).night_hours
    return None


def _label(cls: type, name: str) -> str:
    return rule_meta(attrs.fields_dict(cls)[name]).label


def _describe_tier(
    name: str, tier: Tier, c: str, paid: Sequence[str], band: bool
) -> list[str]:
    """A tier's roles and its rates, all of them (a tier takes nothing from its plan)."""
    roles = ", ".join(repr(r) for r in tier.roles)
    what = "shadow time (never cover)" if tier.shadow else f"shifts of role {roles}"
    lines = [f"    tier {name!r}, for {what}; nothing is taken from the plan's rates:"]
    return lines + _describe_rates(tier, c, "      ", complete=True, paid=paid, band=band)


def _describe_plan(name: str, plan: Plan, version: Version) -> list[str]:
    c = plan.currency
    who = f"volunteers in {', '.join(plan.countries)}" if plan.countries else "everyone else"
    if name != "default" and not plan.countries:
        who = "volunteers who name this plan"
    lines = [f"  Plan {name!r} ({who}), paid in {c}:"]
    cal = plan.calendar.over(version.calendar).resolved()
    co = plan.callout
    # Night is said where the plan has a band (or prices night time all the same).
    paid = tuple(
        k for k in OFF_HOURS
        if k != Category.NIGHT or cal.night_hours is not None or k in co.multipliers
    )  # fmt: skip
    band = cal.night_hours is not None
    lines += _describe_rates(plan, c, "    ", paid=paid, band=band)
    if plan.limits.weekly_cap is not None:
        lines.append(f"    at most {plan.limits.weekly_cap} {c} a week")
    weekend = ", ".join(WEEKDAYS[d].capitalize() for d in sorted(cal.weekend_days))
    lines.append(
        f"    working hours {cal.working_hours.start}–{cal.working_hours.end}, weekend {weekend}, "
        f"observed holidays {'on' if cal.observed_holidays else 'off'}"
    )
    night = cal.night_hours
    if night is not None:
        lines.append(
            f"    night band {night.start}–{night.end} on workdays, outside working hours "
            "(weekend and holiday time is never night)"
        )
    elif any(k == Category.NIGHT for k in (*plan.standby, *co.multipliers)):
        lines.append("    no night band is set, so the night rates above are never paid")
    lines += [
        f"    {meta.label}: {describe_value(meta, value, c)}"
        for key, meta, value in set_fields(plan)
        if key not in _SAID_IN_PROSE
    ]
    for tier_name, tier in plan.tiers.items():
        lines += _describe_tier(tier_name, tier, c, paid, band)
    for set_name, rates in plan.rate_sets.items():
        # docs/how-pay-is-computed.md#rate-sets: complete, nothing from the plan.
        lines.append(
            f"    rate set {set_name!r} (volunteers whose roster rate_set is {set_name!r}; "
            "a rate not written in it is zero, nothing is taken from the plan's rates):"
        )
        lines += _describe_rates(rates, c, "      ", complete=True, paid=paid, band=band)
    return lines


def _describe_rates(
    rates: Plan | RateSet | Tier,
    c: str,
    indent: str,
    *,
    complete: bool = False,
    paid: Sequence[str] = OFF_HOURS,
    band: bool = False,
) -> list[str]:
    """The rates of a plan, one of its rate sets or tiers; ``complete`` says
    the rates that are zero too (a rate set or tier takes nothing from its
    plan); ``paid``: the categories to say (night only with a band; with
    it, the other workday off-hours are said to be evenings and mornings)."""
    words = _words(band)
    lines = []
    stipend = _label(Plan, "weekly_stipend")
    lines.append(
        f"{indent}{stipend} {amount_text(rates.weekly_stipend, c)} for a full week of "
        "off-hours cover"
    )
    standby = _label(Plan, "standby")
    for category in OFF_HOURS:
        rate = rates.standby.get(category)
        if rate is not None and rate.rate:
            lines.append(
                f"{indent}{standby} {words[category]}: {amount_text(rate.rate, c)} "
                f"per {rate.per}"
            )
        elif complete and category in paid:
            lines.append(f"{indent}{standby} {words[category]}: 0 {c}")
    co = rates.callout
    if complete and not co.hourly:
        lines.append(f"{indent}callouts: 0 {c} an hour")
    if co.hourly:
        mult = ", ".join(f"{words[k]} ×{co.multiplier(k)}" for k in paid)
        step = max(co.increment_minutes, 1)
        most = ""
        if co.max_minutes is not None:
            most = f", at most {co.max_minutes} min a page"
            rounded = -(-co.max_minutes // step) * step
            if rounded != co.max_minutes:
                # The maximum applies before the increment
                # (docs/how-pay-is-computed.md#callout-time).
                most += f" (paid as {rounded} min: the maximum is rounded up to the increment)"
        lines.append(
            f"{indent}callouts: {amount_text(co.hourly, c)} an hour ({mult}); at least "
            f"{co.minimum_minutes} min, rounded up to {step} min{most}"
        )
    if co.per_page:
        lines.append(
            f"{indent}{co.per_page} {c} for each counted page (× the category multiplier)"
        )
    if co.urgencies is not None:
        lines.append(f"{indent}only pages of urgency {', '.join(co.urgencies)} are paid")
    iw = rates.interrupted_weekend
    if iw.bonus or iw.toil_days or complete:
        lines.append(
            f"{indent}each interrupted weekend or holiday block: {iw.bonus} {c} and "
            f"{_num(iw.toil_days)} day(s) off in lieu"
        )
    return lines


def describe_policy(policy: Policy) -> str:
    """Each version and plan of a policy in plain words."""
    out = [f"Rules {policy.name!r}; pay weeks start on {policy.week_starts_on.capitalize()}."]
    h = policy.health
    out.append(
        f"Health: a month is healthy below {h.monthly_page_target} counted pages; sleep hours "
        f"{h.sleep_hours.start}–{h.sleep_hours.end}, {h.min_rest_hours} h of rest owed after a "
        f"callout that ends in them; at most {h.max_consecutive_days} on-call days in a row."
    )
    start_day = policy.week_start_weekday
    for version in policy.versions:
        eff = version.effective_from
        out.append("")
        line = f"Version effective from {eff} (rounding {version.rounding.replace('_', '-')})"
        if eff.weekday() != start_day:
            first = eff + timedelta(days=(start_day - eff.weekday()) % 7)
            line += (
                f": {eff} is not a {policy.week_starts_on.capitalize()}, so it takes "
                f"effect with the pay week starting {first}"
            )
        out.append(line)
        extra = {k: v for k, v in version.calendar.extra_holidays.items() if v}
        if extra:
            out.append(
                "  company days off: "
                + "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in extra.items())
            )
        codes = version.payroll.codes
        if codes:
            out.append(
                "  earning codes: " + ", ".join(f"{k} {c}" for k, c in codes.items())
            )
        for tier, tier_codes in version.payroll.tier_codes.items():
            out.append(
                f"  earning codes of tier {tier!r} (before the ones above): "
                + ", ".join(f"{k} {c}" for k, c in tier_codes.items())
            )
        for name, plan in version.plans.items():
            out.extend(_describe_plan(name, plan, version))
    return "\n".join(out)
