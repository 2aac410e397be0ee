"""Random small instances with every side constraint, shared by the model and pricing tests."""

from __future__ import annotations

import random

import numpy as np

from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance


def random_side_instance(seed: int) -> Instance:
    """3..6 DCs, a random explicit matrix (asymmetric half the time), every side constraint at random.

    Vehicle-level forbidden entries make types split into classes; a DC with demand above the big
    capacity is split into parts; limits are drawn around what the DCs need so that they bind.
    """
    rng = random.Random(1000 + seed)
    n = rng.randint(3, 6)
    ids = [f"D{k}" for k in range(1, n + 1)]
    points = {i: (rng.randint(0, 40), rng.randint(0, 40)) for i in ["H", *ids]}
    matrix = np.array(
        [[abs(points[a][0] - points[b][0]) + abs(points[a][1] - points[b][1]) for b in points] for a in points],
        dtype=float,
    )
    if rng.random() < 0.5:  # asymmetric: one-way detours
        matrix += np.triu(np.array([[rng.randint(0, 9) for _ in points] for _ in points]), 1)
    big = rng.randint(10, 18)
    demands = [rng.choice([0, *range(1, 9)]) for _ in ids]
    if rng.random() < 0.3:
        demands[rng.randrange(n)] = big + rng.randint(1, 5)  # split into two parts
    dcs = [DC(i, float(q), *points[i]) for i, q in zip(ids, demands)]
    longest = float(matrix.max()) * 2
    types = [
        VehicleType(
            "big",
            rng.randint(1, 3),
            float(big),
            rng.choice([None, longest * rng.uniform(1.0, 2.0)]),
            rng.choice([None, 2, 3]),
        ),
        VehicleType(
            "small",
            rng.randint(1, 2),
            float(rng.randint(6, 12)),
            rng.choice([None, longest * rng.uniform(0.8, 1.5)]),
            rng.choice([None, 1, 2]),
        ),
    ]
    forbidden = []
    if rng.random() < 0.7:
        forbidden.append({"dc": rng.choice(ids), "vehicle": f"big-{1}"})  # one vehicle of the type only
    if rng.random() < 0.4:
        forbidden.append({"dc": rng.choice(ids), "vehicle_type": "small"})
    a, b, c = rng.sample(ids, 3)
    damaged = [[a, c]] if rng.random() < 0.5 else []
    if rng.random() < 0.5:
        damaged.append(["H", rng.choice(ids)])
    consecutive = (
        [[a, b]] if rng.random() < 0.5 and demands[ids.index(a)] <= big and demands[ids.index(b)] <= big else []
    )
    return build_instance(
        name=f"side-{seed}",
        hub=Site("H"),
        dcs=dcs,
        vehicle_types=types,
        distance_spec=DistanceSpec("matrix"),
        matrix=matrix,
        matrix_ids=list(points),
        forbidden=forbidden,
        consecutive=consecutive,
        damaged_roads=damaged,
        distance_unit="units",
    )


def random_cvrp_instance(seed: int) -> Instance:
    """One vehicle type, symmetric distances: the case of the undirected two-index model (stop limit, damaged roads)."""
    rng = random.Random(2000 + seed)
    n = rng.randint(4, 7)
    dcs = [DC(f"D{k}", rng.randint(1, 9), rng.randint(0, 50), rng.randint(0, 50)) for k in range(1, n + 1)]
    capacity = rng.randint(9, 20)
    ids = [dc.id for dc in dcs]
    return build_instance(
        name=f"cvrp-{seed}",
        hub=Site("H", 25, 25),
        dcs=dcs,
        vehicle_types=[VehicleType("truck", rng.randint(2, 4), capacity, None, rng.choice([None, 2, 3]))],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        damaged_roads=[rng.sample(ids, 2), ["H", rng.choice(ids)]] if rng.random() < 0.6 else [],
        coordinates="xy",
        distance_unit="units",
    )
