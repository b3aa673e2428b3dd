"""A pay run from files: read and cross-check every input, then price it.

This is what the ``oncall-pay`` command does between parsing its arguments
and writing its output, usable from a service without ``argparse``::

    from datetime import date
    from oncall_pay.pay_run import Sources, load_inputs

    sources = Sources(
        volunteers="roster.csv",
        rules="rules.toml",
        files={"shifts": ["shifts.csv"], "pagerduty_log_entries": ["log-entries.json"]},
    )
    inputs = load_inputs(sources, (date(2026, 11, 1), date(2026, 11, 30)))
    report = inputs.compute(date(2026, 11, 1), date(2026, 11, 30))

Every schedule and page source is one entry of :data:`SOURCES`: its command
line option, help text, what it provides, how it is read and how it is named
on the workbook's Run sheet. Adding a source is adding an entry (and its
reader); the command line builds its options from the registry.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Final, Literal, TypeVar, cast

import attrs

from ._engine import compute
from ._errors import InputError, OncallPayError, PolicyError, Problem
from ._model import Page, Shift, Volunteer, period_problems
from ._notice import Notice
from ._report import Report
from ._rules import Policy
from ._rules_file import load_policy
from ._weeks import WEEK, reported_weeks, source_read_window
from .readers.csv import (
    check_volunteer_refs,
    read_column,
    read_pages_csv_with_lines,
    read_roster_ids,
    read_shifts_csv_with_lines,
    read_volunteers_csv_with_lines,
)

__all__ = [
    "SOURCES",
    "Inputs",
    "ReadContext",
    "Reader",
    "Source",
    "SourceOption",
    "Sources",
    "iso_date",
    "load_inputs",
]

_T = TypeVar("_T")
Progress = Callable[[int, int], None]


@attrs.frozen
class ReadContext:
    """What a source's reader may use besides its files.

    Attributes:
        roster: The volunteers, to match people against (empty for a source
            read before the roster is known to be good, see
            :attr:`Source.needs_roster`).
        period: The first and last date asked for.
        options: The value of every source option, by :attr:`SourceOption.name`.
        policy: The rules, when the rules file could be read (``None`` if
            not): a reader may check its files against them.
    """

    roster: tuple[Volunteer, ...]
    period: tuple[date, date]
    options: Mapping[str, object]
    policy: Policy | None = None

    def pay_weeks(self) -> tuple[date, date] | None:
        """The first date of the first reported pay week and the first date
        after the last one, or ``None`` when there are none or no rules."""
        if self.policy is None:
            return None
        weeks = reported_weeks(*self.period, self.policy.week_start_weekday)
        return (weeks[0], weeks[-1] + WEEK) if weeks else None


Reader = Callable[
    [tuple[Path, ...], ReadContext], Iterable[tuple[int | None, Shift | Page | Notice | Problem]]
]
"""Reads files into ``(line, value)`` pairs; ``line`` is ``None`` where the
format has no line to name. A value is a shift or a page, a ``Notice`` about
the files for the report, or a ``Problem`` of a row the reader could read
past (the pay run then stops, but still checks the rows that were read).
Raises ``InputError`` (or ``OSError``) for bad files."""


@attrs.frozen
class SourceOption:
    """A setting of a source, such as the escalation levels to pay.

    Attributes:
        flag: The command-line option, e.g. ``--levels``.
        help: Its help text.
        metavar: How its value is shown in the usage.
        default: The value when it is not given.
        parse: Turns command-line text into the value (raising
            ``argparse.ArgumentTypeError``); ``None`` keeps the text.
    """

    flag: str
    help: str
    metavar: str
    default: object = None
    parse: Callable[[str], object] | None = None

    @property
    def name(self) -> str:
        """The key of the option in :attr:`Sources.options`, e.g. ``levels``."""
        return self.flag.removeprefix("--").replace("-", "_")


@attrs.frozen
class Source:
    """One kind of schedule or page file a pay run can read.

    Attributes:
        flag: The command-line option naming the files, e.g. ``--ics``.
        metavar: How a file is shown in the usage.
        help: The option's help text.
        provides: ``"shifts"`` or ``"pages"``.
        label: How the files are named on the Run sheet.
        read: The reader.
        repeatable: Whether the option may be given more than once.
        needs_roster: The reader matches people to the roster itself, so it
            runs only once the roster is read. Otherwise its rows name
            volunteer ids, checked against the roster at their lines.
        together: The reader takes every file at once (an export saved in
            several pages); otherwise it is called once per file, so one bad
            file does not hide another's problems.
        options: Settings of this source, each its own command-line option.
    """

    flag: str
    metavar: str
    help: str
    provides: Literal["shifts", "pages"]
    label: str
    read: Reader
    repeatable: bool = True
    needs_roster: bool = True
    together: bool = False
    options: tuple[SourceOption, ...] = ()

    @property
    def flags(self) -> tuple[str, ...]:
        """Every command-line option of the source: its files', then its settings'."""
        return (self.flag, *(o.flag for o in self.options))


def iso_date(text: str) -> date:
    """A command-line date ``YYYY-MM-DD`` (an ``argparse`` type, shared by every command)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date of the form YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in text.split(","))
    except ValueError:
        levels = ()
    if not levels or any(level < 1 for level in levels):
        msg = f"{text!r} is not a list of escalation levels such as 1,2"
        raise argparse.ArgumentTypeError(msg)
    return levels


