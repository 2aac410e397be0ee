"""Tolerances live in limits.py: no other module of the package spells one out.

A bare ``1e-9`` or ``1e-6`` (in any spelling: ``0.000001``, ``1E-06``) or a ``max(seconds, 0.01)``
outside limits.py fails here, naming the file and line; it should be ``FLOAT_NOISE``,
``SOLVER_TOLERANCE`` or ``solver_seconds`` (or a new, named tolerance in limits.py).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

from milp_milkrun import limits

PACKAGE = Path(__file__).resolve().parents[1] / "milp_milkrun"
TOLERANCES = {limits.FLOAT_NOISE, limits.SOLVER_TOLERANCE}


def number_literals(source: str) -> list[tuple[int, float]]:
    """Line and value of every numeric literal in ``source`` (code only: comments and strings are not tokens)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NUMBER and not token.string.lower().endswith("j"):
            found.append((token.start[0], float(ast.literal_eval(token.string))))
    return found


def minimum_seconds_calls(source: str) -> list[int]:
    """Lines of ``max(<anything>, 0.01)``: the spelled-out form of :func:`limits.solver_seconds`."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "max"
        and any(isinstance(arg, ast.Constant) and arg.value == limits.MIN_SECONDS for arg in node.args)
    ]


def test_no_tolerance_literal_outside_limits():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "limits.py" and path.parent == PACKAGE:
            continue
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(PACKAGE.parent)
        offenders += [f"{where}:{line}: {value:g}" for line, value in number_literals(source) if value in TOLERANCES]
        offenders += [f"{where}:{line}: max(..., {limits.MIN_SECONDS:g})" for line in minimum_seconds_calls(source)]
    assert not offenders, "tolerances belong in milp_milkrun/limits.py:\n" + "\n".join(offenders)


def test_the_scan_sees_every_spelling():
    source = "a = 1e-9\nb = 0.000001\nc = 1E-06\nd = max(t, 0.01)\ne = '1e-9'  # 1e-6\n"
    assert number_literals(source) == [(1, 1e-9), (2, 1e-6), (3, 1e-6), (4, 0.01)]
    assert minimum_seconds_calls(source) == [4]


def test_solver_seconds_is_positive_and_keeps_time_left():
    assert limits.solver_seconds(-3.0) == limits.MIN_SECONDS > 0
    assert limits.solver_seconds(0.0) == limits.MIN_SECONDS
    assert limits.solver_seconds(2.5) == 2.5


def test_tolerances_keep_their_values():
    # the values every model, the checker and the solvers' results were validated with
    assert (limits.FLOAT_NOISE, limits.SOLVER_TOLERANCE, limits.MIN_SECONDS) == (1e-9, 1e-6, 0.01)
