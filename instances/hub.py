"""One large synthetic hub with every side constraint of the case: ``python instances/generate.py hub
--dcs 1000 --seed 1 FILE``.

The generator of the heuristic benchmarks (formerly ``synthetic_hub`` in benchmarks/bench_heuristic.py;
the same DCs and constraints for a seed, so earlier figures stay comparable): ``n`` DCs within 150 km
of a hub at Nagpur (haversine x road factor 1.3), demands of 1..10 cages of 48 bags, the two vehicle
types of ecom74 (2,600 bags / <=10 DCs / <=750 km and 1,100 / <=7 / <=500 km) in numbers that fill
them to about 85%, 3% of the DCs forbidden for the large trucks, n/25 consecutive pairs and n/25
damaged roads. Deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from typing import Any

from hub_parameters import CAGE, LARGE, ROAD_FACTOR, SMALL, UNIT_MASS_KG

HUB_LAT, HUB_LON = 21.1458, 79.0882  # Nagpur, as ecom74
RADIUS_KM = 150.0  # great-circle; every DC alone is a round trip within a small vehicle's 500 km
KM_PER_DEGREE = 111.2
FILL = 0.85  # the fleet carries the hub's demand at about this utilisation
LARGE_SHARE = 0.3  # of the demand the large trucks could carry


def hub_data(n_dcs: int, seed: int) -> dict[str, Any]:
    """The instance (a dict in the JSON format) of a hub with ``n_dcs`` DCs, for this seed."""
    if n_dcs < 2:
        raise SystemExit("--dcs must be at least 2")
    rng = random.Random(seed)
    dcs = [_dc(rng, k) for k in range(1, n_dcs + 1)]
    total = sum(dc["demand"] for dc in dcs)
    n_large = max(1, round(total * LARGE_SHARE / LARGE["capacity"] / FILL))
    n_small = max(1, math.ceil((total / FILL - n_large * LARGE["capacity"]) / SMALL["capacity"]))
    ids = [dc["id"] for dc in dcs]
    n_pairs = max(1, n_dcs // 25)
    picks = rng.sample(ids, 3 * n_pairs + max(1, n_dcs * 3 // 100))
    pairs = [picks[2 * k : 2 * k + 2] for k in range(n_pairs)]
    roads = [[picks[2 * n_pairs + k], rng.choice(ids)] for k in range(n_pairs)]
    roads = [r for r in roads if r[0] != r[1] and r not in pairs and r[::-1] not in pairs]
    return {
        "name": f"hub{n_dcs}-s{seed}",
        "description": (
            f"Synthetic hub of {n_dcs} DCs around Nagpur written by instances/generate.py hub (seed {seed}); "
            "coordinates and demands are not real."
        ),
        "meta": {"generator": "instances/generate.py hub", "seed": seed, "road_factor": ROAD_FACTOR},
        "distance_unit": "km",
        "unit_mass_kg": UNIT_MASS_KG,
        "hub": {"id": "HUB", "lat": HUB_LAT, "lon": HUB_LON},
        "dcs": dcs,
        "vehicle_types": [{**LARGE, "count": n_large}, {**SMALL, "count": n_small}],
        "forbidden": [{"dc": dc, "vehicle_type": LARGE["name"]} for dc in picks[3 * n_pairs :]],
        "consecutive": pairs,
        "damaged_roads": roads,
        "distances": {"metric": "haversine", "road_factor": ROAD_FACTOR},
    }


def _dc(rng: random.Random, k: int) -> dict[str, Any]:
    """DC k, uniform over the disc around the hub (a flat-earth offset: the disc is small)."""
    km = RADIUS_KM * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    lat = HUB_LAT + km / KM_PER_DEGREE * math.cos(bearing)
    lon = HUB_LON + km / (KM_PER_DEGREE * math.cos(math.radians(HUB_LAT))) * math.sin(bearing)
    return {"id": f"DC{k}", "lat": lat, "lon": lon, "demand": CAGE * rng.randint(1, 10)}
