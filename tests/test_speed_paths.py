"""The shortcuts taken for speed (issue 17) give the same answers."""

from __future__ import annotations

import json
import subprocess
import sys

import attrs

import oncall_pay as op
from oncall_pay.readers import read_pagerduty_schedule


def _schedule(user_id: str) -> str:
    entry = {
        "start": "2026-11-16T09:00:00+00:00",
        "end": "2026-11-23T09:00:00+00:00",
        "user": {"id": user_id, "type": "user_reference", "summary": "Someone Else"},
    }
    return json.dumps(
        {"schedule": {"name": "Rota", "final_schedule": {"rendered_schedule_entries": [entry]}}}
    )


def _person(vid: str, pagerduty_id: str) -> op.Volunteer:
    return op.Volunteer(
        id=vid, name=vid.title(), country="IE", timezone="Europe/Dublin",
        pagerduty_id=pagerduty_id,
    )  # fmt: skip


def test_each_roster_is_matched_on_its_own_even_when_indexed_once() -> None:
    """The roster index is reused for the same roster object only: another
    roster, or the same roster with other PagerDuty ids, matches afresh."""
    first = (_person("alice", "P1"), _person("bob", "P2"))
    second = (attrs.evolve(first[0], pagerduty_id="P9"), attrs.evolve(first[1], pagerduty_id="P1"))
    text = _schedule("P1")
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, first)] == ["alice"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, first)] == ["alice"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, second)] == ["bob"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, list(first))] == ["alice"]
    mapped = read_pagerduty_schedule(text, first, mapping={"P1": "bob"})
    assert [s.volunteer_id for s in mapped] == ["bob"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, first)] == ["alice"]


def test_the_command_line_loads_openpyxl_only_to_write_a_workbook() -> None:
    """A CSV or JSON run does not pay for importing openpyxl (a third of a second)."""
    code = (
        "import sys, oncall_pay, oncall_pay.cli; "
        "print('openpyxl' in sys.modules, 'multiprocessing' in sys.modules); "
        "oncall_pay.write_workbook; print('openpyxl' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False", "True"]