def _non_volunteers(text: str) -> str:
    if text not in ("notice", "fail"):
        msg = f"{text!r} is not 'notice' or 'fail'"
        raise argparse.ArgumentTypeError(msg)
    return text


def _csv_shifts(
    files: tuple[Path, ...], _: ReadContext
) -> Iterable[tuple[int | None, Shift | Problem]]:
    problems: list[Problem] = []
    rows: list[tuple[int | None, Shift | Problem]] = [
        *read_shifts_csv_with_lines(files[0], problems=problems)
    ]
    return rows + _unlined(problems)


def _csv_pages(
    files: tuple[Path, ...], _: ReadContext
) -> Iterable[tuple[int | None, Page | Problem]]:
    problems: list[Problem] = []
    rows: list[tuple[int | None, Page | Problem]] = [
        *read_pages_csv_with_lines(files[0], problems=problems)
    ]
    return rows + _unlined(problems)


def _unlined(values: Iterable[_T]) -> list[tuple[None, _T]]:
    return [(None, v) for v in values]


def _pagerduty_oncalls(
    files: tuple[Path, ...], ctx: ReadContext
) -> list[tuple[None, Shift | Notice]]:
    from .readers.pagerduty import read_pagerduty_oncalls

    # Open-ended entries stay open: the engine clips them to each
    # volunteer's own local pay weeks.
    levels = cast("tuple[int, ...]", ctx.options["levels"])
    notices: list[Notice] = []
    shifts = read_pagerduty_oncalls(
        files, ctx.roster, levels=levels, notices=notices,
        non_volunteers=cast("Literal['notice', 'fail']", ctx.options["non_volunteers"]),
    )  # fmt: skip
    return [*_unlined(shifts), *_unlined(notices)]


def _pagerduty_schedule(
    files: tuple[Path, ...], ctx: ReadContext
) -> list[tuple[None, Shift | Notice]]:
    from .readers.pagerduty import read_pagerduty_schedule

    # Read together: a schedule saved month by month, cut at each month's
    # edges, is whole when the months are given together.
    notices: list[Notice] = []
    shifts = read_pagerduty_schedule(files, ctx.roster, pay_weeks=ctx.pay_weeks(), notices=notices)
    return [*_unlined(shifts), *_unlined(notices)]


def _pagerduty_log_entries(
    files: tuple[Path, ...], ctx: ReadContext
) -> list[tuple[None, Page | Notice | Problem]]:
    from .readers.pagerduty import read_pagerduty_log_entries

    notices: list[Notice] = []
    pages = read_pagerduty_log_entries(
        files, ctx.roster, notices=notices,
        non_volunteers=cast("Literal['notice', 'fail']", ctx.options["non_volunteers"]),
    )  # fmt: skip
    return [*_unlined(pages), *_unlined(notices), *_unlined(_urgency_unknown(files, pages, ctx))]


