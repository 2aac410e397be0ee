"""Which fleet should a hub have? The fleet size and mix problem on top of the solver.

:func:`recommend_fleet` makes every candidate vehicle type available in as many copies as a plan
can use (or the count a candidate states), minimises the cost (fixed cost per vehicle used plus
cost per km), and compares the answer with the instance's current fleet costed the same way. Both
plans come from :func:`milp_milkrun.solve.solve` (``model="auto"``), so both are re-verified by the
independent checker and carry a certified lower bound.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.io.fleet_candidates import CandidateType, FleetCandidates
from milp_milkrun.io.json_instance import instance_from_dict, instance_to_dict
from milp_milkrun.options import check_seconds
from milp_milkrun.result import RunContext, joined_notes, make_result
from milp_milkrun.solve import DEFAULT_SEED, SolveOptions, SolveResult, solve

CURRENT_SHARE = 1 / 3  # of the time limit, for the plan of the current fleet; the recommendation gets the rest


@dataclass(frozen=True)
class FleetOutcome:
    """One fleet's best plan: the instance it was solved on and the checker-verified result."""

    instance: Instance
    result: SolveResult

    @property
    def has_plan(self) -> bool:
        return self.result.check is not None

    @property
    def counts(self) -> dict[str, int]:
        """Vehicles used per type, in the instance's type order (types not used: 0)."""
        used = Counter(r.vehicle_type for r in self.result.check.routes) if self.result.check else Counter()
        return {vt.name: used.get(vt.name, 0) for vt in self.instance.vehicle_types}

    @property
    def cost(self) -> float | None:
        return self.result.check.cost if self.result.check else None

    @property
    def distance(self) -> float | None:
        return self.result.check.distance if self.result.check else None

    @property
    def vehicles(self) -> int | None:
        return len(self.result.check.routes) if self.result.check else None

    @property
    def utilisation(self) -> float | None:
        """Load carried / capacity of the vehicles used."""
        if not self.result.check or not self.result.check.routes:
            return None
        return sum(r.load for r in self.result.check.routes) / sum(r.capacity or 0.0 for r in self.result.check.routes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance": self.instance.name,
            "fleet": self.counts,
            "cost": self.cost,
            "distance": self.distance,
            "vehicles": self.vehicles,
            "utilisation": self.utilisation,
            "status": self.result.status,
            "bound": self.result.bound,
            "gap": self.result.gap,
            "model": self.result.model,
            "runtime_s": self.result.runtime_s,
            "message": self.result.message,
        }


