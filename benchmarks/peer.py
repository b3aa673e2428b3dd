"""The peer case: a 500-person quarter from 100 PagerDuty schedule files.

Usage::

    python benchmarks/peer.py                       # ours, and caloohpay if node is here
    python benchmarks/peer.py --people 500 --weeks 13 --schedules 100 --repeat 3
    python benchmarks/peer.py --no-peer             # ours only

It writes the rota as a person would have saved it from PagerDuty — one
``GET /schedules/{id}`` response per schedule (layers, overrides and the
final schedule, as the API returns them), a roster CSV with each person's
``pagerduty_id``, and the demo's rules — then measures, in CPU seconds of a
fresh process (the least of ``--repeat`` runs, the commands taking turns):

- ``oncall-pay export`` of the quarter to a workbook, and to CSV, the whole
  path a finance user runs (start-up, reading, compute, health, writing);
- reading the 100 schedule files with ``read_pagerduty_schedule`` against
  ``json.loads`` of the same bytes alone (the bar: at most 2×);
- caloohpay 2.1.0 (npm), the best-known open-source peer, on the same files:
  its own calculator and CSV writer, run by ``benchmarks/peer_caloohpay.mjs``
  in Node with the API call replaced by reading the saved response. It is
  installed into ``--peer-dir`` with ``npm`` on first use; without ``node``
  and ``npm`` the peer is left out, and said so.

caloohpay prices far less (a flat rate per out-of-hours weekday and weekend
day, no holidays, callouts, caps or health), so its time is the floor a
simpler model sets, not the same work; ``docs/benchmarks.md`` says more.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import oncall_pay as op
from oncall_pay.cli import demo_files
from oncall_pay.readers import read_pagerduty_schedule

#: caloohpay's version the figures in docs/benchmarks.md were measured with.
CALOOHPAY = "caloohpay@2.1.0"
#: The bar for reading schedule files, against json.loads of their bytes.
READ_BAR = 2.0
#: Where people live: (country, subdivision, zone), the demo rules' countries.
PLACES = (
    ("IE", "", "Europe/Dublin"),
    ("GB", "ENG", "Europe/London"),
    ("US", "CA", "America/Los_Angeles"),
    ("AU", "NSW", "Australia/Sydney"),
)
HERE = Path(__file__).resolve().parent


# -- the rota -------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _user(pid: str, name: str) -> dict[str, str]:
    return {
        "id": pid,
        "type": "user_reference",
        "summary": name,
        "self": f"https://api.pagerduty.com/users/{pid}",
        "html_url": f"https://example.pagerduty.com/users/{pid}",
    }


def _schedule(
    index: int, people: Sequence[tuple[str, str]], zone: str, first: date, weeks: int
) -> dict[str, Any]:
    """One ``GET /schedules/{id}`` response: a weekly rota with Monday 09:00
    local handoffs, padded a week either side as the how-to asks."""
    tz = ZoneInfo(zone)
    entries = []
    for w in range(-1, weeks + 1):
        start = datetime.combine(first + timedelta(weeks=w), datetime.min.time(), tz)
        start = start.replace(hour=9)
        end = start + timedelta(weeks=1)
        pid, name = people[(w + index) % len(people)]
        entries.append(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "user": _user(pid, name),
            }
        )
    sid = f"PS{index:05}"
    layer = {
        "id": f"PL{index:05}",
        "name": "Layer 1",
        "start": entries[0]["start"],
        "end": None,
        "rotation_virtual_start": entries[0]["start"],
        "rotation_turn_length_seconds": 604800,
        "users": [{"user": _user(pid, name)} for pid, name in people],
        "restrictions": [],
        "rendered_schedule_entries": entries,
        "rendered_coverage_percentage": 100.0,
    }
    return {
        "schedule": {
            "id": sid,
            "type": "schedule",
            "summary": f"Team {index} - primary",
            "self": f"https://api.pagerduty.com/schedules/{sid}",
            "html_url": f"https://example.pagerduty.com/schedules/{sid}",
            "name": f"Team {index} - primary",
            "time_zone": zone,
            "description": "Weekly volunteer rota, Monday 09:00 handoffs",
            "escalation_policies": [],
            "users": [_user(pid, name) for pid, name in people],
            "teams": [],
            "schedule_layers": [layer],
            "overrides_subschedule": {
                "name": "Overrides",
                "rendered_schedule_entries": [],
                "rendered_coverage_percentage": 0.0,
            },
            "final_schedule": {
                "name": "Final Schedule",
                "rendered_schedule_entries": entries,
                "rendered_coverage_percentage": 100.0,
            },
        }
    }


def write_rota(root: Path, people: int, weeks: int, schedules: int) -> dict[str, Any]:
    """Write the roster, the rules and the schedule files under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    first = _monday(date(2026, 1, 5))
    per = max(1, people // schedules)
    roster = root / "volunteers.csv"
    files = []
    with roster.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "name", "country", "subdivision", "timezone", "pagerduty_id"])
        for s in range(schedules):
            country, subdivision, zone = PLACES[s % len(PLACES)]
            team = []
            for k in range(per):
                n = s * per + k
                vid, pid, name = f"v{n:05}", f"PU{n:05}", f"Person {n}"
                out.writerow([vid, name, country, subdivision, zone, pid])
                team.append((pid, name))
            path = root / f"schedule-{s:03}.json"
            path.write_text(json.dumps(_schedule(s, team, zone, first, weeks), indent=2))
            files.append(path)
    rules = root / "rules.toml"
    shutil.copyfile(demo_files()["rules"], rules)
    return {
        "roster": roster,
        "rules": rules,
        "schedules": files,
        "start": first,
        "end": first + timedelta(weeks=weeks) - timedelta(days=1),
        "people": per * schedules,
    }


