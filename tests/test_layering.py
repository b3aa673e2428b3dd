"""The package's layers, read from the import statements of its source files.

Every ``import`` counts: at the top, inside functions and under
``TYPE_CHECKING``, absolute or relative. ``from X import name`` is an import
of ``X.name`` where that is a module of the package, else of ``X``. The
implicit import of a module's parent packages is not counted.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from functools import cache
from pathlib import Path

import pytest

import oncall_pay

ROOT = Path(oncall_pay.__file__).parent
CORE = ("_model", "_calendar", "_engine", "_rules", "_money", "_report", "_health",
        "_intervals", "_weeks", "_vocab", "_payroll")  # fmt: skip  # the last four where they exist
OUTER = ("oncall_pay.readers", "oncall_pay.writers", "oncall_pay.fetch", "oncall_pay.cli",
         "oncall_pay.pay_run", "oncall_pay.ledger", "oncall_pay._ledger_cli")  # fmt: skip
#: The third-party modules that talk to a network: only ``oncall_pay.fetch`` imports them.
NETWORK = ("httpx", "httpcore", "requests", "urllib.request", "http.client", "socket")


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str, source: str, *, package: str, modules: set[str]) -> frozenset[str]:
    """The modules of ``modules`` that the source of module ``name`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = ".".join(p for p in (base, node.module) if p)
            else:
                base = node.module or ""
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return frozenset(m for m in found if m in modules and m != name)


@cache
def graph() -> dict[str, frozenset[str]]:
    """Each module of the package and the package modules it imports."""
    edges: dict[str, frozenset[str]] = {}
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        source = path.read_text(encoding="utf-8")
        edges[name] = imports_of(name, source, package=package, modules=set(MODULES))
    return edges


def _reach(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph()[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _within(module: str, layer: str) -> bool:
    return module == layer or module.startswith(f"{layer}.")


def cycles() -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph()[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph()):
        if v not in index:
            visit(v)
    return sorted(groups)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name: str) -> None:
    """Each module of the package imports on its own (``__main__`` runs the CLI: found only)."""
    if name == "oncall_pay.__main__":
        assert importlib.util.find_spec(name) is not None
        return
    assert importlib.import_module(name).__name__ == name


def test_the_graph_sees_relative_function_and_type_checking_imports() -> None:
    """The parser resolves every import form, on a made-up package."""
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.sub", "pkg.sub.e", "pkg.f"}
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
import pkg.a
from . import b
from .sub import e
if TYPE_CHECKING:
    from .c import Thing
def later() -> None:
    from .d import helper
"""
    found = imports_of("pkg.x", source, package="pkg", modules=modules)
    assert found == {"pkg.a", "pkg.b", "pkg.sub.e", "pkg.c", "pkg.d"}
    assert imports_of("pkg.sub.e", "from .. import f", package="pkg.sub", modules=modules) == {
        "pkg.f"
    }
    # And on the real package: a relative import one level up, and a module import.
    edges = graph()
    assert "oncall_pay._columns" in edges["oncall_pay.readers.workbook"]  # from .. import _columns
    assert "oncall_pay.pay_run" in edges["oncall_pay.cli"]


def test_readers_and_writers_do_not_import_each_other() -> None:
    """No reader imports a writer, nor a writer a reader, directly or through another module."""
    for name in MODULES:
        for this, other in (("readers", "writers"), ("writers", "readers")):
            if _within(name, f"oncall_pay.{this}"):
                reached = [m for m in _reach(name) if _within(m, f"oncall_pay.{other}")]
                assert not reached, f"{name} imports {reached}"


@pytest.mark.parametrize("core", [c for c in CORE if f"oncall_pay.{c}" in MODULES])
def test_the_core_imports_no_outer_layer(core: str) -> None:
    """The core imports no reader, writer, the CLI or the pay-run module, even indirectly."""
    name = f"oncall_pay.{core}"
    reached = sorted(m for m in _reach(name) if any(_within(m, layer) for layer in OUTER))
    assert not reached, f"{name} imports {reached}"


def test_readers_and_writers_packages_export_their_public_functions() -> None:
    """Each package's __all__ names exactly its public functions, found in the submodules."""
    for package in ("oncall_pay.readers", "oncall_pay.writers", "oncall_pay.fetch"):
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            assert value.__module__.startswith(f"{package}."), (package, name)
            assert getattr(importlib.import_module(value.__module__), name) is value


def _external_imports(path: Path) -> set[str]:
    """Every absolute module an import statement of the file names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


def test_only_the_fetch_package_talks_to_a_network() -> None:
    """HTTP stays at the edge: no module outside ``oncall_pay.fetch`` imports an HTTP client."""
    talking = sorted(
        name
        for name, path in MODULES.items()
        if not _within(name, "oncall_pay.fetch")
        and any(m == n or m.startswith(f"{n}.") for m in _external_imports(path) for n in NETWORK)
    )
    assert talking == []
    assert "httpx" in _external_imports(ROOT / "fetch" / "_http.py")  # the rule sees imports


def test_the_fetch_package_is_reached_from_the_command_line_only() -> None:
    """Fetchers know the APIs, not the readers, writers or pay run; only the CLI uses them."""
    for name in MODULES:
        reached = _reach(name)
        if _within(name, "oncall_pay.fetch"):
            outer = [m for m in reached if any(_within(m, layer) for layer in OUTER)]
            assert all(_within(m, "oncall_pay.fetch") for m in outer), (name, outer)
        elif name != "oncall_pay.cli" and not name.startswith("oncall_pay.__"):
            assert not [m for m in reached if _within(m, "oncall_pay.fetch")], name


def test_the_ledger_sits_between_the_pay_run_and_the_command_line() -> None:
    """The ledger stores reports: it imports no writer and not the CLI (``cli`` and its
    ``_ledger_cli``); nothing below the CLI (core, readers, writers, pay run) imports it."""
    ledger = [m for m in MODULES if _within(m, "oncall_pay.ledger")]
    assert ledger, "the ledger package exists"
    for name in ledger:
        reached = [m for m in _reach(name) if _within(m, "oncall_pay.writers")
                   or m in ("oncall_pay.cli", "oncall_pay._ledger_cli")]  # fmt: skip
        assert not reached, f"{name} imports {reached}"
    for name in MODULES:
        if _within(name, "oncall_pay.ledger") or name in (
            "oncall_pay.cli", "oncall_pay._ledger_cli", "oncall_pay.__main__",
        ):  # fmt: skip
            continue
        reached = [m for m in _reach(name) if _within(m, "oncall_pay.ledger")]
        assert not reached, f"{name} imports {reached}"


def test_no_import_cycles() -> None:
    """The modules of the package import one another without a cycle."""
    assert cycles() == []
