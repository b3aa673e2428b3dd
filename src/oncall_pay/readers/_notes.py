"""Where the schedule readers put what finance should know about their files.

A reader finds things that do not stop a pay run but change what it pays: a
person PagerDuty escalated to who is not a volunteer, a schedule cut where it
was saved, incidents whose urgency the file does not say. Given a list, the
reader appends a ``Notice`` for each; without one, what would be a notice
that changes pay is an error instead, so nothing is dropped silently.
"""

from __future__ import annotations

import attrs

from .._errors import Problem
from .._notice import Notice


@attrs.define
class Notes:
    """The caller's notices (``None``: none wanted) and the problems they became."""

    sink: list[Notice] | None
    problems: list[Problem] = attrs.field(factory=list)

    def add(self, notice: Notice, problem: Problem) -> None:
        """A notice if the caller takes notices, else ``problem``."""
        if self.sink is None:
            self.problems.append(problem)
        else:
            self.sink.append(notice)

    def inform(self, notice: Notice) -> None:
        """A notice that changes nothing by itself: dropped if none are wanted."""
        if self.sink is not None:
            self.sink.append(notice)
