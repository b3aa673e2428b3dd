"""Bad values of the Python API (spec/quality.md "Bad input"): a clear error.

Every error is an ``OncallPayError`` that is also a ``ValueError``, names the
record and field it is about, and says what was expected and what came.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import oncall_pay as op
from helpers import DUBLIN, LONDON, example_plan, example_policy, local, page

D = "Europe/Dublin"
WEEK = date(2026, 11, 16)
SHIFT = op.Shift("alice", local(D, 2026, 11, 16), local(D, 2026, 11, 23))


def run(
    vols: list[op.Volunteer] | None = None,
    shifts: list[op.Shift] | None = None,
    pages: list[op.Page] | None = None,
    policy: op.Policy | None = None,
    start: date = WEEK,
    end: date = WEEK,
) -> op.Report:
    """Compute a report with the example policy and Alice's week by default."""
    return op.compute(
        [DUBLIN] if vols is None else vols,
        [SHIFT] if shifts is None else shifts,
        pages or [],
        policy or example_policy(),
        start=start,
        end=end,
    )


def assert_input_error(error: pytest.ExceptionInfo[op.InputError], field: str, *words: str) -> None:
    """The error is an InputError (also a ValueError) about ``field`` that says ``words``."""
    assert isinstance(error.value, op.OncallPayError)
    assert isinstance(error.value, ValueError)
    assert any(p.field == field for p in error.value.problems), error.value.problems
    text = str(error.value)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"


# --- naive datetimes ----------------------------------------------------------


def test_a_shift_with_a_naive_start_is_refused() -> None:
    """A shift whose start has no UTC offset is refused, naming the shift and field."""
    with pytest.raises(op.InputError) as error:
        op.Shift("alice", datetime(2026, 11, 16, 9), local(D, 2026, 11, 23))
    assert_input_error(error, "start", "shift of 'alice'", "2026-11-16T09:00:00", "naive")


def test_a_shift_with_a_naive_end_is_refused() -> None:
    """A shift whose end has no UTC offset is refused, naming the field."""
    with pytest.raises(op.InputError) as error:
        op.Shift("alice", local(D, 2026, 11, 16), datetime(2026, 11, 23, 9))
    assert_input_error(error, "end", "shift of 'alice'", "no UTC offset")


def test_a_page_at_a_naive_instant_is_refused() -> None:
    """A page sent at a naive datetime is refused, naming the page."""
    with pytest.raises(op.InputError) as error:
        op.Page(id="PD-1", volunteer_id="alice", at=datetime(2026, 11, 21, 2, 10))
    assert_input_error(error, "at", "page 'PD-1'", "naive")


def test_a_page_resolved_at_a_naive_instant_is_refused() -> None:
    """A page resolved at a naive datetime is refused, naming the field."""
    with pytest.raises(op.InputError) as error:
        page("PD-1", "alice", local(D, 2026, 11, 21, 2, 10), datetime(2026, 11, 21, 3))
    assert_input_error(error, "resolved_at", "page 'PD-1'", "naive")


# --- intervals ----------------------------------------------------------------


@pytest.mark.parametrize("hours", [0, -1])
def test_a_shift_that_ends_at_or_before_its_start_is_refused(hours: int) -> None:
    """A shift whose end is not after its start is refused, quoting both instants."""
    start = local(D, 2026, 11, 16, 9)
    with pytest.raises(op.InputError) as error:
        op.Shift("alice", start, start + timedelta(hours=hours))
    assert_input_error(error, "end", "is not after start", start.isoformat())


def test_a_page_resolved_before_it_was_sent_is_refused() -> None:
    """A page whose resolved_at is before its at is refused."""
    at = local(D, 2026, 11, 21, 2, 10)
    with pytest.raises(op.InputError) as error:
        page("PD-1", "alice", at, at - timedelta(minutes=1))
    assert_input_error(error, "resolved_at", "is before the page at", at.isoformat())


def test_a_negative_worked_time_is_refused() -> None:
    """A page with a negative worked time is refused."""
    with pytest.raises(op.InputError) as error:
        page("PD-1", "alice", local(D, 2026, 11, 21, 2, 10), worked=timedelta(minutes=-5))
    assert_input_error(error, "worked", "page 'PD-1'", "negative")


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    """A pay run whose period starts after it ends is refused, quoting both dates."""
    with pytest.raises(op.InputError) as error:
        run(start=date(2026, 11, 30), end=date(2026, 11, 1))
    assert_input_error(error, "period", "2026-11-30", "2026-11-01", "after")


