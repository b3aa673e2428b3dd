"""The year-10k benchmark: compute, export and the openpyxl floor, in one run.

Usage::

    python benchmarks/run.py --volunteers 10000 --weeks 52

For the full size and for half the volunteers (``--skip-half`` leaves that
out), it prints generation, compute and export times, volunteer-weeks per
second, the time openpyxl's write-only mode alone takes to write the same
cells (the *floor*), the ratio of compute plus export to that floor, and the
peak memory of compute and of export. It then runs the export with
``--compare-weeks`` weeks (default 26) to show whether the writer's memory
stays flat as the rows double, and checks the three bars of
``spec/quality.md`` (Performance). ``docs/benchmarks.md`` explains every
number.

Each measurement runs in a fresh subprocess, so one case's memory and caches
do not leak into the next. Times are measured without ``tracemalloc``
(it slows Python down severalfold); the ``tracemalloc`` peaks come from a
second subprocess of the same case. ``--profile`` runs ``cProfile`` over
compute instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import generate as gen

import oncall_pay as op

#: The bars of spec/quality.md.
FLOOR_BAR = 2.0
GROWTH_BAR = 2.2
FLAT_BAR = 0.10
#: The targets of issue 17 (speed), tighter than the spec's bars; reported
#: beside them, and they too set the exit status.
THROUGHPUT_TARGET = 50_000
FLOOR_TARGET = 1.5
#: RSS growth below this (bytes) is too small for a percentage to mean anything.
RSS_NOISE = 1 << 20

Result = dict[str, Any]


# -- measuring ------------------------------------------------------------------


def _peak_rss() -> int:
    """The process's peak resident set size in bytes (``getrusage``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # macOS gives bytes


def _current_rss() -> int | None:
    """The resident set size now, in bytes (Linux only)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _reset_peak_rss() -> bool:
    """Lower the kernel's peak RSS mark to the RSS now (Linux ≥ 4.0).

    ``getrusage`` reports the high-water mark of the whole process; resetting
    it before the export makes the export's peak its own, not compute's.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


@contextmanager
def _clock(into: Result, name: str) -> Iterator[None]:
    """Record wall and CPU seconds of the block as ``name`` and ``name_cpu``."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into[f"{name}_cpu"] = time.process_time() - cpu
    into[name] = time.perf_counter() - wall


def _writer() -> Callable[..., object] | None:
    """The workbook writer, or ``None`` while it does not exist yet."""
    try:
        from oncall_pay.writers.workbook import write_workbook
    except ImportError:
        return None
    return write_workbook  # type: ignore[no-any-return, unused-ignore]


def _read_back(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every sheet's title and row values, as openpyxl read-only sees them."""
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    wb = load_workbook(path, read_only=True)
    try:
        return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in wb.worksheets]
    finally:
        wb.close()