# -- measuring ------------------------------------------------------------------


def _child_cpu(cmd: Sequence[str | Path]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``cmd`` in a fresh process."""
    # As an installed package runs: pip compiles the bytecode when it
    # installs, and Python caches it. An environment that forbids writing
    # bytecode (PYTHONDONTWRITEBYTECODE) would make every run compile the
    # whole package again, which no installed command does.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _least_in_turns(
    runs: int, cases: dict[str, Sequence[str | Path]]
) -> dict[str, tuple[float, float]]:
    """The least (CPU, wall) seconds of ``runs`` runs of each command, the
    commands taking turns. This machine's speed drifts by a fifth within
    minutes: timing every run of one command and then every run of the
    other would credit the drift to whichever came second."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            times[name].append(_child_cpu(cmd))
    return {
        name: (min(cpu for cpu, _ in got), min(wall for _, wall in got))
        for name, got in times.items()
    }


#: Runs of the reading comparison (each takes a few hundredths of a second).
_READ_RUNS = 30


def _read_times(files: Sequence[Path], roster: Path, runs: int) -> tuple[float, float]:
    """(reading with read_pagerduty_schedule, json.loads alone), CPU seconds,
    the least of ``runs``; the bytes are read from disk before either clock."""
    volunteers = op.read_volunteers_csv(roster)
    texts = [f.read_text(encoding="utf-8") for f in files]
    ours, floor = [], []
    for _ in range(runs):
        t = time.process_time()
        for text in texts:
            read_pagerduty_schedule(text, volunteers)
        ours.append(time.process_time() - t)
        t = time.process_time()
        for text in texts:
            json.loads(text)
        floor.append(time.process_time() - t)
    return min(ours), min(floor)


def _peer_ready(peer_dir: Path) -> Path | None:
    """The caloohpay install, installing it with npm on first use; None without node."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    package = peer_dir / "node_modules" / "caloohpay"
    if not package.is_dir():
        peer_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(peer_dir), CALOOHPAY],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"(npm could not install {CALOOHPAY}: {done.stderr.strip()[-300:]})")
            return None
    return package


def _oncall_pay() -> Path:
    return Path(sys.executable).parent / "oncall-pay"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=500)
    p.add_argument("--weeks", type=int, default=13)
    p.add_argument("--schedules", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3, help="runs of each case; the least counts")
    p.add_argument("--jobs", default="1", help="passed to oncall-pay export --jobs")
    p.add_argument("--output-dir", type=Path, default=None)
    p.add_argument("--peer-dir", type=Path, default=Path.home() / ".cache" / "oncall-pay-peer")
    p.add_argument("--no-peer", action="store_true", help="leave caloohpay out")
    args = p.parse_args(argv)

    root = args.output_dir or Path(os.environ.get("TMPDIR", "/tmp")) / "oncall-pay-peer-case"
    rota = write_rota(root, args.people, args.weeks, args.schedules)
    files = rota["schedules"]
    size = sum(f.stat().st_size for f in files)
    print(
        f"peer case: {rota['people']} people, {args.weeks} weeks from {rota['start']}, "
        f"{len(files)} PagerDuty schedule files ({size / 2**20:.1f} MiB); "
        f"CPU seconds, the least of {args.repeat} runs taken in turns"
    )
    base = [
        _oncall_pay(), "export", "--volunteers", rota["roster"], "--rules", rota["rules"],
        "--from", rota["start"].isoformat(), "--to", rota["end"].isoformat(),
        "--jobs", args.jobs,
    ]  # fmt: skip
    for f in files:
        base += ["--pagerduty-schedule", f]
    cases: dict[str, Sequence[str | Path]] = {
        f"export_{fmt}": [*base, "--format", fmt, "--output", root / f"pay.{fmt}"]
        for fmt in ("xlsx", "csv")
    }
    package = None if args.no_peer else _peer_ready(args.peer_dir)
    if package is not None:
        script = HERE / "peer_caloohpay.mjs"
        cases["caloohpay"] = ["node", script, package, root / "caloohpay.csv", *files]
    timed = _least_in_turns(args.repeat, cases)
    results: dict[str, Any] = {name: cpu for name, (cpu, _) in timed.items()}
    for fmt in ("xlsx", "csv"):
        cpu, wall = timed[f"export_{fmt}"]
        print(f"  oncall-pay export --format {fmt:<4} {cpu:6.2f} s CPU ({wall:.2f} s wall)")
    # Reading takes milliseconds: the least of many runs, whatever --repeat says.
    ours, floor = _read_times(files, rota["roster"], max(args.repeat, _READ_RUNS))
    results["read"], results["json_loads"] = ours, floor
    ratio = ours / floor
    verdict = "MET" if ratio <= READ_BAR else "NOT MET"
    print(
        f"  reading the schedule files      {ours:6.2f} s CPU vs json.loads alone {floor:.2f} s"
        f" = {ratio:.2f}× — bar ≤ {READ_BAR}: {verdict}"
    )
    ok = ratio <= READ_BAR
    if package is None:
        print("  caloohpay                       left out (--no-peer, or no node/npm)")
    else:
        cpu, wall = timed["caloohpay"]
        print(f"  {CALOOHPAY} (Node)        {cpu:6.2f} s CPU ({wall:.2f} s wall)")
        for fmt in ("xlsx", "csv"):
            mine = results[f"export_{fmt}"]
            below = "below" if mine < cpu else "NOT below"
            print(f"  oncall-pay {fmt} / caloohpay      {mine / cpu:6.2f}× ({below} the peer)")
            ok = ok and mine < cpu
    (root / "peer-results.json").write_text(json.dumps(results, indent=2))
    print(f"  files and peer-results.json in {root}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