# --- volunteers -----------------------------------------------------------------


def test_an_unknown_time_zone_is_refused() -> None:
    """A volunteer in a zone the tz database does not know is refused, quoting it."""
    with pytest.raises(op.InputError) as error:
        op.Volunteer(id="zed", country="IE", timezone="Europe/Atlantis")
    assert_input_error(error, "timezone", "volunteer 'zed'", "Europe/Atlantis", "IANA")


def test_an_unknown_country_is_refused() -> None:
    """A volunteer in a country the holidays package does not know is refused."""
    with pytest.raises(op.InputError) as error:
        op.Volunteer(id="zed", country="XX", timezone="Europe/Dublin")
    assert_input_error(error, "country", "volunteer 'zed'", "'XX'")


def test_an_unknown_subdivision_is_refused_listing_the_known_ones() -> None:
    """A subdivision the country does not have is refused, listing the ones it has."""
    with pytest.raises(op.InputError) as error:
        op.Volunteer(id="zed", country="GB", timezone="Europe/London", subdivision="XYZ")
    assert_input_error(error, "subdivision", "volunteer 'zed'", "'XYZ'", "ENG")


def test_a_missing_subdivision_is_an_error_that_names_the_way_out() -> None:
    """A GB volunteer without ENG/SCT/… is an error mentioning allow_missing_subdivision."""
    bob = op.Volunteer(id="bob", country="GB", timezone="Europe/London")
    shift = op.Shift(
        "bob", local("Europe/London", 2026, 11, 16), local("Europe/London", 2026, 11, 23)
    )
    with pytest.raises(op.InputError) as error:
        run([bob], [shift])
    assert_input_error(error, "subdivision", "volunteer 'bob'", "ENG", "allow_missing_subdivision")


@pytest.mark.parametrize("where", ["version", "plan"])
def test_allow_missing_subdivision_turns_the_error_into_a_notice(where: str) -> None:
    """With allow_missing_subdivision the run goes ahead with a subdivision notice."""
    allow = op.Calendar(allow_missing_subdivision=True)
    if where == "version":
        policy = example_policy(calendar=allow)
    else:
        policy = example_policy(example_plan(calendar=allow))
    bob = op.Volunteer(id="bob", country="GB", timezone="Europe/London")
    shift = op.Shift(
        "bob", local("Europe/London", 2026, 11, 16), local("Europe/London", 2026, 11, 23)
    )
    report = run([bob], [shift], policy=policy)
    assert [(n.kind, n.volunteer_id) for n in report.notices] == [("subdivision", "bob")]
    assert "GB" in report.notices[0].detail
    assert [s.volunteer_id for s in report.statements] == ["bob"]


def test_duplicate_volunteer_ids_are_refused() -> None:
    """Two roster entries with one id are refused, naming the id."""
    twin = op.Volunteer(id="alice", country="GB", timezone="Europe/London", subdivision="ENG")
    with pytest.raises(op.InputError) as error:
        run([DUBLIN, twin])
    assert_input_error(error, "id", "duplicate volunteer id 'alice'")


# --- shifts and pages of people not on the roster --------------------------------


def test_a_shift_of_someone_not_on_the_roster_is_refused() -> None:
    """A shift naming a volunteer missing from the roster is refused, naming them."""
    with pytest.raises(op.InputError) as error:
        run(shifts=[SHIFT, op.Shift("mallory", SHIFT.start, SHIFT.end)])
    assert_input_error(error, "volunteer_id", "'mallory'", "not in the roster")


def test_a_page_of_someone_not_on_the_roster_is_refused() -> None:
    """A page naming a volunteer missing from the roster is refused, naming page and person."""
    with pytest.raises(op.InputError) as error:
        run(pages=[page("PD-9", "mallory", local(D, 2026, 11, 21, 2))])
    assert_input_error(error, "volunteer_id", "'PD-9'", "'mallory'", "not in the roster")