def _write_floor(sheets: list[tuple[str, list[tuple[Any, ...]]]], path: Path) -> None:
    """The same sheets, rows and values with openpyxl write-only, no styles."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def measure(
    volunteers: int,
    weeks: int,
    *,
    mode: str,
    seed: int,
    output_dir: Path,
    floor: bool = True,
    jobs: int = 0,
) -> Result:
    """One case: generate, compute, export (and the floor), in this process.

    Args:
        volunteers: Volunteers in the organisation.
        weeks: Pay weeks in the period.
        mode: ``time`` (times and RSS, no tracemalloc) or ``memory``
            (tracemalloc peaks of compute and export).
        seed: The generator's seed.
        output_dir: Where the workbooks go.
        floor: In ``time`` mode, also write the openpyxl floor.
        jobs: In ``time`` mode, also compute with this many worker processes
            (0: not), timing the wall clock, and check the report is the same.

    Returns:
        The measurements, JSON-friendly.
    """
    out: Result = {"volunteers": volunteers, "weeks": weeks, "mode": mode}
    with _clock(out, "generate"):
        org = gen.generate(volunteers, weeks, seed=seed)
    out["shifts"], out["pages"] = len(org.shifts), len(org.pages)
    tracing = mode == "memory"

    out["rss_compute_start"] = _current_rss()
    if tracing:
        tracemalloc.start()
    with _clock(out, "compute"):
        report = op.compute(
            org.volunteers, org.shifts, org.pages, org.policy, start=org.start, end=org.end
        )
    if tracing:
        out["tm_compute_peak"] = tracemalloc.get_traced_memory()[1]
    out["rss_compute_peak"] = _peak_rss()
    if jobs > 1 and not tracing:
        with _clock(out, "compute_jobs"):
            in_processes = op.compute(
                org.volunteers, org.shifts, org.pages, org.policy,
                start=org.start, end=org.end, workers=jobs,
            )  # fmt: skip
        out["jobs"] = jobs
        out["jobs_same_report"] = in_processes == report
        del in_processes
    out["statements"] = len(report.statements)
    out["lines"] = sum(len(st.lines) for st in report.statements)
    out["page_rows"] = len(report.pages)
    out["notices"] = len(report.notices)

    write = _writer()
    if write is None:
        return out
    path = output_dir / f"run-{volunteers}x{weeks}-{mode}.xlsx"
    gc.collect()
    if tracing:
        tracemalloc.reset_peak()
        out["tm_export_start"] = tracemalloc.get_traced_memory()[0]
    out["rss_reset"] = _reset_peak_rss()
    out["rss_export_start"] = _current_rss()
    with _clock(out, "export"):
        write(report, path, volunteers=org.volunteers)
    if tracing:
        out["tm_export_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    out["rss_export_peak"] = _peak_rss()
    out["workbook_bytes"] = path.stat().st_size

    if mode == "time" and floor:
        del report, org
        with _clock(out, "read_back"):
            sheets = _read_back(path)
        out["sheets"] = {title: len(rows) for title, rows in sheets}
        floor_path = output_dir / f"floor-{volunteers}x{weeks}.xlsx"
        with _clock(out, "floor"):
            _write_floor(sheets, floor_path)
        out["floor_bytes"] = floor_path.stat().st_size
    return out


def _best_of(
    volunteers: int, weeks: int, args: argparse.Namespace, *, floor: bool = True
) -> Result:
    """The ``time`` case ``--repeat`` times, each in a fresh subprocess; the
    least of each time (the least disturbed by other work on the machine)."""
    runs = [
        _run_case(volunteers, weeks, "time", args, floor=floor, attempt=i)
        for i in range(args.repeat)
    ]
    best = dict(runs[0])
    timed = [key.removesuffix("_cpu") for key in runs[0] if key.endswith("_cpu")]
    for name in timed:
        best[name] = min(r[name] for r in runs)
        best[f"{name}_cpu"] = min(r[f"{name}_cpu"] for r in runs)
    if "jobs_same_report" in best:
        best["jobs_same_report"] = all(r["jobs_same_report"] for r in runs)
    best["repeats"] = len(runs)
    return best


def _run_case(
    volunteers: int,
    weeks: int,
    mode: str,
    args: argparse.Namespace,
    *,
    floor: bool = True,
    attempt: int = 0,
) -> Result:
    """``measure`` in a fresh subprocess (or here, with ``--in-process``)."""
    label = f"{volunteers:,} volunteers × {weeks} weeks, {mode}"
    if attempt:
        label += f", repeat {attempt + 1}"
    print(f"… {label}", file=sys.stderr, flush=True)
    if args.in_process:
        return measure(
            volunteers, weeks, mode=mode, seed=args.seed, output_dir=args.output_dir, floor=floor
        )
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        mode,
        "--volunteers",
        str(volunteers),
        "--weeks",
        str(weeks),
        "--seed",
        str(args.seed),
        "--output-dir",
        str(args.output_dir),
    ]
    if not floor:
        command.append("--no-floor")
    if mode == "time" and args.jobs > 1:
        command += ["--jobs", str(args.jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"{label} failed (exit {done.returncode}):\n{done.stderr}"
        raise RuntimeError(msg)
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    # Every raw measurement as soon as it exists: a long run that is stopped
    # half-way still leaves what it measured.
    with (args.output_dir / "measurements.jsonl").open("a") as log:
        log.write(json.dumps(result) + "\n")
    return result


# -- printing -------------------------------------------------------------------


def _mib(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 2**20:,.1f} MiB"


def _s(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def _t(r: Result, name: str) -> str:
    return f"{_s(r[name])} (CPU {_s(r[name + '_cpu'])})"


def _rss_growth(t: Result) -> float | None:
    """How far the export raised the process's RSS above its start, or None.

    The peak comes from ``getrusage`` and the start from ``/proc/self/statm``;
    the two counters can disagree by a few pages, so a difference below zero
    is read as no growth.
    """
    if t.get("rss_export_start") is None or not t.get("rss_reset"):
        return None
    return float(max(0, t["rss_export_peak"] - t["rss_export_start"]))


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def _verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _header(args: argparse.Namespace) -> list[str]:
    try:
        from openpyxl import LXML  # type: ignore[import-untyped, unused-ignore]
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        lxml = False
    else:
        lxml = bool(LXML)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    first = gen.DEFAULT_START
    return [
        f"oncall_pay {_version('oncall-pay')} benchmark — Python {platform.python_version()}, "
        f"openpyxl {_version('openpyxl')} ({'lxml' if lxml else 'no lxml'}), "
        f"holidays {_version('holidays')}, tzdata {_version('tzdata')}",
        f"oncall_pay from {Path(op.__file__).parent}",
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load} at start; "
        f"times are the least of {args.repeat} run{'s' if args.repeat > 1 else ''}",
        f"organisation: seed {args.seed}, {len(gen.LOCATIONS)} locations in "
        f"{len({loc.country for loc in gen.LOCATIONS})} countries, pay weeks from {first}",
    ]


def _case_lines(t: Result, m: Result | None) -> list[str]:
    n, w = t["volunteers"], t["weeks"]
    lines = [
        "",
        f"== {n:,} volunteers × {w} weeks ==",
        f"  inputs           {t['shifts']:,} shifts, {t['pages']:,} pages",
        f"  report           {t['statements']:,} statements, {t['lines']:,} lines, "
        f"{t['page_rows']:,} page outcomes, {t['notices']:,} notices",
        f"  generation       {_t(t, 'generate')}",
        f"  compute          {_t(t, 'compute')}",
        f"  throughput       {n * w / t['compute']:,.0f} volunteer-weeks/s "
        f"({t['statements'] / t['compute']:,.0f} statements/s; "
        f"CPU {n * w / t['compute_cpu']:,.0f} volunteer-weeks/s)",
    ]
    if "compute_jobs" in t:
        same = "the same report" if t["jobs_same_report"] else "A DIFFERENT REPORT"
        lines.append(
            f"  compute, {t['jobs']} jobs  {_s(t['compute_jobs'])} wall "
            f"(parent CPU {_s(t['compute_jobs_cpu'])}): ×{t['compute'] / t['compute_jobs']:.2f} "
            f"the wall-clock speed of one process, {same}"
        )
    if "export" not in t:
        lines.append("  export           n/a: oncall_pay.writers.workbook.write_workbook missing")
    else:
        lines.append(f"  export           {_t(t, 'export')}, {_mib(t['workbook_bytes'])} workbook")
        if "floor" in t:
            rows = sum(t["sheets"].values())
            lines += [
                f"  openpyxl floor   {_t(t, 'floor')} — {rows:,} rows on {len(t['sheets'])} "
                "sheets, write-only, no styles",
                f"  (not counted)    reading the workbook back for the floor: {_s(t['read_back'])}",
                f"  (compute + export) / floor = "
                f"{_ratio(t['compute'] + t['export'], t['floor']):.2f} "
                f"(CPU {_ratio(t['compute_cpu'] + t['export_cpu'], t['floor_cpu']):.2f}); "
                f"export / floor = {_ratio(t['export'], t['floor']):.2f} "
                f"(CPU {_ratio(t['export_cpu'], t['floor_cpu']):.2f})",
            ]
    lines.append(
        f"  memory, compute  peak RSS {_mib(t['rss_compute_peak'])} "
        f"(process, with {_mib(t['rss_compute_start'])} before compute)"
        + (f"; tracemalloc peak {_mib(m['tm_compute_peak'])}" if m else "")
    )
    if "export" in t:
        grew = _rss_growth(t)
        text = (
            f"  memory, export   peak RSS {_mib(t['rss_export_peak'])} "
            f"(+{_mib(grew)} over the {_mib(t['rss_export_start'])} held at its start)"
        )
        if m and "tm_export_peak" in m:
            text += (
                f"; tracemalloc peak {_mib(m['tm_export_peak'] - m['tm_export_start'])} "
                f"above the {_mib(m['tm_export_start'])} held at its start"
            )
        lines.append(text)
    return lines


def _growth_lines(full: Result, half: Result) -> tuple[list[str], bool | None]:
    def both(name: str) -> tuple[float, float]:
        return (
            _ratio(full[name], half[name]),
            _ratio(full[name + "_cpu"], half[name + "_cpu"]),
        )

    lines = ["", f"== growth: {full['volunteers']:,} vs {half['volunteers']:,} volunteers =="]
    wall, cpu = both("compute")
    lines.append(f"  compute          ×{wall:.2f} (CPU ×{cpu:.2f})")
    ok: bool | None = None
    if "export" in full and "export" in half:
        wall_e, cpu_e = both("export")
        lines.append(f"  export           ×{wall_e:.2f} (CPU ×{cpu_e:.2f})")
        total = _ratio(full["compute"] + full["export"], half["compute"] + half["export"])
        total_cpu = _ratio(
            full["compute_cpu"] + full["export_cpu"], half["compute_cpu"] + half["export_cpu"]
        )
        ok = total_cpu <= GROWTH_BAR
        lines.append(
            f"  compute + export ×{total:.2f} (CPU ×{total_cpu:.2f}) — bar ≤ {GROWTH_BAR}: "
            f"{_verdict(ok)}"
        )
    else:
        ok = cpu <= GROWTH_BAR
        lines.append(f"  (compute only: no writer) bar ≤ {GROWTH_BAR}: {_verdict(ok)}")
    return lines, ok


def _flat_lines(
    long_m: Result | None, short_m: Result | None, long_t: Result, short_t: Result
) -> tuple[list[str], bool | None]:
    """Export memory (and time) of the same volunteers over two lengths of period.

    The bar is judged on the tracemalloc peak above the memory held when the
    export starts (the report). RSS growth is shown beside it but judges
    nothing: compute frees more than the export needs, so the process's RSS
    hardly moves whatever the writer holds (without tracemalloc, "n/a").
    """
    lines = [
        "",
        f"== export: {long_t['weeks']} vs {short_t['weeks']} weeks "
        f"({long_t['volunteers']:,} volunteers) ==",
    ]
    if "export" not in long_t or "export" not in short_t:
        return [*lines, "  n/a: no workbook writer"], None
    rows_long = long_t["statements"] + long_t["lines"] + long_t["page_rows"]
    rows_short = short_t["statements"] + short_t["lines"] + short_t["page_rows"]
    lines.append(f"  rows (Weekly + Lines + Pages)      {rows_long:,} vs {rows_short:,}")
    ok: bool | None = None
    if long_m and short_m:
        a = long_m["tm_export_peak"] - long_m["tm_export_start"]
        b = short_m["tm_export_peak"] - short_m["tm_export_start"]
        change = _ratio(a, b) - 1
        ok = abs(change) <= FLAT_BAR
        lines.append(
            f"  tracemalloc peak above the report  {_mib(a)} vs {_mib(b)} ({change:+.1%}) — "
            f"bar within {FLAT_BAR:.0%}: {_verdict(ok)}"
        )
    ra, rb = _rss_growth(long_t), _rss_growth(short_t)
    if ra is not None and rb is not None:
        text = f"  RSS growth during export           {_mib(ra)} vs {_mib(rb)}"
        # RSS moves in pages: a percentage of less than RSS_NOISE is noise.
        if max(ra, rb) >= RSS_NOISE:
            text += f" ({_ratio(ra, rb) - 1:+.1%})"
        if ok is None:
            text += " — not judged: RSS does not show the writer (run without --skip-memory)"
        lines.append(text)
    lines.append(
        f"  export time                        {_t(long_t, 'export')} vs "
        f"{_t(short_t, 'export')} (CPU ×{_ratio(long_t['export_cpu'], short_t['export_cpu']):.2f})"
    )
    return lines, ok


def _profile(volunteers: int, weeks: int, seed: int, top: int) -> None:
    org = gen.generate(volunteers, weeks, seed=seed)
    profiler = cProfile.Profile()
    profiler.enable()
    op.compute(org.volunteers, org.shifts, org.pages, org.policy, start=org.start, end=org.end)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# -- command line ---------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Time compute and export of a synthetic organisation against the "
        "openpyxl floor, and measure their peak memory.",
    )
    p.add_argument("--volunteers", type=int, default=10_000, help="default 10000")
    p.add_argument("--weeks", type=int, default=52, help="default 52")
    p.add_argument("--seed", type=int, default=2026, help="the generator's seed (default 2026)")
    p.add_argument(
        "--compare-weeks",
        type=int,
        default=26,
        metavar="WEEKS",
        help="also export WEEKS weeks to compare export memory (default 26; 0 skips it)",
    )
    p.add_argument("--skip-half", action="store_true", help="skip the half-size case")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="measure each time case N times and keep the least of each time (default 1)",
    )
    p.add_argument("--skip-memory", action="store_true", help="skip the tracemalloc subprocesses")
    p.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="keep the workbooks here (default: a temporary directory, removed)",
    )
    p.add_argument(
        "--in-process",
        action="store_true",
        help="measure in this process, not in subprocesses (memory figures less clean)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="only profile compute with cProfile and print the top functions",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="also time compute in N worker processes (wall clock; default 0: not)",
    )
    p.add_argument("--worker", choices=("time", "memory"), help=argparse.SUPPRESS)
    p.add_argument("--no-floor", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; 0 when every bar is met, else 1."""
    args = _parser().parse_args(argv)
    if args.volunteers < 2 or args.weeks < 1 or args.repeat < 1:
        _parser().error("need at least 2 volunteers, 1 week and 1 repeat")
    if args.profile:
        _profile(args.volunteers, args.weeks, args.seed, 30)
        return 0
    if args.worker:
        result = measure(
            args.volunteers,
            args.weeks,
            mode=args.worker,
            seed=args.seed,
            output_dir=args.output_dir,
            floor=not args.no_floor,
            jobs=args.jobs,
        )
        print(json.dumps(result))
        return 0
    if args.output_dir is not None:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        return _report(args)
    with tempfile.TemporaryDirectory(prefix="oncall-pay-bench-") as tmp:
        args.output_dir = Path(tmp)
        return _report(args)


