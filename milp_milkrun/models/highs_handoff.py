"""The Pyomo-to-HiGHS translator: a Pyomo model loaded into an embedded ``highspy.Highs`` object.

The hand-off reads the rows of the Pyomo model straight into a ``highspy.Highs`` object (one
``passModel`` call with the matrix, bounds, costs and integrality), not through Pyomo's
``pyomo.contrib.solver`` HiGHS interface: that interface walks every expression with Pyomo's generic
machinery (5.4 s for the 673,415 non-zeros of ecom74, against about 1.3 s here; docs/benchmarks.md)
and keeps its column and row maps in private attributes. The exact backend (``solve/highs.py``)
searches the loaded model; the reports (model files, LP relaxations) read it without any backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    SumExpression,
)
from pyomo.repn.standard_repn import generate_standard_repn

from milp_milkrun.runtime.highs import new_highs


@dataclass
class HighsHandoff:
    """A Pyomo model loaded into an embedded HiGHS object, with the column and row maps between them."""

    model: pyo.ConcreteModel
    highs: highspy.Highs
    x_columns: dict[tuple[int, int, str], int]  # (i, j, t) -> HiGHS column of x[i, j, t]
    u_columns: dict[int, int]  # i -> HiGHS column of u[i]
    time_columns: dict[
        str, dict[object, int]
    ]  # theta, dep, ret, y (Eq 15-18) -> key -> HiGHS column; empty without time
    row_families: list[str]  # HiGHS row -> name of the model component (equation family) it belongs to


def hand_off(model: pyo.ConcreteModel) -> HighsHandoff:
    """Load ``model`` into HiGHS (the step timed as "hand-off"): one column per variable, in declaration
    order, and one row per active constraint, in declaration order.

    Parameters
    ----------
    model : pyo.ConcreteModel
        A model from :func:`~milp_milkrun.models.exact.build_exact_model`.

    Returns
    -------
    HighsHandoff
        The HiGHS object and the maps from the model's variables and rows to its columns and rows.
    """
    with PauseGC():  # as in build_exact_model: no cycle-collector passes over the model while reading it
        return _hand_off(model)


def _hand_off(model: pyo.ConcreteModel) -> HighsHandoff:
    variables = {var.name: dict(var.items()) for var in model.component_objects(pyo.Var, descend_into=True)}
    columns = [data for block in variables.values() for data in block.values()]
    column_of = {id(data): col for col, data in enumerate(columns)}
    lp = highspy.HighsLp()
    lp.num_col_ = len(columns)
    _set_columns(lp, columns)
    _set_objective(lp, model, column_of)
    row_families = _set_rows(lp, model, column_of)
    highs = new_highs()
    if highs.passModel(lp) == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS refused the model {model.name}")
    return HighsHandoff(
        model=model,
        highs=highs,
        x_columns={key: column_of[id(data)] for key, data in variables["x"].items()},
        u_columns={key: column_of[id(data)] for key, data in variables["u"].items()},
        time_columns={
            name: {key: column_of[id(data)] for key, data in variables[name].items()}
            for name in ("theta", "dep", "ret", "y")
            if name in variables
        },
        row_families=row_families,
    )


# ----- hand-off: Pyomo components -> HiGHS columns, objective and rows ------------------------------
def _set_columns(lp: highspy.HighsLp, columns: list[VarData]) -> None:
    """Bounds and integrality of every column; a fixed variable is a column with equal bounds."""
    lower, upper, integral = [], [], []
    for var in columns:
        lb, ub = (var.value, var.value) if var.fixed else var.bounds
        lower.append(-math.inf if lb is None else lb)
        upper.append(math.inf if ub is None else ub)
        integral.append(var.is_integer())
    lp.col_lower_ = np.array(lower, dtype=np.float64)
    lp.col_upper_ = np.array(upper, dtype=np.float64)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integral]


def _set_objective(lp: highspy.HighsLp, model: pyo.ConcreteModel, column_of: dict[int, int]) -> None:
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) != 1:
        raise ValueError(f"{model.name} has {len(objectives)} active objectives; HiGHS takes exactly one")
    objective = objectives[0]
    terms: dict[int, float] = {}
    lp.offset_ = _add_terms(objective.expr, 1.0, column_of, terms)
    cost = np.zeros(lp.num_col_)
    cost[list(terms)] = list(terms.values())
    lp.col_cost_ = cost
    lp.sense_ = highspy.ObjSense.kMaximize if objective.sense == pyo.maximize else highspy.ObjSense.kMinimize


def _set_rows(lp: highspy.HighsLp, model: pyo.ConcreteModel, column_of: dict[int, int]) -> list[str]:
    """The constraint matrix, row by row, and row bounds; returns the family (component name) of each row."""
    starts, lower, upper, families = [0], [], [], []
    index: list[int] = []
    value: list[float] = []
    for family in model.component_objects(pyo.Constraint, active=True, descend_into=True):
        name = family.name
        for row in family.values():
            if not row.active:
                continue
            lb, body, ub = row.to_bounded_expression(evaluate_bounds=True)
            terms: dict[int, float] = {}
            constant = _add_terms(body, 1.0, column_of, terms)
            index.extend(terms)
            value.extend(terms.values())
            starts.append(len(index))
            lower.append(-math.inf if lb is None else lb - constant)
            upper.append(math.inf if ub is None else ub - constant)
            families.append(name)
    lp.num_row_ = len(families)
    lp.row_lower_ = np.array(lower, dtype=np.float64)
    lp.row_upper_ = np.array(upper, dtype=np.float64)
    matrix = lp.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_, matrix.num_row_ = lp.num_col_, lp.num_row_
    matrix.start_, matrix.index_, matrix.value_ = _drop_zeros(
        np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(value, dtype=np.float64)
    )
    return families


def _drop_zeros(starts: np.ndarray, index: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row-wise matrix without explicit zeros (e.g. d_ij = 0 between the parts of a split DC), which
    HiGHS would otherwise report in its log as ignored small values."""
    keep = value != 0.0
    if keep.all():
        return starts, index, value
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    return kept_before[starts].astype(np.int32), index[keep], value[keep]


