"""Plan files: the JSON plan format and VRPLIB ``.sol`` solutions.

``.sol`` numbering (the VRPLIB convention): a route line ``Route #k: a b c`` is driven by vehicle k
of the fleet in order (``Instance.vehicles``: the types in file order, then ``<type>-1``,
``<type>-2``, ...), and each number is a node index of the instance: 0 is the hub, 1..N the DCs in
``Instance.dcs`` order (split parts included). For an instance read from a ``.vrp`` file whose
depot is node 1, index n is the file's node n + 1, exactly the numbering of CVRPLIB ``.sol`` files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import vrplib

from milp_milkrun.checker import verify_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io.files import write_text_atomically
from milp_milkrun.io.schema import read_json, read_text, validate
from milp_milkrun.plan import Plan, Route

ROUTE_LABEL = re.compile(r"^\s*Route\s*#\s*(\d+)\s*:", re.IGNORECASE | re.MULTILINE)


def read_plan_json(path: Path, instance: Instance) -> Plan:
    """Read a JSON plan of ``instance``.

    Parameters
    ----------
    path : Path
        The plan file.
    instance : Instance
        The instance the plan must be for: a plan written for another instance is refused.

    Returns
    -------
    Plan
        The plan; a route written with the hub at both ends (as the route tables print it) is read
        without them.
    """
    data = read_json(path)
    validate(data, "plan")
    named = data.get("instance")
    if isinstance(named, str) and named != instance.name:
        raise InputError("instance", f"{path} is a plan for instance {named!r}, not for {instance.name!r}")
    return without_hub_at_the_ends(Plan.from_dict(data), instance.hub.id)


def without_hub_at_the_ends(plan: Plan, hub: str) -> Plan:
    """Each route with a leading and a trailing hub id removed (the hub is implied at both ends).

    Parameters
    ----------
    plan : Plan
        A plan as read from a file.
    hub : str
        The hub's id.

    Returns
    -------
    Plan
        The same routes without the hub at their ends.
    """

    def stops(route: Route) -> tuple[str, ...]:
        if len(route.stops) >= 2 and route.stops[0] == hub and route.stops[-1] == hub:
            return route.stops[1:-1]
        return route.stops

    return Plan(tuple(Route(r.vehicle, stops(r)) for r in plan.routes))


def read_plan_sol(path: Path, instance: Instance) -> Plan:
    """Read a VRPLIB solution; route k goes to vehicle k in fleet order (see the module docstring).

    Parameters
    ----------
    path : Path
        The ``.sol`` file.
    instance : Instance
        The instance the solution is for (node numbers are its indices).

    Returns
    -------
    Plan
        The plan; a malformed line or an unknown node raises ``InputError``.
    """
    text = read_text(path)
    try:
        routes = vrplib.read_solution(path)["routes"]
    except (ValueError, IndexError, KeyError) as exc:  # vrplib's parser fails on a bare "Route" line with IndexError
        raise InputError(str(path), f"not a readable VRPLIB solution: {exc}") from None
    labels = [int(k) for k in ROUTE_LABEL.findall(text)]
    if len(labels) != len(routes):
        labels = list(range(1, len(routes) + 1))
    return Plan(tuple(_sol_route(instance, k, nodes) for k, nodes in zip(labels, routes)))


def _sol_route(instance: Instance, k: int, nodes: list[int]) -> Route:
    fleet = instance.vehicles
    if not 1 <= k <= len(fleet):
        raise InputError(
            f"Route #{k}", f"the fleet of {instance.name} has {len(fleet)} vehicles, numbered 1..{len(fleet)}"
        )
    for node in nodes:
        if not 1 <= node <= instance.n_dcs:
            raise InputError(
                f"Route #{k}", f"node {node} is not a DC of {instance.name}; DCs are numbered 1..{instance.n_dcs}"
            )
    return Route(fleet[k - 1].name, tuple(instance.node_ids[node] for node in nodes))


def write_plan_json(plan: Plan, path: Path, instance: Instance) -> None:
    """Write the plan as JSON, with the instance's name and the checker's objective (and, with time, each
    route's schedule), once it passes the checker.

    Parameters
    ----------
    plan : Plan
        The plan to write.
    path : Path
        The ``.json`` file (written atomically).
    instance : Instance
        The instance the plan is for.
    """
    report = verify_plan(instance, plan, source=f"write_plan({path.name})")
    data = {"instance": instance.name, "objective": report.objective, **plan.to_dict()}
    schedules = {r.vehicle: r.schedule.to_dict() for r in report.routes if r.schedule is not None}
    if schedules:  # with time: each route's times, as the checker computed them
        data["routes"] = [
            {**route, "schedule": schedules[route["vehicle"]]} if route["vehicle"] in schedules else route
            for route in data["routes"]  # type: ignore[attr-defined]
        ]
    write_text_atomically(path, json.dumps(data, indent=2) + "\n")


def write_plan_sol(plan: Plan, path: Path, instance: Instance) -> None:
    """Write ``Route #k: ...`` lines (k = fleet position of the vehicle) and the cost, as CVRPLIB does.

    Parameters
    ----------
    plan : Plan
        The plan to write; it must pass the checker.
    path : Path
        The ``.sol`` file (written atomically).
    instance : Instance
        The instance the plan is for.
    """
    report = verify_plan(instance, plan, source=f"write_plan({path.name})")
    position = {v.name: k for k, v in enumerate(instance.vehicles, start=1)}
    lines = [
        f"Route #{position[r.vehicle]}: " + " ".join(str(instance.index[s]) for s in r.stops)
        for r in sorted(plan.used_routes(), key=lambda r: position[r.vehicle])
    ]
    lines.append(f"Cost {_cost(report.objective)}")
    write_text_atomically(path, "\n".join(lines) + "\n")


def _cost(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