def _report(args: argparse.Namespace) -> int:
    def show(lines: list[str]) -> None:
        # Each block as soon as it is measured: a full run takes many minutes.
        print("\n".join(lines), flush=True)

    show(_header(args))
    memory = not args.skip_memory
    sizes = [args.volunteers] if args.skip_half else [args.volunteers, args.volunteers // 2]
    timed: dict[int, Result] = {}
    traced: dict[int, Result] = {}
    for n in sizes:
        timed[n] = _best_of(n, args.weeks, args)
        if memory:
            traced[n] = _run_case(n, args.weeks, "memory", args)
        show(_case_lines(timed[n], traced.get(n)))

    floor_bar = f"(compute + export) ≤ {FLOOR_BAR} × openpyxl floor"
    floor_target = f"(compute + export) ≤ {FLOOR_TARGET} × openpyxl floor (issue 17)"
    throughput = f"compute ≥ {THROUGHPUT_TARGET:,} volunteer-weeks/s of CPU (issue 17)"
    verdicts: dict[str, bool | None] = {floor_bar: None, floor_target: None}
    full = timed[args.volunteers]
    verdicts[throughput] = args.volunteers * args.weeks / full["compute_cpu"] >= THROUGHPUT_TARGET
    if "floor" in full:
        ratio = _ratio(full["compute_cpu"] + full["export_cpu"], full["floor_cpu"])
        verdicts[floor_bar] = ratio <= FLOOR_BAR
        verdicts[floor_target] = ratio <= FLOOR_TARGET
    if "jobs_same_report" in full:
        verdicts[f"compute in {args.jobs} processes gives the same report"] = full[
            "jobs_same_report"
        ]
    if not args.skip_half:
        growth, ok = _growth_lines(full, timed[args.volunteers // 2])
        show(growth)
        verdicts[f"time for 2× volunteers ≤ {GROWTH_BAR} × time"] = ok
    short: dict[str, Result] = {}
    if args.compare_weeks and args.compare_weeks != args.weeks:
        short["time"] = _best_of(args.volunteers, args.compare_weeks, args, floor=False)
        if memory:
            short["memory"] = _run_case(args.volunteers, args.compare_weeks, "memory", args)
        flat, ok = _flat_lines(
            traced.get(args.volunteers), short.get("memory"), full, short["time"]
        )
        show(flat)
        verdicts[f"export memory {args.weeks} vs {args.compare_weeks} weeks within 10%"] = ok

    results = {"time": timed, "memory": traced, f"{args.compare_weeks} weeks": short}
    (args.output_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    show(
        ["", "== bars (spec/quality.md, times in CPU seconds) =="]
        + [f"  {name}: {'n/a' if ok is None else _verdict(ok)}" for name, ok in verdicts.items()]
    )
    return 0 if all(ok is not False for ok in verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
