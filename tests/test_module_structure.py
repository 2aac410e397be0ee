"""The package's shape, checked on the source: no import circle (type-only imports included) and no
module longer than :data:`MAX_LINES`.

An import circle makes the import order matter and hides which module is the lower one; a type-only
one (under ``if TYPE_CHECKING``) is still a circle in the design, so it counts. The imports are read
as in tests/test_layering.py (by tests/package_imports.py): every ``import`` anywhere in a module,
deferred ones included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from package_imports import MODULES, PACKAGE, imported_modules

REPO = PACKAGE.parent
SCRIPT_FOLDERS = ("instances", "benchmarks")  # scripts beside each other, importing by bare name
MAX_LINES = 600
# Over MAX_LINES for now, each with the change that splits it: an expected failure that must turn into
# a pass (strict) and then leave this table.
AWAITING_SPLIT = {}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node of ``graph`` (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def script_imports(path: Path, neighbours: set[str]) -> set[str]:
    """The scripts of ``neighbours`` (names without .py) that the script at ``path`` imports by bare name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return (found & neighbours) - {path.stem}


def test_the_package_has_no_import_circle() -> None:
    found = cycles({module: imported_modules(module) for module in MODULES})
    assert not found, f"import circles in milp_milkrun (type-only imports count): {found}"


@pytest.mark.parametrize("folder", SCRIPT_FOLDERS)
def test_the_scripts_have_no_import_circle(folder: str) -> None:
    scripts = {path.stem: path for path in sorted((REPO / folder).glob("*.py"))}
    found = cycles({name: script_imports(path, set(scripts)) for name, path in scripts.items()})
    assert not found, f"import circles among {folder}/*.py: {found}"


def test_the_cycle_finder_finds_type_only_and_long_circles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from milp_milkrun.plan import Plan\n"
    tree = ast.parse(source)
    assert any(isinstance(node, ast.ImportFrom) and node.module == "milp_milkrun.plan" for node in ast.walk(tree))


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(
            str(path.relative_to(REPO)),
            marks=pytest.mark.xfail(strict=True, reason=AWAITING_SPLIT[str(path.relative_to(REPO))]),
        )
        if str(path.relative_to(REPO)) in AWAITING_SPLIT
        else str(path.relative_to(REPO))
        for path in sorted(PACKAGE.rglob("*.py"))
    ],
)
def test_no_module_is_longer_than_the_limit(module: str) -> None:
    lines = line_count(REPO / module)
    assert lines <= MAX_LINES, f"{module} has {lines} lines (> {MAX_LINES}): split it into cohesive modules"


def test_every_module_awaiting_a_split_still_exists() -> None:
    """Once the route engine's split has landed, its old paths leave :data:`AWAITING_SPLIT`."""
    gone = sorted(name for name in AWAITING_SPLIT if not (REPO / name).exists())
    assert not gone, f"remove from AWAITING_SPLIT: {gone}"
