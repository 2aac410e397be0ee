"""Instances with time shared by the route-engine and pricing tests: an instance without its shifts, and a
hand-made trap for a dominance that ignores time."""

from __future__ import annotations

from dataclasses import replace

from milp_milkrun.instance import Instance, build_instance
from milp_milkrun.io import instance_from_dict
from milp_milkrun.timing import TimeSpec


def without_shifts(instance: Instance) -> Instance:
    """The instance with its vehicle types' shifts dropped."""
    return rebuilt(instance, list(instance.dcs), [replace(vt, shift=None) for vt in instance.vehicle_types])


def rebuilt(instance: Instance, dcs: list, vehicle_types: list, time: TimeSpec | None = None) -> Instance:
    """The instance with these DCs and vehicle types (and ``time``, if given), everything else kept."""
    return build_instance(
        name=instance.name,
        hub=instance.hub,
        dcs=dcs,
        vehicle_types=vehicle_types,
        distance_spec=instance.distance_spec,
        forbidden=[{"dc": dc, "vehicle": vehicle} for dc, vehicle in sorted(instance.forbidden)],
        consecutive=instance.consecutive,
        damaged_roads=instance.damaged_roads,
        coordinates=instance.coordinates,
        objective=instance.objective,
        time=time or instance.time,
    )


def dominance_trap() -> Instance:
    """One van, four DCs (1 unit = 1 minute). At X, the path A -> B -> X is shorter than B -> A -> X
    over the same DCs but starts service later (121 against 105: A opens at 100), too late for D
    (closes at 113). The only best route is B A X D; a dominance ignoring time keeps A B X and answers
    X B A D (54.72) instead (checked by hand with a pricing whose dominance drops the time test)."""
    return instance_from_dict(
        {
            "name": "dominance-trap",
            "hub": {"id": "H", "x": 0, "y": 0},
            "dcs": [
                {"id": "A", "x": 10, "y": 0, "demand": 1, "windows": [[100, 104]]},
                {"id": "B", "x": 20, "y": 0, "demand": 1},
                {"id": "X", "x": 10, "y": 5, "demand": 1},
                {"id": "D", "x": 5, "y": 10, "demand": 1, "windows": [[105, 113]]},
            ],
            "vehicle_types": [{"name": "van", "count": 1, "capacity": 10}],
            "distances": {"metric": "euclidean"},
            "time": {"hub_hours": [0, 1000], "speed": 60},
        }
    )
