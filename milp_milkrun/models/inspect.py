"""Inspect the exact model equation by equation (the LP / MPS files are written by reports/model_files.py).

``inspect_model`` counts the rows of every family of ``EXACT_FAMILIES`` in a built Pyomo model and
says why a family is smaller than its formula (vehicles without a limit get no row in (6) / (7)).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from milp_milkrun.instance import Instance
from milp_milkrun.models.families import Family, families_of


@dataclass(frozen=True)
class FamilyCount:
    family: Family
    rows: int  # constraint rows; 1 for the objective
    note: str = ""


@dataclass(frozen=True)
class ModelInspection:
    instance_name: str
    families: tuple[FamilyCount, ...]
    binaries: int
    continuous: int

    @property
    def rows(self) -> int:
        """Constraint rows (the objective is not a row)."""
        return sum(f.rows for f in self.families if f.family.name != "eq01_objective")


def inspect_model(instance: Instance, model: pyo.ConcreteModel) -> ModelInspection:
    """Rows per equation family and variable counts of a model built from ``instance``.

    Parameters
    ----------
    instance : Instance
        The instance the model was built from.
    model : pyo.ConcreteModel
        A model from :func:`~milp_milkrun.models.exact.build_exact_model`.

    Returns
    -------
    ModelInspection
        The counts, family by family.
    """
    families = tuple(
        FamilyCount(f, len(getattr(model, f.name)), _note(instance, f.name)) for f in families_of(instance.has_time)
    )
    variables = list(model.component_data_objects(pyo.Var, descend_into=True))
    binaries = sum(1 for v in variables if v.is_binary())
    return ModelInspection(instance.name, families, binaries, len(variables) - binaries)


def _note(instance: Instance, family: str) -> str:
    """Why a family has fewer rows than vehicles / pairs, in words."""
    if family == "eq06_distance":
        return _omitted(instance, "max_distance", "distance limit")
    if family == "eq07_stops":
        return _omitted(instance, "max_stops", "stop limit")
    if family in ("eq08_forbidden_in", "eq09_forbidden_out") and not instance.forbidden:
        return "no forbidden DC-vehicle pairs"
    if family == "eq10_consecutive" and not instance.consecutive:
        return "no consecutive pairs"
    if family == "eq11_damaged" and not instance.damaged_roads:
        return "no damaged roads"
    if family == "eq18_shift":
        return _omitted(instance, "shift", "shift")
    return ""


def _omitted(instance: Instance, attribute: str, what: str) -> str:
    unlimited = [vt for vt in instance.vehicle_types if getattr(vt, attribute) is None]
    if not unlimited:
        return ""
    n = sum(vt.count or 0 for vt in unlimited)  # a built instance counts every type
    names = ", ".join(vt.name for vt in unlimited)
    return f"omitted for {n} vehicle{'s' if n != 1 else ''} without a {what} ({names})"


def _time_variables(inspection: ModelInspection) -> str:
    if not any(fc.family.name == "eq15_time_flow" for fc in inspection.families):
        return f", {inspection.continuous} continuous u_i)"
    return f" and y_jw, {inspection.continuous} continuous u_i, theta^t_j, dep_t, ret_t)"


def format_inspection(inspection: ModelInspection) -> str:
    """The table printed by ``milkrun inspect``.

    Parameters
    ----------
    inspection : ModelInspection
        What :func:`inspect_model` returned.

    Returns
    -------
    str
        The table as plain text.
    """
    lines = [f"Exact model of {inspection.instance_name}: equation families", ""]
    lines.append(f"{'eq':>3}  {'component':<20} {'rows':>7}  mathematics")
    for fc in inspection.families:
        rows = "obj" if fc.family.name == "eq01_objective" else str(fc.rows)
        lines.append(f"{fc.family.number:>3}  {fc.family.name:<20} {rows:>7}  {fc.family.math}")
        if fc.note:
            lines.append(f"{'':>3}  {'':<20} {'':>7}  note: {fc.note}")
    lines += [
        "",
        f"rows: {inspection.rows}",
        f"variables: {inspection.binaries + inspection.continuous} "
        f"({inspection.binaries} binary x^t_ij{_time_variables(inspection)}",
    ]
    return "\n".join(lines)
