"""One exception root for everything the library refuses.

Every error names where the bad value came from (file, line, field or TOML
path) and what was expected, and collects every problem it found rather than
stopping at the first.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input, and where it is.

    Attributes:
        message: What was expected and what came.
        source: The file (or record, for values built in code) it came from.
        line: The 1-based line in ``source``, where there is one.
        field: The column, attribute or TOML path of the bad value.
        volunteer_id: The volunteer whose record the problem is about, where
            it is one (as the engine finds it, e.g. a missing subdivision):
            a pay run uses it to place the problem at the volunteer's roster
            line. Not part of ``str(problem)``.
    """

    message: str
    source: str | None = None
    line: int | None = None
    field: str | None = None
    volunteer_id: str | None = None

    def __str__(self) -> str:
        # Renders as `shifts.csv line 14, field "end": ...` (STYLE.md).
        place = " ".join(
            part
            for part in (self.source, None if self.line is None else f"line {self.line}")
            if part is not None
        )
        if self.field is not None:
            place = f'{place}, field "{self.field}"' if place else f'field "{self.field}"'
        return f"{place}: {self.message}" if place else self.message


class OncallPayError(Exception):
    """The root of every error this library raises on purpose."""


class _ProblemsError(OncallPayError, ValueError):
    """An error that carries one or more located problems."""

    problems: tuple[Problem, ...]

    def __init__(self, problems: Problem | str | Iterable[Problem]) -> None:
        if isinstance(problems, str):
            problems = (Problem(problems),)
        elif isinstance(problems, Problem):
            problems = (problems,)
        self.problems = tuple(problems)
        if not self.problems:
            msg = "an error needs at least one problem"
            raise TypeError(msg)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def source(self) -> str | None:
        """The file or record of the first problem."""
        return self.problems[0].source

    @property
    def line(self) -> int | None:
        """The line of the first problem."""
        return self.problems[0].line

    @property
    def field(self) -> str | None:
        """The field (or TOML path) of the first problem."""
        return self.problems[0].field

    @property
    def message(self) -> str:
        """The message of the first problem, without its place."""
        return self.problems[0].message


class InputError(_ProblemsError):
    """Bad input data: a volunteer, shift, page, CSV row or period."""


class PolicyError(_ProblemsError):
    """A bad rules file or rules object; ``field`` is the TOML path."""
