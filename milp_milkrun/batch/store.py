"""The results folder of a batch: RESULTS_DIR/<hub>/{result.json, plan.json, log.txt}, each written
atomically, and the hash that tells a rerun which hubs are current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError
from milp_milkrun.io import load_instance, write_plan
from milp_milkrun.io.files import write_text_atomically
from milp_milkrun.plan import Plan

RESULT = "result.json"


def current_result(folder: Path, digest: str) -> dict[str, Any] | None:
    """The stored result of a hub, when it is still current.

    Parameters
    ----------
    folder : Path
        The hub's folder in RESULTS_DIR.
    digest : str
        The hash of the instance and options (``HubTask.digest``).

    Returns
    -------
    dict[str, Any] or None
        The stored result when it was solved from the same instance and options, else None.
    """
    path = folder / RESULT
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("hash") != digest or stored.get("status") == "failed":
        return None
    return stored


def store_result(
    folder: Path, instance_path: Path, digest: str, outcome: dict[str, Any], attempts: int
) -> dict[str, Any]:
    """Check the plan with the independent checker, then write plan, log and result.

    The result is written last, so a result file always has its plan beside it.

    Parameters
    ----------
    folder : Path
        The hub's folder in RESULTS_DIR.
    instance_path : Path
        The hub's instance file (read again to check the plan).
    digest : str
        The hash of the instance and options, stored with the result.
    outcome : dict[str, Any]
        What :func:`~milp_milkrun.batch.tasks.solve_hub` returned.
    attempts : int
        How many attempts the hub took.

    Returns
    -------
    dict[str, Any]
        The summary row of the hub.
    """
    folder.mkdir(parents=True, exist_ok=True)
    result = dict(outcome["result"])
    instance = load_instance(instance_path)
    row: dict[str, Any] = {
        "vehicles": 0,
        "load": None,
        "capacity": None,
        "utilisation": None,
        "distance_unit": instance.distance_unit,
        "objective_unit": objective_unit(str(result.get("objective_kind")), instance.distance_unit),
    }
    if outcome["plan"] is not None:
        plan = Plan.from_dict(outcome["plan"])
        report = check_plan(instance, plan)
        if not report.feasible:
            raise CheckFailedError(
                f"the plan of {folder.name} breaks {report.violations[0].equation}: {report.violations[0].message}"
            )
        write_plan(plan, folder / "plan.json", instance)
        capacity = sum(r.capacity or 0.0 for r in report.routes)
        load = sum(r.load for r in report.routes)
        row |= {
            "vehicles": len(report.routes),
            "load": load,
            "capacity": capacity,
            "utilisation": load / capacity if capacity else None,
        }
    write_text_atomically(folder / "log.txt", outcome["log"])
    stored = {"hub": folder.name, "hash": digest, "attempts": attempts, **result, **row}
    stored.pop("routes", None)  # they are in plan.json
    write_text_atomically(folder / RESULT, json.dumps(stored, indent=2) + "\n")
    return stored


def objective_unit(kind: str, distance_unit: str) -> str:
    """The unit of an objective: the instance's distance unit, ``cost`` or ``kg CO2e``.

    Parameters
    ----------
    kind : str
        ``distance``, ``cost`` or ``emissions``.
    distance_unit : str
        The instance's distance unit.

    Returns
    -------
    str
        The unit printed after the objective's value.
    """
    return {"distance": distance_unit, "cost": "cost", "emissions": "kg CO2e"}.get(kind, kind)


def store_failure(folder: Path, digest: str, reason: str, attempts: int) -> dict[str, Any]:
    """Record a hub that failed every attempt (a rerun tries it again).

    Parameters
    ----------
    folder : Path
        The hub's folder in RESULTS_DIR.
    digest : str
        The hash of the instance and options.
    reason : str
        Why the last attempt failed.
    attempts : int
        How many attempts were made.

    Returns
    -------
    dict[str, Any]
        The summary row of the hub.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stored = {"hub": folder.name, "hash": digest, "status": "failed", "reason": reason, "attempts": attempts}
    write_text_atomically(folder / RESULT, json.dumps(stored, indent=2) + "\n")
    return stored
