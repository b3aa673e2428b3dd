"""Every option and argument of the command line explains itself in --help (issue 14)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from oncall_pay import cli


def _parsers(
    parser: argparse.ArgumentParser, name: str = "oncall-pay"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The parser and every sub-command's parser, at any depth, with their names."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def _actions() -> list[tuple[str, argparse.Action]]:
    return [(where, action) for where, p in _parsers(cli._parser()) for action in p._actions]


def test_the_walk_finds_every_command() -> None:
    """The walk reaches each sub-command, so the help check below cannot pass by seeing none."""
    names = {where for where, _ in _parsers(cli._parser())}
    assert {"oncall-pay demo", "oncall-pay export", "oncall-pay explain",
            "oncall-pay check-rules", "oncall-pay compare"} <= names  # fmt: skip
    assert len(_actions()) > 30


@pytest.mark.parametrize(
    ("where", "action"),
    _actions(),
    ids=lambda x: x if isinstance(x, str) else "/".join(x.option_strings) or x.dest,
)
def test_every_option_has_a_help_text(where: str, action: argparse.Action) -> None:
    """No option or argument shows up in --help without saying what it is for."""
    name = "/".join(action.option_strings) or action.dest
    assert action.help, f"{where}: {name} has no help text"
    assert action.help is not argparse.SUPPRESS, f"{where}: {name} is hidden from --help"
    assert len(action.help) >= 10, f"{where}: {name}'s help {action.help!r} says too little"


def test_every_sub_command_has_a_summary_in_the_command_list() -> None:
    """`oncall-pay --help` lists each command with one line saying what it does."""
    for action in cli._parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {c.dest: c.help for c in action._choices_actions}
            assert set(helps) == set(action.choices)
            assert all(helps.values()), helps
