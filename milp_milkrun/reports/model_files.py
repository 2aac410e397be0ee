"""The exact model written for a student: LP and MPS files whose names speak in DC ids and vehicle names.

A Pyomo model indexes its variables by node number (``x[0, 3, 'large-1']``: node 3 is the third DC
of the instance, which in a converted CVRPLIB file is DC "4"). The files written here name every
column and row after the instance instead, ``x[HUB,DC3,large-1]``, ``u[DC3]``,
``eq05_capacity[large-1]``, and then make the name safe for the file format:

* CPLEX LP (HiGHS's reader and writer): letters, digits and ``!"#$%&()/,.;?@_`'{}|~``; square
  brackets (quadratic terms) and ``-`` / ``+`` (operators) are not allowed, so ``[`` becomes ``(``,
  ``]`` becomes ``)`` and every other character becomes ``_``: ``x(HUB,DC3,large_1)``;
* free MPS: any printable character but a blank, so blanks become ``_``: ``x[HUB,DC3,large-1]``.

Two ids that collide once made safe (``large-1`` and ``large_1``) get ``~2``, ``~3``... appended, so
names stay unique. :func:`readable_index` and :func:`row_algebra` print single rows in the same names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import highspy
import pyomo.environ as pyo
from pyomo.repn.standard_repn import generate_standard_repn

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io.files import MODEL_SUFFIXES, check_output_path, write_atomically
from milp_milkrun.models.families import FAMILY_BY_NAME
from milp_milkrun.models.highs_handoff import hand_off

_LP_ALLOWED = re.compile(r"[^A-Za-z0-9!\"#$%&()/,.;?@_`'{}|~]")


def readable_index(instance: Instance, index: object) -> str:
    """``(0, 3, 'large-1')`` -> ``"HUB,DC3,large-1"``: node numbers become node ids, names stay.

    Parameters
    ----------
    instance : Instance
        Names the nodes.
    index : object
        The index of a variable or row of the exact model (a tuple, a node number or a name).

    Returns
    -------
    str
        The index with ids, joined by commas.
    """
    parts = index if isinstance(index, tuple) else (index,)
    return ",".join(instance.node_ids[p] if isinstance(p, int) else str(p) for p in parts)


def readable_name(instance: Instance, component: str, index: object) -> str:
    """The name of one variable or row: ``x[HUB,DC3,large-1]``; a scalar keeps its component name.

    Parameters
    ----------
    instance : Instance
        Names the nodes.
    component : str
        The Pyomo component's name (``x``, ``eq05_capacity``).
    index : object
        The index within the component (None for a scalar).

    Returns
    -------
    str
        The readable name.
    """
    return component if index is None else f"{component}[{readable_index(instance, index)}]"


def lp_safe(name: str) -> str:
    """A CPLEX-LP-safe form of ``name`` (see the module docstring).

    Parameters
    ----------
    name : str
        A readable name.

    Returns
    -------
    str
        The name with the characters the LP format forbids replaced.
    """
    return _LP_ALLOWED.sub("_", name.replace("[", "(").replace("]", ")"))


def mps_safe(name: str) -> str:
    """A free-MPS-safe form of ``name``: no blanks.

    Parameters
    ----------
    name : str
        A readable name.

    Returns
    -------
    str
        The name without blanks.
    """
    return re.sub(r"\s", "_", name)


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name}~{n}")
    return out


def column_and_row_names(instance: Instance, model: pyo.ConcreteModel) -> tuple[list[str], list[str]]:
    """Readable names of the columns and rows, in the order :func:`~milp_milkrun.models.highs_handoff.hand_off`
    passes them to HiGHS (variables, then active constraint rows, each in declaration order).

    Parameters
    ----------
    instance : Instance
        Names the nodes.
    model : pyo.ConcreteModel
        A model from :func:`~milp_milkrun.models.exact.build_exact_model`.

    Returns
    -------
    tuple[list[str], list[str]]
        The column names and the row names.
    """
    columns = [
        readable_name(instance, var.local_name, key if var.is_indexed() else None)
        for var in model.component_objects(pyo.Var, descend_into=True)
        for key in var
    ]
    rows = [
        readable_name(instance, family.local_name, key if family.is_indexed() else None)
        for family in model.component_objects(pyo.Constraint, active=True, descend_into=True)
        for key, row in family.items()
        if row.active
    ]
    return columns, rows


def write_readable_model(instance: Instance, model: pyo.ConcreteModel, path: str | Path) -> None:
    """Write ``model`` as CPLEX LP or free MPS (by suffix), every name in DC ids and vehicle names.

    Parameters
    ----------
    instance
        The instance the model was built from (its node ids name the columns and rows).
    model
        The exact model (:func:`milp_milkrun.models.exact.build_exact_model`).
    path
        ``*.lp`` or ``*.mps``; written atomically.
    """
    path = check_output_path(path, field="write", suffixes=MODEL_SUFFIXES)
    safe = lp_safe if path.suffix.lower() == ".lp" else mps_safe
    run = hand_off(model)
    columns, rows = column_and_row_names(instance, model)
    highs = run.highs
    if len(columns) != highs.getNumCol() or len(rows) != highs.getNumRow():
        raise RuntimeError("the model's columns and rows do not match what HiGHS received")
    for col, name in enumerate(_unique(safe(c) for c in columns)):
        highs.passColName(col, name)
    for row, name in enumerate(_unique(safe(r) for r in rows)):
        highs.passRowName(row, name)

    def write(temporary: Path) -> None:
        if highs.writeModel(str(temporary)) != highspy.HighsStatus.kOk:
            raise InputError("write", f"HiGHS could not write {path}")

    write_atomically(path, write)


def row_algebra(instance: Instance, row: pyo.Constraint, *, name: str, max_terms: int = 12) -> str:
    """One row in readable algebra: ``eq05_capacity[large-1]:  6 x[HUB,DC1,large-1] + ... <= 40``.

    Parameters
    ----------
    instance
        Names the nodes.
    row
        A constraint data object of the exact model.
    name
        The row's readable name.
    max_terms
        At most this many terms are shown; the rest are counted.

    Returns
    -------
    str
        The row on one line.
    """
    repn = generate_standard_repn(row.body, quadratic=False)
    terms = []
    for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
        c = pyo.value(coefficient)
        var_name = readable_name(instance, var.parent_component().local_name, var.index())
        terms.append((c, f"{'' if abs(c) == 1 else f'{abs(c):g} '}{var_name}"))
    text = ""
    for k, (c, term) in enumerate(terms[:max_terms]):
        sign = ("- " if c < 0 else "") if k == 0 else (" - " if c < 0 else " + ")
        text += sign + term
    if len(terms) > max_terms:
        text += f" + ... ({len(terms) - max_terms:,} more terms)"
    constant = pyo.value(repn.constant)
    lower = None if row.lower is None else pyo.value(row.lower) - constant
    upper = None if row.upper is None else pyo.value(row.upper) - constant
    if lower is not None and upper is not None and lower == upper:
        sense = f" = {lower:g}"
    elif lower is not None and upper is not None:
        return f"{name}:  {lower:g} <= {text} <= {upper:g}"
    else:
        sense = f" >= {lower:g}" if lower is not None else f" <= {upper:g}"
    return f"{name}:  {text}{sense}"


def family_rows(
    instance: Instance,
    model: pyo.ConcreteModel,
    family: str,
    *,
    vehicle: str | None = None,
    dc: str | None = None,
    limit: int = 20,
) -> list[str]:
    """The rows of one equation family in readable algebra, optionally only those of a vehicle or a DC.

    Parameters
    ----------
    instance, model
        The instance and its exact model.
    family
        A component name such as ``eq05_capacity`` (docs/formulation.md lists them).
    vehicle, dc
        Keep only rows whose index names this vehicle / this DC.
    limit
        Print at most this many rows; a last line counts the others.

    Returns
    -------
    list[str]
        One line per row.

    Raises
    ------
    InputError
        For an unknown family, vehicle or DC.
    """
    if family not in FAMILY_BY_NAME or family == "eq01_objective":
        names = ", ".join(f for f in FAMILY_BY_NAME if f != "eq01_objective")
        raise InputError("family", f"unknown equation family {family!r}; one of {names}")
    if vehicle is not None and vehicle not in instance.vehicle_by_name:
        raise InputError("vehicle", f"unknown vehicle {vehicle!r}; vehicles are {', '.join(instance.vehicle_by_name)}")
    if dc is not None and dc not in instance.index:
        raise InputError("dc", f"unknown DC {dc!r}")
    if model.component(family) is None:
        return [f"{family}: no rows (the time equations 15-18 exist only for an instance with time)"]
    wanted = []
    for key, row in getattr(model, family).items():
        parts = key if isinstance(key, tuple) else (key,)
        if vehicle is not None and vehicle not in parts:
            continue
        if dc is not None and instance.index[dc] not in parts:
            continue
        wanted.append((key, row))
    lines = [row_algebra(instance, row, name=readable_name(instance, family, key)) for key, row in wanted[:limit]]
    if not wanted:
        lines.append(f"{family}: no row matches (a family omits rows that do not apply; see `milkrun inspect`)")
    elif len(wanted) > limit:
        lines.append(f"... and {len(wanted) - limit:,} more rows (--limit shows more)")
    return lines


def node_table(instance: Instance) -> str:
    """The node-number-to-id table: what node 3 of the formulation is in the instance.

    Parameters
    ----------
    instance : Instance
        Any instance.

    Returns
    -------
    str
        One line per node: its number, id, demand and, for a part of a split DC, its origin.
    """
    lines = ["node  id" + " " * 10 + "demand  note"]
    lines.append(f"{0:>4}  {instance.hub.id:<16}{'':>6}  hub")
    for k, dc in enumerate(instance.dcs, start=1):
        note = f"part of {dc.origin}" if dc.origin != dc.id else ""
        lines.append(f"{k:>4}  {dc.id:<16}{dc.demand:>6g}  {note}".rstrip())
    return "\n".join(lines)