@dataclass(frozen=True)
class FleetRecommendation:
    """The recommended fleet and its plan, beside the current fleet's plan under the same costs."""

    current: FleetOutcome
    recommended: FleetOutcome
    currency: str
    note: str
    seed: int

    @property
    def saving(self) -> float | None:
        """Cost of the current fleet's plan minus the recommendation's (positive: the recommendation is cheaper)."""
        if self.current.cost is None or self.recommended.cost is None:
            return None
        return self.current.cost - self.recommended.cost

    @property
    def proven_saving(self) -> float | None:
        """What the recommendation saves against ANY plan of the current fleet: the current fleet's
        certified bound minus the recommendation's cost, when that is positive (else None: not proven)."""
        if self.current.result.bound is None or self.recommended.cost is None:
            return None
        saving = self.current.result.bound - self.recommended.cost
        return saving if saving > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form of ``milkrun fleet``: both outcomes, the saving and the recommended plan."""
        result = self.recommended.result
        return {
            "currency": self.currency,
            "note": self.note,
            "seed": self.seed,
            "candidates": [_type_dict(vt) for vt in self.recommended.instance.vehicle_types],
            "recommended": self.recommended.to_dict(),
            "current": self.current.to_dict(),
            "saving": self.saving,
            "proven_saving": self.proven_saving,
            "routes": result.to_dict()["routes"],
        }


def recommend_fleet(
    instance: Instance,
    candidates: FleetCandidates | Sequence[CandidateType] | None = None,
    *,
    time_limit: float = 60.0,
    seed: int = DEFAULT_SEED,
    log: bool = False,
) -> FleetRecommendation:
    """The cheapest fleet for ``instance`` among the candidate types, with its plan and bound.

    Parameters
    ----------
    instance
        The hub: DCs, side constraints and its current fleet.
    candidates
        The types to choose from with their costs (a :class:`FleetCandidates` from a file, or a list
        of :class:`CandidateType`). None: the instance's own types, with their own costs, unlimited.
        The current fleet is costed with a candidate's costs where the names agree.
    time_limit
        Seconds in all: a third for the current fleet's plan, the rest for the recommendation.
    seed
        Seed of both solves.
    log
        Stream the solver logs (through ``SolveOptions.log``).

    Returns
    -------
    FleetRecommendation
        Both plans verified by the checker; the recommendation's bound is a certified lower bound on
        the cost of any plan with the candidate types.

    Raises
    ------
    InputError
        A candidate that names no capacity for a new type, an unknown DC among ``forbidden_dcs``, a
        restriction on a single vehicle of a candidate type, or a time limit that is not positive.
    """
    check_seconds("time_limit", time_limit)
    if isinstance(candidates, FleetCandidates):
        types, currency, note = candidates.types, candidates.currency, candidates.note
    else:
        types = tuple(candidates) if candidates is not None else _own_types(instance)
        currency, note = "cost units", ""
    current = costed_fleet(instance, types)
    choice = candidate_fleet(instance, types)
    started = time.perf_counter()
    current_result = solve(
        current,
        model="auto",
        options=SolveOptions(time_limit=CURRENT_SHARE * time_limit, seed=seed, log=log, objective="cost"),
    )
    left = max(time_limit - (time.perf_counter() - started), 1.0)
    result = solve(choice, model="auto", options=SolveOptions(time_limit=left, seed=seed, log=log, objective="cost"))
    result = _not_worse_than_current(choice, result, current_result, seed)
    return FleetRecommendation(
        FleetOutcome(current, current_result), FleetOutcome(choice, result), currency, note, seed
    )


def costed_fleet(instance: Instance, candidates: Sequence[CandidateType]) -> Instance:
    """``instance`` with its current fleet, objective cost, each type costed as the candidate of its name.

    Parameters
    ----------
    instance
        The hub and its current fleet.
    candidates
        Candidate types; those named like a type of the instance give it their costs.

    Returns
    -------
    Instance
        The same DCs, fleet and rules; types without a candidate keep their own costs.
    """
    data = instance_to_dict(instance)
    by_name = {c.name: c for c in candidates}
    for entry in data["vehicle_types"]:
        if entry["name"] in by_name:
            entry["fixed_cost"] = by_name[entry["name"]].fixed_cost
            entry["cost_per_km"] = by_name[entry["name"]].cost_per_km
    data["objective"] = "cost"
    return instance_from_dict(data)


def candidate_fleet(instance: Instance, candidates: Sequence[CandidateType]) -> Instance:
    """``instance`` with the candidate types as its fleet (unlimited unless a count is given), objective cost.

    Parameters
    ----------
    instance
        The hub: DCs, demands, side constraints, distances.
    candidates
        The types to choose from.

    Returns
    -------
    Instance
        The hub with the candidate fleet; type-level restrictions of a type of the same name carry over.

    Raises
    ------
    InputError
        Naming ``candidates.vehicle_types[k].<field>`` of the candidate at fault, or ``forbidden``.
    """
    data = instance_to_dict(instance)
    own = {vt.name: vt for vt in instance.vehicle_types}
    dc_ids = {dc["id"] for dc in data["dcs"]}
    names = {c.name for c in candidates}
    for restriction in data["forbidden"]:  # restrictions of types that are not candidates leave with their types
        if "vehicle" in restriction and _type_of(restriction) in names:
            raise InputError(
                "forbidden",
                f"{restriction['dc']} is forbidden for the single vehicle {restriction['vehicle']}; a fleet "
                "recommendation needs restrictions per vehicle type (name the type in the instance, or give the candidate forbidden_dcs)",
            )
    forbidden: list[dict[str, str]] = []
    types: list[dict[str, Any]] = []
    for k, c in enumerate(candidates):
        base = own.get(c.name)
        capacity = c.capacity if c.capacity is not None else (base.capacity if base else None)
        if capacity is None:
            raise InputError(
                f"candidates.vehicle_types[{k}].capacity",
                f"vehicle type {c.name} is not in instance {instance.name}; give its capacity",
            )
        entry: dict[str, Any] = {
            "name": c.name,
            "capacity": capacity,
            "fixed_cost": c.fixed_cost,
            "cost_per_km": c.cost_per_km,
        }
        if c.count is not None:
            entry["count"] = c.count
        max_distance = c.max_distance if c.max_distance is not None else (base.max_distance if base else None)
        max_stops = c.max_stops if c.max_stops is not None else (base.max_stops if base else None)
        if max_distance is not None:
            entry["max_distance"] = max_distance
        if max_stops is not None:
            entry["max_stops"] = max_stops
        for time_field in ("shift", "speed"):  # a type of the hub keeps its shift and speed (time instances)
            if base is not None and getattr(base, time_field) is not None:
                entry[time_field] = getattr(base, time_field)
        types.append(entry)
        if c.forbidden_dcs is None:
            forbidden += [e for e in data["forbidden"] if e.get("vehicle_type") == c.name]
        else:
            for dc in c.forbidden_dcs:
                if dc not in dc_ids:
                    raise InputError(
                        f"candidates.vehicle_types[{k}].forbidden_dcs", f"vehicle type {c.name}: unknown DC {dc!r}"
                    )
                forbidden.append({"dc": dc, "vehicle_type": c.name})
    data.update(name=f"{instance.name}_fleet", vehicle_types=types, forbidden=forbidden, objective="cost")
    return instance_from_dict(data)


def _type_of(entry: dict[str, str]) -> str:
    """The vehicle type a forbidden entry restricts (vehicles are named <type>-<k>)."""
    return entry["vehicle_type"] if "vehicle_type" in entry else entry["vehicle"].rsplit("-", 1)[0]


def _own_types(instance: Instance) -> tuple[CandidateType, ...]:
    """The instance's types with their own costs, unlimited."""
    return tuple(CandidateType(vt.name, vt.fixed_cost, vt.cost_per_km) for vt in instance.vehicle_types)


def _not_worse_than_current(choice: Instance, result: SolveResult, current: SolveResult, seed: int) -> SolveResult:
    """The current fleet's plan when the candidates include its vehicles and it is cheaper than
    what the search found in its time (re-verified on the candidate instance); else ``result``."""
    if current.plan is None:
        return result
    carried = check_plan(choice, current.plan)
    if not carried.feasible or (result.check is not None and result.check.cost <= carried.cost):
        return result
    run = RunContext(choice, result.model, result.backend, seed, started=time.perf_counter())
    return make_result(
        run,
        status="feasible",
        plan=current.plan,
        bound=result.bound,
        runtime_s=result.runtime_s + current.runtime_s,
        message=joined_notes(
            "the current fleet's plan: no cheaper plan with the candidates was found in the time limit", result.message
        ),
    )


def _type_dict(vt: VehicleType) -> dict[str, Any]:
    return {
        "name": vt.name,
        "capacity": vt.capacity,
        "fixed_cost": vt.fixed_cost,
        "cost_per_km": vt.cost_per_km,
        "count": None if vt.unlimited else vt.count,
        "max_distance": vt.max_distance,
        "max_stops": vt.max_stops,
    }