def _urgency_unknown(
    files: tuple[Path, ...], pages: Iterable[Page], ctx: ReadContext, *, csv: bool = False
) -> list[Problem]:
    """Pages of unknown urgency, when the rules pay only some urgencies: an error,
    never a silent zero."""
    paid = sorted(
        {
            urgency
            for version in (ctx.policy.versions if ctx.policy is not None else ())
            for plan in version.plans.values()
            for callout in (
                plan.callout,
                *(r.callout for r in plan.rate_sets.values()),
                *(t.callout for t in plan.tiers.values()),
            )
            for urgency in callout.urgencies or ()
        }
    )
    unknown = [page.id for page in pages if page.urgency is None]
    if not paid or not unknown:
        return []
    shown = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
    why, fix = (
        ("its urgency column is missing or empty", "download the export with its urgency column")
        if csv
        else (
            "it was saved without include[]=incidents",
            "save the log entries again with include[]=incidents",
        )
    )
    msg = (
        f"the urgency of {len(unknown)} page(s) ({shown}) is not in the file: {why}. The "
        f"rules pay callouts only for some urgencies ({', '.join(paid)}), so these pages "
        f"would be paid nothing; {fix}"
    )
    return [Problem(msg, source=str(files[0]), field="urgency" if csv else "log_entries")]


def _pagerduty_incidents(
    files: tuple[Path, ...], ctx: ReadContext
) -> list[tuple[None, Page | Problem]]:
    from .readers.pagerduty import read_pagerduty_incidents_csv

    pages = read_pagerduty_incidents_csv(files[0], ctx.roster)
    return [*_unlined(pages), *_unlined(_urgency_unknown(files, pages, ctx, csv=True))]


def _grafana_final_shifts(
    files: tuple[Path, ...], ctx: ReadContext
) -> list[tuple[None, Shift]]:
    from .readers.grafana import read_grafana_final_shifts

    return _unlined(read_grafana_final_shifts(files, ctx.roster))


def _ics(files: tuple[Path, ...], ctx: ReadContext) -> list[tuple[None, Shift]]:
    from .readers.ical import read_ics

    # A week either side, so a shift just outside the period can still
    # extend a callout or hold the first page of a rest block.
    window = source_read_window(*ctx.period)
    zone = cast("str | None", ctx.options["ics_zone"])
    try:
        return _unlined(read_ics(files[0], ctx.roster, window=window, default_zone=zone))
    except InputError as error:
        # The reader's parameter is the option's setting: name the option.
        raise InputError(
            attrs.evolve(p, field="--ics-zone") if p.field == "default_zone" else p
            for p in error.problems
        ) from None


SOURCES: Final[Mapping[str, Source]] = {
    "shifts": Source(
        "--shifts", "SHIFTS.csv", "a shifts CSV (volunteer_id, start, end); repeatable",
        "shifts", "Shifts files (CSV)", _csv_shifts, needs_roster=False,
    ),
    "pages": Source(
        "--pages", "PAGES.csv", "a pages CSV (id, volunteer_id, at); repeatable",
        "pages", "Pages files (CSV)", _csv_pages, needs_roster=False,
    ),
    "pagerduty_oncalls": Source(
        "--pagerduty-oncalls", "FILE.json",
        "shifts from saved PagerDuty GET /oncalls results; repeatable, the pages of one export",
        "shifts", "PagerDuty on-calls files", _pagerduty_oncalls, together=True,
        options=(
            SourceOption(
                "--levels", "escalation levels of --pagerduty-oncalls to pay (default 1)",
                "1,2", default=(1,), parse=_levels,
            ),
        ),
    ),
    "pagerduty_schedule": Source(
        "--pagerduty-schedule", "FILE.json",
        "shifts from a saved PagerDuty GET /schedules/{id} response; repeatable, read together",
        "shifts", "PagerDuty schedule files", _pagerduty_schedule, together=True,
    ),
    "pagerduty_log_entries": Source(
        "--pagerduty-log-entries", "FILE.json",
        "pages from saved PagerDuty GET /log_entries results; repeatable, the pages of one export",
        "pages", "PagerDuty log entries files", _pagerduty_log_entries, together=True,
        options=(
            SourceOption(
                "--non-volunteers",
                "people PagerDuty escalated to who are not in the roster (managers), in "
                "--pagerduty-log-entries and --pagerduty-oncalls: 'notice' (default) lists "
                "them as not paid, 'fail' stops the run",
                "notice|fail", default="notice", parse=_non_volunteers,
            ),
        ),
    ),
    "pagerduty_incidents": Source(
        "--pagerduty-incidents", "FILE.csv",
        "pages from a PagerDuty incidents CSV export; repeatable",
        "pages", "PagerDuty incidents files", _pagerduty_incidents,
    ),
    "grafana_final_shifts": Source(
        "--grafana-final-shifts", "FILE.json",
        "shifts from saved Grafana OnCall GET /schedules/{id}/final_shifts results; "
        "repeatable, the pages of one export",
        "shifts", "Grafana OnCall final shifts files", _grafana_final_shifts, together=True,
    ),
    "ics": Source(
        "--ics", "FILE.ics", "shifts from an iCalendar on-call feed; repeatable",
        "shifts", "Calendar feeds", _ics,
        options=(
            SourceOption(
                "--ics-zone", "IANA zone for floating times and all-day events in --ics feeds",
                "ZONE",
            ),
        ),
    ),
}  # fmt: skip
"""Every schedule and page source, by name, in the order the command line
lists them and the Run sheet names them."""


