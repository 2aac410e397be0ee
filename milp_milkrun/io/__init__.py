"""Files in and out: JSON, VRPLIB and Solomon instances, JSON and VRPLIB ``.sol`` plans.

Every reader raises :class:`~milp_milkrun.errors.InputError` naming the field (a JSON path such as
``dcs[3].demand``, a VRPLIB section, a ``.sol`` route) for any problem; every writer of a plan
passes it through the independent checker first.
"""

from __future__ import annotations

from pathlib import Path

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io.files import INSTANCE_SUFFIXES, PLAN_SUFFIXES, check_output_path, write_text_atomically
from milp_milkrun.io.golden_taillard import golden_taillard_instance, is_golden_taillard, load_golden_taillard
from milp_milkrun.io.json_instance import instance_from_dict, instance_json_text, instance_to_dict
from milp_milkrun.io.plans import read_plan_json, read_plan_sol, write_plan_json, write_plan_sol
from milp_milkrun.io.schema import read_json
from milp_milkrun.io.solomon import is_solomon, parse_variant, read_solomon
from milp_milkrun.io.vrplib_instance import read_vrplib
from milp_milkrun.io.vrplib_writer import vrplib_text
from milp_milkrun.plan import Plan

__all__ = [
    "instance_from_dict",
    "instance_to_dict",
    "load_golden_taillard",
    "load_instance",
    "load_plan",
    "write_instance",
    "write_plan",
]


def load_instance(path: str | Path, *, vehicles: int | None = None, variant: str | None = None) -> Instance:
    """Read a ``.json`` instance, a Golden–Taillard ``golden_NN.json`` file, a VRPLIB ``.vrp`` file or a
    Solomon VRPTW ``.txt`` file.

    Parameters
    ----------
    path : str or Path
        The instance file; its extension picks the reader.
    vehicles : int, optional
        The fleet size of a ``.vrp`` or Solomon file (overrides the file's own; a Solomon file's
        fleet is otherwise unlimited; refused for JSON files, whose fleet is in the file).
    variant : str, optional
        The variant of a Golden–Taillard file (FSMF, FSMD, FSMFD, HVRPFD or HVRPD; required for
        those files), or of a Solomon file: ``25`` (its first 25 customers), optionally
        ``25,none`` for unrounded distances (:func:`~milp_milkrun.io.solomon.parse_variant`);
        refused for any other.

    Returns
    -------
    Instance
        The validated instance; a bad file raises ``InputError`` naming the file or the field.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        if vehicles is not None:
            raise InputError(
                "vehicles", "the fleet of a JSON instance is in its vehicle_types; --vehicles is for .vrp files"
            )
        data = read_json(path)
        if is_golden_taillard(data):
            if variant is None:
                raise InputError(
                    "variant",
                    f"{path.name} is a Golden–Taillard file: choose its variant (FSMF, FSMD, FSMFD, HVRPFD or HVRPD)",
                )
            return golden_taillard_instance(data, variant, default_name=path.stem)
        if variant is not None:
            raise InputError(
                "variant",
                f"{path.name} is not a Golden–Taillard file (no 'depot' and 'customers'); a variant is for those files",
            )
        return instance_from_dict(data, default_name=path.stem)
    if is_solomon(path):
        customers, distances = parse_variant(variant)
        return read_solomon(path, customers=customers, distances=distances, vehicles=vehicles)
    if variant is not None:
        raise InputError(
            "variant",
            f"a variant is for Golden–Taillard .json and Solomon .txt files, not {suffix or 'files without a suffix'}",
        )
    if suffix == ".vrp":
        return read_vrplib(path, vehicles=vehicles)
    raise InputError(
        str(path), f"unknown instance format {suffix or '(no suffix)'!r}; expected .json, .vrp or a Solomon .txt"
    )


def write_instance(instance: Instance, path: str | Path, *, strict: bool = False) -> tuple[str, ...]:
    """Write ``instance`` as JSON (split DCs merged back) or as VRPLIB ``.vrp`` (PyVRP's sections).

    Parameters
    ----------
    instance : Instance
        The instance to write.
    path : str or Path
        The ``.json`` or ``.vrp`` file to write (atomically); its extension picks the format.
    strict : bool
        For ``.vrp``: refuse (``InputError`` naming ``strict``) an instance with a constraint VRPLIB
        cannot state, instead of writing it as a comment line.

    Returns
    -------
    tuple[str, ...]
        The constraints written only as comment lines (``.vrp``; a VRPLIB reader does not apply
        them), one phrase each; empty for JSON, which states everything.
    """
    path = check_output_path(path, field="target", suffixes=INSTANCE_SUFFIXES)
    if path.suffix.lower() == ".vrp":
        written = vrplib_text(instance, strict=strict)
        write_text_atomically(path, written.text)
        return written.unrepresentable
    write_text_atomically(path, instance_json_text(instance_to_dict(instance)))
    return ()


def load_plan(path: str | Path, instance: Instance) -> Plan:
    """Read a JSON plan or a VRPLIB ``.sol`` solution of ``instance``.

    Parameters
    ----------
    path : str or Path
        The plan file; its extension picks the reader.
    instance : Instance
        The instance the plan is for (ids and vehicles are resolved against it).

    Returns
    -------
    Plan
        The plan as written, not yet checked: :func:`~milp_milkrun.checker.check_plan` judges it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_plan_json(path, instance)
    if suffix == ".sol":
        return read_plan_sol(path, instance)
    raise InputError(str(path), f"unknown plan format {suffix or '(no suffix)'!r}; expected .json or .sol")


def write_plan(plan: Plan, path: str | Path, instance: Instance) -> None:
    """Write ``plan`` as JSON or ``.sol`` after the checker has verified it (CheckFailedError if not).

    Parameters
    ----------
    plan : Plan
        The plan to write.
    path : str or Path
        The file to write (atomically); its extension picks the format.
    instance : Instance
        The instance the plan is for.
    """
    path = check_output_path(path, field="output", suffixes=PLAN_SUFFIXES)
    if path.suffix.lower() == ".json":
        write_plan_json(plan, path, instance)
    else:
        write_plan_sol(plan, path, instance)
