"""Cheap checks, run before any model is built, that prove an instance infeasible and name the cause.

Each check is a necessary condition of the formulation, so a reported cause is a proof: no plan can
exist. Passing every check does not prove feasibility; the solver decides that.
Distances from and back to the hub are shortest paths that avoid damaged roads, so the reach test
stays valid when the matrix breaks the triangle inequality or the direct road is damaged.
"""

from __future__ import annotations

import numpy as np

from milp_milkrun.implied import consecutive_chains, shortest_paths
from milp_milkrun.instance import Instance, Vehicle
from milp_milkrun.limits import exceeds


def presolve_diagnostics(instance: Instance) -> list[str]:
    """Plain-language reasons why ``instance`` has no feasible plan.

    Parameters
    ----------
    instance : Instance
        Any instance.

    Returns
    -------
    list[str]
        One reason per cause found (naming the DC, vehicle or limit); empty when none is found, which
        does not prove that a plan exists.
    """
    reasons: list[str] = []
    reasons += _dcs_nobody_may_serve(instance)
    reasons += _dcs_out_of_reach(instance)
    reasons += _demand_above_allowed_capacity(instance)
    reasons += _fleet_too_small(instance)
    reasons += _chain_problems(instance)
    return reasons


def _dcs_nobody_may_serve(instance: Instance) -> list[str]:
    return [
        f"DC {dc.id}: every vehicle is forbidden to serve it"
        for dc in instance.dcs
        if not instance.allowed_vehicles(dc.id)
    ]


def _dcs_out_of_reach(instance: Instance) -> list[str]:
    """(6): a DC whose shortest round trip from the hub exceeds every allowed vehicle's distance limit."""
    shortest = shortest_paths(instance)
    reasons = []
    for j, dc in enumerate(instance.dcs, start=1):
        allowed = instance.allowed_vehicles(dc.id)
        round_trip = shortest[0, j] + shortest[j, 0]
        if allowed and all(_too_far(v, round_trip) for v in allowed):
            reasons.append(
                f"DC {dc.id} is out of reach: the shortest round trip hub -> {dc.id} -> hub is {round_trip:.6g} "
                f"{instance.distance_unit}, more than the distance limit of every vehicle allowed to serve it "
                f"({_limits(allowed, 'max_distance')})"
            )
    return reasons


def _demand_above_allowed_capacity(instance: Instance) -> list[str]:
    """(5): a DC whose demand no allowed vehicle can carry (splitting normally prevents this)."""
    reasons = []
    for dc in instance.dcs:
        allowed = instance.allowed_vehicles(dc.id)
        if allowed and all(exceeds(dc.demand, v.capacity) for v in allowed):
            reasons.append(
                f"DC {dc.id} needs {dc.demand:g} but every vehicle allowed to serve it carries less "
                f"({_limits(allowed, 'capacity')})"
            )
    return reasons


def _fleet_too_small(instance: Instance) -> list[str]:
    """(5) and (7) summed over the fleet: total demand and number of DCs against what the fleet can take."""
    reasons = []
    if exceeds(instance.total_demand, instance.fleet_capacity):
        reasons.append(
            f"total demand {instance.total_demand:g} exceeds the capacity of the whole fleet {instance.fleet_capacity:g}"
        )
    limits = [v.max_stops for v in instance.vehicles]
    if all(h is not None for h in limits) and instance.n_dcs > sum(limits):  # type: ignore[arg-type]
        reasons.append(
            f"{instance.n_dcs} DCs but the fleet's stop limits allow only {sum(limits)} visits in total"  # type: ignore[arg-type]
        )
    return reasons


def _chain_problems(instance: Instance) -> list[str]:
    """(10) with (5)-(9): a chain of consecutive DCs rides one vehicle, which must be allowed and big enough."""
    shortest = shortest_paths(instance)
    reasons = []
    for nodes in consecutive_chains(instance):
        chain = [instance.node_ids[i] for i in nodes]
        shown = " -> ".join(chain)
        allowed = [v for v in instance.vehicles if all(instance.is_allowed(dc, v.name) for dc in chain)]
        if not allowed:
            what = "consecutive pair" if len(chain) == 2 else "consecutive chain"
            reasons.append(f"{what} {shown}: no vehicle is allowed to serve all of its DCs")
            continue
        load = sum(instance.demand[instance.index[dc]] for dc in chain)
        if all(exceeds(load, v.capacity) for v in allowed):
            reasons.append(
                f"consecutive chain {shown} carries {load:g}, more than any allowed vehicle ({_limits(allowed, 'capacity')})"
            )
        if all(v.max_stops is not None and len(chain) > v.max_stops for v in allowed):
            reasons.append(
                f"consecutive chain {shown} has {len(chain)} DCs, more than the stop limit of every allowed vehicle "
                f"({_limits(allowed, 'max_stops')})"
            )
        length = _chain_round_trip(instance, chain, shortest)
        if all(_too_far(v, length) for v in allowed):
            reasons.append(
                f"consecutive chain {shown} needs a round trip of at least {length:.6g} {instance.distance_unit}, more than "
                f"the distance limit of every allowed vehicle ({_limits(allowed, 'max_distance')})"
            )
    return reasons


def _chain_round_trip(instance: Instance, chain: list[str], shortest: np.ndarray) -> float:
    """Hub to the chain's first DC (shortest path), along the chain's direct roads, back to the hub."""
    nodes = [instance.index[dc] for dc in chain]
    inside = sum(float(instance.distance[a, b]) for a, b in zip(nodes, nodes[1:]))
    return float(shortest[0, nodes[0]]) + inside + float(shortest[nodes[-1], 0])


def _too_far(vehicle: Vehicle, length: float) -> bool:
    limit = vehicle.max_distance
    return limit is not None and exceeds(length, limit)


def _limits(vehicles: list[Vehicle], attribute: str) -> str:
    """'large: 750, small: 500' for the vehicle types among ``vehicles``."""
    by_type: dict[str, object] = {}
    for v in vehicles:
        value = getattr(v, attribute)
        by_type[v.type.name] = "no limit" if value is None else f"{value:g}"
    return ", ".join(f"{name}: {value}" for name, value in by_type.items())
