"""The layering rule of docs/architecture.md, checked on the source: no module imports one above it.

Every import counts, at module level or deferred inside a function (a deferred import hides a cycle,
it does not remove it). A module in no layer fails the test: a new module is placed on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from package_imports import MODULES, imported_modules

# Lowest first; a module may import its own layer and any layer below. Names are module paths under
# milp_milkrun; a package name covers its submodules. The same table is in docs/architecture.md.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("data", ("errors", "limits", "request_limits", "plan", "timing", "instance")),
    ("checker", ("checker",)),
    ("package", ("",)),  # milp_milkrun/__init__.py: the data classes and the checker, re-exported
    ("files", ("io",)),
    ("derived facts and solver runtime", ("implied", "time_segments", "route_resources", "runtime")),
    ("objectives and emissions", ("objectives", "emissions")),
    ("models", ("models",)),
    ("route engine", ("routes",)),
    ("run contract", ("options", "result")),
    ("heuristics", ("heuristics",)),
    ("solve", ("solve",)),
    ("checks and reports", ("bounds", "crosscheck", "reports", "plotting", "batch", "fleet")),
    ("HTTP service", ("service",)),
    ("CLI", ("cli", "__main__")),
)
CHECKER_MAY_IMPORT = ("errors", "limits", "plan", "timing", "instance")  # the independent checker: data only


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` of the longest entry that is ``module`` or a package holding it."""
    best: tuple[int, int] | None = None  # (length of the matched entry, layer)
    for index, (_, entries) in enumerate(LAYERS):
        for entry in entries:
            if module == entry or (entry and module.startswith(entry + ".")) or (not entry and not module):
                if best is None or len(entry) > best[0]:
                    best = (len(entry), index)
    return None if best is None else best[1]


def test_every_module_has_a_layer() -> None:
    missing = sorted(name or "milp_milkrun" for name in MODULES if layer_of(name) is None)
    assert not missing, f"modules in no layer (place them in LAYERS and docs/architecture.md): {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_one_above_it(module: str) -> None:
    own_layer = layer_of(module)
    if own_layer is None:
        pytest.skip("in no layer: test_every_module_has_a_layer fails")
    upward = [
        f"{target or 'milp_milkrun'} ({LAYERS[layer][0]})"
        for target in sorted(imported_modules(module))
        if (layer := layer_of(target)) is not None and layer > own_layer
    ]
    assert not upward, f"{module or 'milp_milkrun'} ({LAYERS[own_layer][0]}) imports a layer above it: {upward}"


def test_the_checker_imports_only_the_data_layer() -> None:
    assert imported_modules("checker") <= set(CHECKER_MAY_IMPORT)


def backend_modules() -> set[str]:
    """The backends: the modules the registry (``solve/backends.py``) runs, above the run contract it returns."""
    contract = layer_of("result")
    assert contract is not None
    return {m for m in imported_modules("solve.backends") if (layer := layer_of(m)) is not None and layer > contract}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("reports.")))
def test_reports_import_no_backend(module: str) -> None:
    """A report reads models and results; the Pyomo-to-HiGHS translator it needs is in the models layer."""
    backends = backend_modules()
    assert {"solve.highs", "solve.pulp_backend", "solve.strong"} <= backends  # the rule has something to find
    assert not imported_modules(module) & backends, (
        f"{module} imports a backend: {sorted(imported_modules(module) & backends)}"
    )


def test_the_rule_sees_deferred_and_upward_imports(tmp_path: Path) -> None:
    """The walker finds an import inside a function and a relative one (so the test above can fail)."""
    source = "def f():\n    from milp_milkrun.solve import solve\n    from ..cli import main\n"
    assert {"solve", "cli"} <= imports_in(source, "heuristics.solver", tmp_path)
    assert layer_of("solve") > layer_of("heuristics")  # type: ignore[operator]


def imports_in(source: str, module: str, tmp_path: Path) -> set[str]:
    """:func:`imported_modules` of ``source`` as if it were ``module``."""
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    saved = MODULES[module]
    MODULES[module] = path
    try:
        return imported_modules(module)
    finally:
        MODULES[module] = saved