def _add_terms(expr: Any, scale: float, column_of: dict[int, int], terms: dict[int, float]) -> float:
    """Add ``scale`` times the linear part of ``expr`` to ``terms`` (column -> coefficient); return
    ``scale`` times its constant.

    The nodes models/exact.py builds (sums of variables and of constant-times-variable terms, negations,
    numbers) are read directly: Pyomo's generic walk takes seconds on ecom74's 673,415 terms. Any other
    node (e.g. a mutable Param coefficient, a product a reader typed into the model) goes to Pyomo's
    ``generate_standard_repn``.
    """
    kind = expr.__class__
    if kind is LinearExpression or kind is SumExpression:
        constant = 0.0
        for arg in expr.args:
            arg_kind = arg.__class__
            if arg_kind is VarData:
                col = column_of[id(arg)]
                terms[col] = terms.get(col, 0.0) + scale
            elif arg_kind is MonomialTermExpression and arg.args[0].__class__ in native_numeric_types:
                coefficient, var = arg.args  # a number times a variable
                col = column_of[id(var)]
                terms[col] = terms.get(col, 0.0) + scale * coefficient
            else:
                constant += _add_terms(arg, scale, column_of, terms)
        return constant
    if kind is NegationExpression:
        return _add_terms(expr.args[0], -scale, column_of, terms)
    if kind in native_numeric_types:
        return scale * expr
    if kind is VarData:
        col = column_of[id(expr)]
        terms[col] = terms.get(col, 0.0) + scale
        return 0.0
    repn = generate_standard_repn(expr, quadratic=False)
    if not repn.is_linear():
        raise ValueError(f"HiGHS takes linear models only; not linear: {expr}")
    for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
        col = column_of[id(var)]
        terms[col] = terms.get(col, 0.0) + scale * pyo.value(coefficient)
    return scale * pyo.value(repn.constant)
