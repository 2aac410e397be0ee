"""The package's modules and the modules each imports, read from the source: every ``import`` anywhere in a
module, deferred ones included (the layering and the module-structure tests)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "milp_milkrun"


def module_name(path: Path) -> str:
    """``milp_milkrun/solve/strong.py`` -> ``solve.strong``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(module: str) -> set[str]:
    """Every module of the package that ``module`` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(own(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = own(absolute(node, package))
            if target is None:
                continue
            for alias in node.names:  # `from milp_milkrun.io import files` imports the module io.files
                sub = f"{target}.{alias.name}" if target else alias.name
                found.add(sub if sub in MODULES else target)
    return {name for name in found if name is not None and name != module}


def absolute(node: ast.ImportFrom, package: str) -> str:
    """The absolute module name of a ``from ... import`` (relative ones resolved against ``package``)."""
    if not node.level:
        return node.module or ""
    base = package.split(".") if package else []
    base = base[: len(base) - (node.level - 1)]
    return ".".join(["milp_milkrun", *base, *([node.module] if node.module else [])])


def own(name: str) -> str | None:
    """The package-relative name of ``milp_milkrun...`` (``""`` for the package itself), else None."""
    if name == "milp_milkrun":
        return ""
    return name.removeprefix("milp_milkrun.") if name.startswith("milp_milkrun.") else None
