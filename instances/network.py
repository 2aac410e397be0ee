"""A synthetic network of hubs for ``milkrun batch``: ``python instances/generate.py network --hubs 70
--dcs 3500 --seed S OUT_DIR`` writes one instance per hub and a manifest.json.

Each hub is built with the realism of ecom74: DCs within 150 great-circle km (x road factor 1.3), a
third of them urban, demands in whole cages of 48 bags, the two vehicle types of the case, and a
fleet sized with headroom so every hub has a feasible plan; about 40% of the hubs have DCs the large
trucks may not enter, a consecutive pair, or a damaged road. Hub sizes vary from 20 to 120 DCs.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

from hub_parameters import CAGE, LARGE, MAX_CAGES_PER_DC, ROAD_FACTOR, SMALL, UNIT_MASS_KG, offset

from milp_milkrun.instance import haversine_matrix
from milp_milkrun.io.files import write_text_atomically

MIN_DCS, MAX_DCS = 20, 120
LARGE_BAGS, SMALL_BAGS = 54 * CAGE, 22 * CAGE  # what each type carries in whole cages
HEADROOM = 1.2  # fleet capacity and stop slots over what the hub needs


def write_network(out_dir: Path, hubs: int, dcs: int, seed: int) -> Path:
    """Write ``hubs`` hub instances with ``dcs`` DCs in all, and the manifest; returns the manifest path."""
    if not MIN_DCS * hubs <= dcs <= MAX_DCS * hubs:
        raise SystemExit(f"--dcs must lie between {MIN_DCS} and {MAX_DCS} per hub: {MIN_DCS * hubs}..{MAX_DCS * hubs}")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for k, size in enumerate(hub_sizes(rng, hubs, dcs), start=1):
        name = f"H{k:03d}"
        data = hub_instance(rng, name, size, seed)
        write_text_atomically(out_dir / f"{name}.json", json.dumps(data, indent=1) + "\n")
        entries.append({"hub": name, "instance": f"{name}.json", "dcs": size})
    manifest = out_dir / "manifest.json"
    write_text_atomically(
        manifest,
        json.dumps({"generator": "instances/generate.py network", "seed": seed, "hubs": entries}, indent=1) + "\n",
    )
    return manifest


def hub_sizes(rng: random.Random, hubs: int, total: int) -> list[int]:
    """``hubs`` sizes in [MIN_DCS, MAX_DCS] that add up to ``total``, spread like real hubs (many small)."""
    sizes = [MIN_DCS] * hubs
    left = total - MIN_DCS * hubs
    weights = [rng.lognormvariate(0, 0.6) for _ in range(hubs)]
    while left > 0:
        k = rng.choices(range(hubs), weights)[0]
        if sizes[k] < MAX_DCS:
            sizes[k] += 1
            left -= 1
    return sizes


def hub_instance(rng: random.Random, name: str, size: int, seed: int) -> dict[str, Any]:
    lat, lon = rng.uniform(12.0, 28.0), rng.uniform(73.0, 88.0)
    dcs = []
    for j in range(1, size + 1):
        radius = rng.uniform(5.0, 40.0) if rng.random() < 0.33 else 25.0 + 125.0 * math.sqrt(rng.random())
        dc_lat, dc_lon = offset(lat, lon, radius, rng.uniform(0, 2 * math.pi))
        dcs.append(
            {
                "id": f"{name}-DC{j}",
                "lat": round(dc_lat, 4),
                "lon": round(dc_lon, 4),
                "demand": CAGE * rng.randint(1, MAX_CAGES_PER_DC),
            }
        )
    large, small = _fleet(size, sum(dc["demand"] for dc in dcs))
    data: dict[str, Any] = {
        "name": name,
        "description": f"Synthetic hub of a {seed}-seeded network (instances/network.py); coordinates and demands are not real.",
        "distance_unit": "km",
        "unit_mass_kg": UNIT_MASS_KG,
        "hub": {"id": f"{name}-HUB", "lat": round(lat, 4), "lon": round(lon, 4)},
        "dcs": dcs,
        "vehicle_types": [{**LARGE, "count": large}, {**SMALL, "count": small}],
        "forbidden": [],
        "consecutive": [],
        "damaged_roads": [],
        "distances": {"metric": "haversine", "road_factor": ROAD_FACTOR},
    }
    _side_constraints(rng, data)
    return data


def _fleet(size: int, demand: int) -> tuple[int, int]:
    """Large trucks for about a quarter of the load, then small ones until capacity and stop slots
    both exceed the hub's needs by HEADROOM."""
    large = max(1, round(demand / LARGE_BAGS / 4))
    by_load = math.ceil((HEADROOM * demand - large * LARGE_BAGS) / SMALL_BAGS)
    by_stops = math.ceil((HEADROOM * size - large * LARGE["max_stops"]) / SMALL["max_stops"])
    return large, max(1, by_load, by_stops)


def _side_constraints(rng: random.Random, data: dict[str, Any]) -> None:
    """About 40% of hubs: a DC or two the large trucks may not enter, a consecutive pair of neighbours,
    a damaged road between two other DCs."""
    dcs = data["dcs"]
    if rng.random() < 0.4:
        for dc in rng.sample(dcs, 2 if rng.random() < 0.5 else 1):
            data["forbidden"].append({"dc": dc["id"], "vehicle_type": "large"})
    if rng.random() < 0.4:
        a = rng.choice(dcs)
        b = min((d for d in dcs if d is not a), key=lambda d: _km(a, d))
        if a["demand"] + b["demand"] <= SMALL["capacity"]:
            data["consecutive"].append([a["id"], b["id"]])
    if rng.random() < 0.4:
        taken = {i for pair in data["consecutive"] for i in pair}
        free = [d for d in dcs if d["id"] not in taken]
        a, b = rng.sample(free, 2)
        data["damaged_roads"].append([a["id"], b["id"]])


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    return float(haversine_matrix([a["lat"], b["lat"]], [a["lon"], b["lon"]])[0, 1])