def _paths(value: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    if isinstance(value, str | os.PathLike):
        return (Path(value),)
    return tuple(Path(v) for v in value)


def _files(
    value: Mapping[str, str | os.PathLike[str] | Iterable[str | os.PathLike[str]]],
) -> dict[str, tuple[Path, ...]]:
    unknown = [name for name in value if name not in SOURCES]
    if unknown:
        msg = f"unknown source {unknown[0]!r}; the sources are {', '.join(SOURCES)}"
        raise InputError(Problem(msg, field="files"))
    return {name: _paths(value[name]) for name in SOURCES if name in value}


def _options(value: Mapping[str, object]) -> dict[str, object]:
    known = {o.name: o.default for s in SOURCES.values() for o in s.options}
    unknown = [name for name in value if name not in known]
    if unknown:
        msg = f"unknown source option {unknown[0]!r}; the options are {', '.join(known)}"
        raise InputError(Problem(msg, field="options"))
    return {**known, **value}


@attrs.frozen
class Sources:
    """The files a pay run reads.

    Attributes:
        volunteers: The roster CSV.
        rules: The rules file (TOML).
        files: The files of each source, by its name in :data:`SOURCES`
            (a single path or several); sources left out read nothing.
        options: Source settings by :attr:`SourceOption.name`, e.g.
            ``{"levels": (1, 2), "ics_zone": "Europe/Dublin"}``; the ones
            left out take their defaults.

    Raises:
        InputError: A source or option name that is not in :data:`SOURCES`.
    """

    volunteers: Path = attrs.field(converter=Path)
    rules: Path = attrs.field(converter=Path)
    files: Mapping[str, tuple[Path, ...]] = attrs.field(factory=dict, converter=_files)
    options: Mapping[str, object] = attrs.field(factory=dict, converter=_options)

    def describe(self) -> dict[str, str]:
        """Each kind of input and the files it came from, for the Run sheet."""
        kinds: dict[str, Sequence[Path]] = {
            "Roster file": (self.volunteers,),
            "Rules file": (self.rules,),
            **{s.label: self.files.get(name, ()) for name, s in SOURCES.items()},
        }
        return {k: ", ".join(map(str, v)) for k, v in kinds.items() if v}


@attrs.frozen
class Inputs:
    """Everything a pay run reads, already checked; made by :func:`load_inputs`."""

    volunteers: tuple[Volunteer, ...]
    shifts: tuple[Shift, ...]
    pages: tuple[Page, ...]
    policy: Policy
    rules_path: Path
    rules_sha256: str
    sources: dict[str, str]
    roster_lines: dict[str, int]
    notices: tuple[Notice, ...] = ()
    """Notices the readers gave about the files, added to every report."""

    def compute(
        self, start: date, end: date, *, progress: Progress | None = None, workers: int = 1
    ) -> Report:
        """Price the inputs; errors found by the engine are placed in the input files.

        Args:
            start: The first date of the period; pay weeks starting in it are priced.
            end: The last date of the period.
            progress: Called with (volunteers done, volunteers in all) as the run goes.
            workers: Price in this many processes; the report is the same
                (``oncall_pay.compute``).

        Returns:
            The report, with the notices the readers gave about the files
            among its own.

        Raises:
            InputError: A problem of a volunteer, placed at its roster line.
            PolicyError: A problem of the rules, placed in the rules file.
        """
        try:
            report = compute(
                self.volunteers, self.shifts, self.pages, self.policy,
                start=start, end=end, progress=progress, workers=workers,
            )  # fmt: skip
        except (InputError, PolicyError) as error:
            raise type(error)([self._place(p) for p in error.problems]) from None
        if not self.notices:
            return report
        notices = sorted((*report.notices, *self.notices), key=_notice_order)
        return attrs.evolve(report, notices=tuple(notices))

    def run_info(self) -> dict[str, str]:
        """The input files and the rules' SHA-256, for the workbook's Run sheet."""
        return {**self.sources, "Rules SHA-256": self.rules_sha256}

    def _place(self, problem: Problem) -> Problem:
        vid = problem.volunteer_id
        if vid is not None and problem.line is None and vid in self.roster_lines:
            roster = self.sources["Roster file"]
            message = f"volunteer {vid!r}: {problem.message}"
            return attrs.evolve(
                problem, source=roster, line=self.roster_lines[vid], message=message
            )
        if problem.source is None and problem.line is None:
            return attrs.evolve(problem, source=str(self.rules_path))
        return problem


def _notice_order(notice: Notice) -> tuple[str, str, str]:
    """The report's order of notices: by volunteer (none first), kind, detail."""
    return (notice.volunteer_id or "", notice.kind, notice.detail)


def _read_rules(path: Path) -> tuple[Policy, str]:
    """The rules and the SHA-256 of the file's bytes."""
    try:
        data = path.read_bytes()
    except OSError as e:
        msg = f"cannot read the rules file: {e.strerror}"
        raise InputError(Problem(msg, source=str(path))) from None
    return load_policy(path), hashlib.sha256(data).hexdigest()


_Pair = tuple[int | None, Shift | Page | Notice | Problem]
_Row = tuple[str, int | None, Shift | Page | Notice | Problem]


def _read_source(
    source: Source,
    files: tuple[Path, ...],
    context: ReadContext,
    attempt: Callable[[Callable[[], list[_Pair]], Path], list[_Pair] | None],
) -> list[_Row]:
    batches = ([files] if files else []) if source.together else [(path,) for path in files]
    return [
        (str(batch[0]), line, value)
        for batch in batches
        for line, value in attempt(partial(_listed, source.read, batch, context), batch[0]) or ()
    ]


def _listed(read: Reader, files: tuple[Path, ...], context: ReadContext) -> list[_Pair]:
    return list(read(files, context))


def _bad_rows_refs(rows: Iterable[_Row], roster_ids: Collection[str]) -> list[Problem]:
    """Unknown volunteer ids on rows that could not be read for another reason.

    A row with a bad time is not built, so the roster check never sees it;
    its ``volunteer_id`` cell is read again here, so one run says both.
    """
    bad: dict[str, set[int]] = {}
    named: set[tuple[str | None, int | None]] = set()
    for _, _, value in rows:
        if isinstance(value, Problem) and value.source is not None and value.line is not None:
            bad.setdefault(value.source, set()).add(value.line)
            if value.field == "volunteer_id":
                named.add((value.source, value.line))
    problems = []
    for source, lines in bad.items():
        cells = read_column(source, "volunteer_id")
        for line in sorted(lines):
            vid = cells.get(line, "")
            if vid and vid not in roster_ids and (source, line) not in named:
                msg = f"unknown volunteer id {vid!r} (not in the roster)"
                problems.append(Problem(msg, source=source, line=line, field="volunteer_id"))
    return problems


def _problem_order(sources: Sources) -> Callable[[Problem], tuple[int, int]]:
    """Problems by file (roster, rules, then each source's files in order), then line."""
    files = [str(sources.volunteers), str(sources.rules)]
    files += [str(path) for name in SOURCES for path in sources.files.get(name, ())]
    rank = {name: index for index, name in reversed(list(enumerate(files)))}
    return lambda p: (rank.get(p.source or "", len(files)), p.line or 0)


def load_inputs(sources: Sources, period: tuple[date, date]) -> Inputs:
    """Read and cross-check every input file, collecting every problem.

    The sources that name volunteer ids (the CSVs) are read first and
    checked against the roster at their lines; then, with a good roster,
    the sources that match people themselves: shift sources before page
    sources, each in the order of :data:`SOURCES`.

    Args:
        sources: The files.
        period: The first and last date asked for; calendar feeds are
            expanded over it and a week either side.

    Raises:
        InputError: Every problem of every file, each with file, line and field.
    """
    period_wrong = period_problems(*period, fields=("period", "period"))
    if period_wrong:
        raise InputError(period_wrong)  # every source is read over the period
    problems: list[Problem] = []

    def attempt(read: Callable[[], _T], path: Path | str) -> _T | None:
        try:
            return read()
        except OncallPayError as e:
            problems.extend(getattr(e, "problems", (Problem(str(e), source=str(path)),)))
        except OSError as e:
            problems.append(Problem(f"cannot read the file: {e.strerror}", source=str(path)))
        return None

    roster_rows = attempt(
        partial(read_volunteers_csv_with_lines, sources.volunteers), sources.volunteers
    )
    roster = tuple(v for _, v in roster_rows or ())
    if roster_rows is not None and not roster_rows:
        # Said once: every shift and page would otherwise be "not in the roster".
        msg = (
            "the roster has no volunteers (a header row and nothing else); add a row per volunteer"
        )
        problems.append(Problem(msg, source=str(sources.volunteers)))
    roster_lines = {v.id: n for n, v in roster_rows or ()}
    # With bad roster rows, rows naming volunteer ids are still checked, against
    # every id the roster file holds (a bad row's id is not unknown).
    roster_ids = (
        roster_lines.keys() if roster_rows is not None else read_roster_ids(sources.volunteers)
    )
    policy, sha = attempt(lambda: _read_rules(sources.rules), sources.rules) or (None, "")
    context = ReadContext(roster=roster, period=period, options=sources.options, policy=policy)
    order = sorted(SOURCES.items(), key=lambda item: item[1].provides == "pages")
    rows = [
        row
        for name, source in order
        if not source.needs_roster
        for row in _read_source(source, sources.files.get(name, ()), context, attempt)
    ]
    problems.extend(v for _, _, v in rows if isinstance(v, Problem))
    shift_rows = [(f, n, v) for f, n, v in rows if isinstance(v, Shift) and n is not None]
    page_rows = [(f, n, v) for f, n, v in rows if isinstance(v, Page) and n is not None]
    seen: dict[str, tuple[str, int]] = {}
    for source_name, line, page in page_rows:
        if page.id in seen and seen[page.id][0] != source_name:
            first = seen[page.id]
            msg = f"page id {page.id!r} was already given in {first[0]} line {first[1]}"
            problems.append(Problem(msg, source=source_name, line=line, field="id"))
        seen.setdefault(page.id, (source_name, line))
    if roster_ids:
        problems.extend(check_volunteer_refs(roster_ids, shift_rows, page_rows))
        problems.extend(_bad_rows_refs(rows, roster_ids))
    if roster:
        # People are matched only against a good roster: a person who is a
        # bad row would be reported as unknown.
        matched = [
            row
            for name, source in order
            if source.needs_roster
            for row in _read_source(source, sources.files.get(name, ()), context, attempt)
        ]
        problems.extend(v for _, _, v in matched if isinstance(v, Problem))
        rows += matched
    # By file, then line; on one line, the row's own problems come first.
    problems.sort(key=_problem_order(sources))
    if problems:
        raise InputError(problems)
    assert policy is not None  # no problems means the rules were read
    return Inputs(
        volunteers=roster,
        shifts=tuple(v for _, _, v in rows if isinstance(v, Shift)),
        pages=tuple(v for _, _, v in rows if isinstance(v, Page)),
        policy=policy,
        rules_path=sources.rules,
        rules_sha256=sha,
        sources=sources.describe(),
        roster_lines=roster_lines,
        notices=tuple(sorted((v for _, _, v in rows if isinstance(v, Notice)), key=_notice_order)),
    )
