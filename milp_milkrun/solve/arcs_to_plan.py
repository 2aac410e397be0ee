"""Follow the arcs a model selected into routes: shared by every backend that returns arc values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from milp_milkrun.instance import Instance
from milp_milkrun.plan import Plan, Route


class RouteExtractionError(RuntimeError):
    """The selected arcs do not form round trips from the hub (a model bug, never hidden)."""


def follow_arcs(instance: Instance, arcs_by_vehicle: Mapping[str, Iterable[tuple[int, int]]]) -> Plan:
    """Turn each vehicle's selected arcs (node indices, 0 = hub) into one route per trip.

    A vehicle whose arcs form several trips or a cycle without the hub yields a plan the checker will
    reject, so the problem surfaces instead of being silently repaired.

    Parameters
    ----------
    instance : Instance
        Maps node indices to DC ids.
    arcs_by_vehicle : Mapping[str, Iterable[tuple[int, int]]]
        The arcs a solution selects, per vehicle name.

    Returns
    -------
    Plan
        The routes in the order the arcs are followed from the hub.
    """
    routes: list[Route] = []
    for vehicle, arcs in arcs_by_vehicle.items():
        successors: dict[int, list[int]] = {}
        for i, j in arcs:
            successors.setdefault(i, []).append(j)
        for first in successors.pop(0, []):
            routes.append(Route(vehicle, tuple(_walk(instance, successors, first, vehicle))))
        if any(successors.values()):
            stray = sorted({instance.node_ids[i] for i, js in successors.items() if js})
            raise RouteExtractionError(
                f"vehicle {vehicle} has arcs on a cycle without the hub through {', '.join(stray)}"
            )
    return Plan(tuple(routes))


def _walk(instance: Instance, successors: dict[int, list[int]], node: int, vehicle: str) -> list[str]:
    stops: list[str] = []
    while node != 0:
        if len(stops) > instance.n_dcs:
            raise RouteExtractionError(f"vehicle {vehicle} loops without returning to the hub")
        stops.append(instance.node_ids[node])
        nexts = successors.get(node)
        if not nexts:
            raise RouteExtractionError(f"vehicle {vehicle} enters {instance.node_ids[node]} but never leaves")
        node = nexts.pop()
    return stops
