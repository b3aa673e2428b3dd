"""Reading saved Grafana OnCall final shifts: people matched by email or username, every
problem listed at its JSON path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import oncall_pay as op
from oncall_pay.readers import read_grafana_final_shifts

FIXTURE = Path(__file__).parent / "fixtures" / "grafana" / "final-shifts.json"
ALICE = op.Volunteer(id="alice", name="Alice Byrne", country="IE", timezone="Europe/Dublin",
                     email="alice@example.com")  # fmt: skip
BOB = op.Volunteer(id="Bob", name="Bob Jones", country="GB", subdivision="ENG",
                   timezone="Europe/London")  # fmt: skip
ROSTER = (ALICE, BOB)


def doc() -> dict[str, Any]:
    """The fixture's JSON, to change."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_people_match_by_email_then_by_username_as_roster_id() -> None:
    """Alice by her email (any capitals), Bob by his username equal to his roster id
    (any capitals); each result one shift, in file order."""
    shifts = read_grafana_final_shifts(FIXTURE, ROSTER)
    assert [(s.volunteer_id, s.start, s.end) for s in shifts] == [
        ("alice", utc(2026, 11, 2, 9), utc(2026, 11, 4, 12)),
        ("Bob", utc(2026, 11, 4, 12), utc(2026, 11, 4, 18)),
        ("alice", utc(2026, 11, 4, 18), utc(2026, 11, 9, 9)),
        ("Bob", utc(2026, 11, 9, 9), utc(2026, 11, 16, 9)),
        ("alice", utc(2026, 11, 16, 9), utc(2026, 11, 23, 9)),
    ]


def test_an_explicit_mapping_wins() -> None:
    """A mapping by Grafana user pk sends Alice's shifts to Bob."""
    shifts = read_grafana_final_shifts(FIXTURE, ROSTER, mapping={"UALICE1234567": "Bob"})
    assert {s.volunteer_id for s in shifts} == {"Bob"}


def test_every_problem_is_listed_at_its_path(tmp_path: Path) -> None:
    """Someone matching nobody (with every place they appear) and a time without an offset
    come in one error."""
    data = doc()
    data["results"][1]["shift_start"] = "2026-11-04T12:00:00"
    path = tmp_path / "page.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(op.InputError) as caught:
        read_grafana_final_shifts(path, (BOB,))
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == (
        f'{path}, field "results[1].shift_start": 2026-11-04T12:00:00 has no UTC offset; '
        "Grafana OnCall writes one (e.g. 2026-11-21T02:10:00Z)"
    )
    assert messages[1].startswith(
        f'{path}, field "results[0]": Grafana OnCall user abyrne (Alice@Example.com, '
        "UALICE1234567) matches no volunteer in the roster; add their email to the roster's "
        "email column"
    )
    assert "seen 3 times" in messages[1]
    assert len(messages) == 2


def test_a_missing_page_is_an_error(tmp_path: Path) -> None:
    """Pages 1 and 3 of 3 given: the run stops, saying page 2 was not given."""
    files = []
    for number in (1, 3):
        data = doc()
        data |= {"current_page_number": number, "total_pages": 3, "page_size": 2,
                 "results": data["results"][(number - 1) * 2 : number * 2]}  # fmt: skip
        files.append(tmp_path / f"page-{number}.json")
        files[-1].write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(op.InputError, match=r"page 2 was not given; save every page") as caught:
        read_grafana_final_shifts(files, ROSTER)
    assert caught.value.source == str(files[0])


def test_the_same_page_given_twice_is_read_once() -> None:
    """Identical shifts (the same page saved twice) are read once."""
    assert len(read_grafana_final_shifts([FIXTURE, FIXTURE], ROSTER)) == 5


def test_another_answer_is_named_as_such(tmp_path: Path) -> None:
    """A PagerDuty schedule given as final shifts says what it expected and what it found."""
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps({"schedule": {"id": "P1"}}), encoding="utf-8")
    with pytest.raises(op.InputError, match=r"expected GET /schedules/\{id\}/final_shifts "
                       r"results, with the list 'results'; the object has: schedule"):  # fmt: skip
        read_grafana_final_shifts(path, ROSTER)


def test_a_shift_that_ends_before_it_starts_is_placed(tmp_path: Path) -> None:
    """The model's refusal is reported at the result's shift_end."""
    data = doc()
    data["results"][0]["shift_end"] = "2026-11-01T09:00:00Z"
    path = tmp_path / "page.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(op.InputError) as caught:
        read_grafana_final_shifts(path, ROSTER)
    assert caught.value.field == "results[0].shift_end"
