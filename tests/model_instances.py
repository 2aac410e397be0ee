"""Instances the exact-model tests share: five DCs with every side constraint, and random ones on a plane
that CBC cannot solve in seconds."""

from __future__ import annotations

import random

from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance


def side_constrained_instance() -> Instance:
    """Five DCs with every side constraint present: B (a type and a vehicle), P, R with a hub road."""
    return build_instance(
        name="five",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 4, 10, 0), DC("B", 3, 10, 10), DC("C", 5, 0, 10), DC("D", 2, -10, 0), DC("E", 6, 0, -10)],
        vehicle_types=[VehicleType("big", 2, 12, 80, 3), VehicleType("small", 2, 12, None, None)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        forbidden=[{"dc": "A", "vehicle_type": "big"}, {"dc": "C", "vehicle": "small-2"}],
        consecutive=[["B", "C"]],
        damaged_roads=[["D", "E"], ["H", "A"]],
        coordinates="xy",
        distance_unit="units",
    )


def plane_instance(seed: int, n_dcs: int) -> Instance:
    """A random instance on a 100 x 100 plane, large enough that CBC cannot finish in seconds."""
    rng = random.Random(seed)
    dcs = [DC(f"DC{k}", rng.randint(50, 400), rng.uniform(0, 100), rng.uniform(0, 100)) for k in range(1, n_dcs + 1)]
    return build_instance(
        name=f"plane{n_dcs}-{seed}",
        hub=Site("HUB", 50, 50),
        dcs=dcs,
        vehicle_types=[VehicleType("large", 2, 2600, 600, 10), VehicleType("small", 4, 1100, 400, 7)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
    )