def test_duplicate_page_ids_are_refused() -> None:
    """Two pages with one id are refused, naming the id."""
    at = local(D, 2026, 11, 21, 2)
    with pytest.raises(op.InputError) as error:
        run(pages=[page("PD-1", "alice", at), page("PD-1", "alice", at + timedelta(hours=1))])
    assert_input_error(error, "id", "duplicate page id 'PD-1'")


def test_every_problem_of_a_run_is_reported_at_once() -> None:
    """A run with several bad values reports all of them in one error."""
    at = local(D, 2026, 11, 21, 2)
    with pytest.raises(op.InputError) as error:
        run(
            vols=[DUBLIN, DUBLIN, LONDON],
            shifts=[SHIFT, op.Shift("mallory", SHIFT.start, SHIFT.end)],
            pages=[page("PD-1", "alice", at), page("PD-1", "eve", at)],
            start=date(2026, 11, 30),
            end=date(2026, 11, 1),
        )
    fields = sorted(p.field or "" for p in error.value.problems)
    assert fields == ["id", "id", "period", "volunteer_id", "volunteer_id"]


# --- rules ------------------------------------------------------------------------


def test_a_week_no_version_covers_is_a_policy_error() -> None:
    """A reported week before the first version's effective_from is a PolicyError naming it."""
    early = op.Shift("alice", local(D, 2025, 12, 1), local(D, 2025, 12, 8))
    with pytest.raises(op.PolicyError) as error:
        run(shifts=[early], start=date(2025, 12, 1), end=date(2025, 12, 1))
    assert isinstance(error.value, op.OncallPayError)
    assert isinstance(error.value, ValueError)
    assert error.value.field == "versions"
    for word in ("2025-W49", "2025-12-01", "2026-01-05"):
        assert word in str(error.value)


def test_a_week_no_version_covers_is_an_error_even_with_nobody_on_call() -> None:
    """§4: a reported week without a rules version is an error whoever was on call."""
    with pytest.raises(op.PolicyError) as error:
        run(shifts=[SHIFT], start=date(2025, 12, 1), end=date(2026, 11, 30))
    assert "2025-W49" in str(error.value)
    assert "4 later week(s)" in str(error.value)


# --- the repeated hour: elapsed time, not wall-clock time ---------------------------
# Python compares and subtracts two datetimes that share a tzinfo by wall
# clock, so in Dublin's repeated hour on 25 October 2026 the second 01:10
# (GMT, 01:10 UTC) looks earlier than the first 01:50 (IST, 00:50 UTC).

REPEATED_FIRST_0150 = datetime(2026, 10, 25, 1, 50, tzinfo=ZoneInfo(D))  # 00:50 UTC
REPEATED_SECOND_0110 = datetime(2026, 10, 25, 1, 10, fold=1, tzinfo=ZoneInfo(D))  # 01:10 UTC


def test_a_shift_through_the_repeated_hour_is_accepted() -> None:
    """A shift from the first 01:50 to the second 01:10 lasts 20 minutes and is accepted."""
    shift = op.Shift("alice", REPEATED_FIRST_0150, REPEATED_SECOND_0110)
    report = run(shifts=[shift], start=date(2026, 10, 19), end=date(2026, 10, 19))
    (statement,) = report.statements
    assert sum(statement.covered.values(), timedelta(0)) == timedelta(minutes=20)


def test_a_shift_ending_before_it_starts_in_the_repeated_hour_is_refused() -> None:
    """A shift from the second 01:10 to the first 01:50 ends 20 minutes before it starts."""
    with pytest.raises(op.InputError) as error:
        op.Shift("alice", REPEATED_SECOND_0110, REPEATED_FIRST_0150)
    assert_input_error(error, "end", "is not after start")


def test_a_page_resolved_in_the_repeated_hour_is_accepted() -> None:
    """A page at the first 01:50 resolved at the second 01:10 (20 minutes later) is accepted."""
    page("PD-1", "alice", REPEATED_FIRST_0150, REPEATED_SECOND_0110)


def test_a_page_resolved_before_it_was_sent_in_the_repeated_hour_is_refused() -> None:
    """A page at the second 01:10 resolved at the first 01:50 (20 minutes earlier) is refused."""
    with pytest.raises(op.InputError) as error:
        page("PD-1", "alice", REPEATED_SECOND_0110, REPEATED_FIRST_0150)
    assert_input_error(error, "resolved_at", "is before the page at")
