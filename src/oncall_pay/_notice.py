"""``Notice``: something finance should know; its own module so the engine,
the health measures and the report can all import it without a cycle."""

from __future__ import annotations

import attrs

from ._parallel import pickle_by_fields


@pickle_by_fields
@attrs.frozen
class Notice:
    """Something finance should know; pay is computed all the same.

    Kinds (``_vocab.NoticeKind``): ``overlap``, ``period_edge``,
    ``subdivision``, ``period``, and the working-time notices of
    ``docs/health.md``: ``rest``, ``streak``; and those the schedule
    readers give about their files (``docs/inputs.md``):
    ``not_a_volunteer``, ``cut_at_saved_window``, ``urgency_unknown``.
    """

    kind: str
    volunteer_id: str | None
    detail: str
