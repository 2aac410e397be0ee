"""Generate the instances of this folder reproducibly: ``python instances/generate.py``.

* ``ecom74.json``: a synthetic stand-in for the Ecom Express hub of the seed paper with every
  published figure (74 DCs, 17,424 bags a day, 3 trucks of 2,600 bags / <=10 DCs / <=750 km and
  12 of 1,100 / <=7 DCs / <=500 km, DC5 and DC11 forbidden for the 2,600 trucks, DC55 -> DC24
  consecutive). The real coordinates are not published, so the DCs are placed around a hub at
  Nagpur, and distances are haversine x ROAD_FACTOR (OSRM is not available offline).
  It is built around a planted plan of 13 routes (written to ``ecom74_plan13.json``) and its
  demands are whole cages of CAGE bags, so that:
    - 13 vehicles suffice (the planted plan passes the independent checker), and
    - fewer do not: a 2,600 truck carries at most 2,592 (54 cages) and a 1,100 truck 1,056
      (22 cages), and 3 x 2,592 + 9 x 1,056 = 17,280 < 17,424.
* ``ecom74_tw.json``: ecom74 with receiving windows, unloading times, hub hours and shifts, written
  by ``instances/ecom74_tw.py`` (its docstring states every assumption); the planted plan stays
  feasible and the proven optimum without time (``ecom74_optimum_plan.json``) does not.
* ``toy6.json`` and the ``small_*.json`` instances are written by hand below; each ``small_*``
  instance has one side constraint designed so that the unconstrained optimum breaks it
  (tests/test_instances.py proves this with the brute-force oracle).

Run with ``--check`` to verify the files on disk match what the generator writes. Two subcommands
write generated instances elsewhere: ``network`` (instances/network.py: a network of hubs for
``milkrun batch``) and ``hub --dcs N --seed S FILE`` (instances/hub.py: one large hub with every side
constraint, the heuristic benchmarks' hub).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

from hub_parameters import CAGE, LARGE, MAX_CAGES_PER_DC, ROAD_FACTOR, SMALL, UNIT_MASS_KG, offset

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import haversine_matrix
from milp_milkrun.io import instance_from_dict, load_plan, write_plan
from milp_milkrun.io.files import write_text_atomically
from milp_milkrun.io.json_instance import instance_json_text
from milp_milkrun.plan import Plan, Route

SEED = 20240521
HERE = Path(__file__).resolve().parent

HUB = {"id": "HUB", "lat": 21.1458, "lon": 79.0882}  # Nagpur, near the geographic centre of India
TOTAL_DEMAND = 17_424  # = 363 cages
# The planted plan: (vehicle type, DCs on the route, cages carried); 74 DCs and 363 cages in all.
PLANTED = [("large", 10, 52), ("large", 9, 50), ("large", 9, 48)] + [
    ("small", n, c)
    for n, c in [(5, 22), (5, 22), (5, 22), (5, 21), (5, 21), (5, 21), (4, 21), (4, 21), (4, 21), (4, 21)]
]
MAX_HUB_DISTANCE_KM = 150.0  # great-circle; x 1.3 = 195 road km, so every DC alone is a 390 km round trip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the files on disk instead of writing them")
    commands = parser.add_subparsers(dest="command")
    network = commands.add_parser("network", help="write a network of hub instances and a manifest for milkrun batch")
    network.add_argument("out_dir", type=Path)
    network.add_argument("--hubs", type=int, default=70)
    network.add_argument("--dcs", type=int, default=3500)
    network.add_argument("--seed", type=int, default=SEED)
    hub = commands.add_parser("hub", help="write one large hub with every side constraint (instances/hub.py)")
    hub.add_argument("out_file", type=Path)
    hub.add_argument("--dcs", type=int, default=1000)
    hub.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "hub":
        from hub import hub_data  # instances/hub.py, beside this script

        data = hub_data(args.dcs, args.seed)
        instance_from_dict(data)  # the file must load
        write_text_atomically(args.out_file, instance_json_text(data))
        print(f"seed {args.seed}")
        print(f"wrote {args.out_file}")
        return
    if args.command == "network":
        from network import write_network  # instances/network.py, beside this script

        print(f"seed {args.seed}")
        print(f"wrote {write_network(args.out_dir, args.hubs, args.dcs, args.seed)}")
        return
    print(f"seed {SEED}")
    from ecom74_tw import ecom74_tw, verify_ecom74_tw  # instances/ecom74_tw.py, beside this script

    ecom, plan = ecom74(random.Random(SEED))
    timed = ecom74_tw(ecom, plan, random.Random(SEED + 1))
    files = {
        "ecom74.json": ecom,
        "ecom74_tw.json": timed,
        **{f"{name}.json": data for name, data in hand_made().items()},
    }
    verify_ecom74(ecom, plan)
    verify_ecom74_tw(timed, plan, load_plan(HERE / "ecom74_optimum_plan.json", instance_from_dict(ecom)))
    for name, data in files.items():
        instance_from_dict(data)  # every file must load
        write_or_compare(HERE / name, instance_json_text(data), args.check)
    plan_path = HERE / "ecom74_plan13.json"
    if args.check:
        on_disk = json.loads(plan_path.read_text())
        if on_disk["routes"] != plan.to_dict()["routes"]:
            sys.exit(f"{plan_path.name} differs from the generator's output")
    else:
        write_plan(plan, plan_path, instance_from_dict(ecom))
    print("ok")


def write_or_compare(path: Path, text: str, check: bool) -> None:
    if not check:
        write_text_atomically(path, text)
        print(f"wrote {path.name}")
    elif not path.exists() or path.read_text(encoding="utf-8") != text:
        sys.exit(f"{path.name} differs from the generator's output; rerun python instances/generate.py")


# ----- ecom74 ------------------------------------------------------------------------------------
def ecom74(rng: random.Random) -> tuple[dict[str, Any], Plan]:
    """Place one angular sector of DCs per planted route, then name the DCs DC1..DC74 at random."""
    sectors = _sector_bounds(rng, [n for _, n, _ in PLANTED])
    routes: list[tuple[str, list[dict[str, Any]]]] = []
    order = list(range(len(PLANTED)))
    rng.shuffle(order)  # which sector each planted route gets
    for k, (vtype, n_dcs, cages) in enumerate(PLANTED):
        lo, hi = sectors[order[k]]
        limit = LARGE["max_distance"] if vtype == "large" else SMALL["max_distance"]
        routes.append((vtype, _planted_route(rng, lo, hi, n_dcs, cages, vtype, limit)))
    dcs, plan = _name_dcs(rng, routes)
    data = {
        "name": "ecom74",
        "description": (
            "Synthetic stand-in for the Ecom Express hub of the seed paper (74 DCs, 17,424 bags a day, "
            "3 x 2,600 and 12 x 1,100 vehicles, DC5 and DC11 forbidden for the 2,600 vehicles, DC55 -> DC24 "
            "consecutive). The real coordinates are not published: these coordinates are SYNTHETIC, placed "
            f"around a hub at Nagpur by instances/generate.py (seed {SEED}), and distances are great-circle km "
            f"x road factor {ROAD_FACTOR} instead of OSRM road distances. The published optimum of 4,823 km "
            "is therefore NOT comparable with results on this file. Demands are whole cages of 48 bags, so "
            "no plan uses fewer than 13 vehicles (3 x 2,592 + 9 x 1,056 = 17,280 < 17,424); "
            "ecom74_plan13.json is a feasible 13-vehicle plan (planted, not optimal)."
        ),
        "meta": {
            "generator": "instances/generate.py",
            "seed": SEED,
            "road_factor": ROAD_FACTOR,
            "cage_bags": CAGE,
            "source": "Ecom Express milk-run case, seed paper 002 (figures only)",
        },
        "distance_unit": "km",
        "unit_mass_kg": UNIT_MASS_KG,
        "hub": HUB,
        "dcs": dcs,
        "vehicle_types": [LARGE, SMALL],
        "forbidden": [{"dc": "DC5", "vehicle_type": "large"}, {"dc": "DC11", "vehicle_type": "large"}],
        "consecutive": [["DC55", "DC24"]],
        "damaged_roads": [],
        "distances": {"metric": "haversine", "road_factor": ROAD_FACTOR},
    }
    return data, plan


def _sector_bounds(rng: random.Random, sizes: list[int]) -> list[tuple[float, float]]:
    """Split the circle into one sector per route, wider for routes with more DCs, jittered."""
    weights = [n * rng.uniform(0.7, 1.3) for n in sizes]
    start = rng.uniform(0, 2 * math.pi)
    bounds = []
    for w in weights:
        width = 2 * math.pi * w / sum(weights)
        bounds.append((start, start + width))
        start += width
    return bounds


def _planted_route(
    rng: random.Random, lo: float, hi: float, n_dcs: int, cages: int, vtype: str, limit: float
) -> list[dict[str, Any]]:
    """DCs of one sector, in a short visiting order within the route limit, with their demands."""
    urban = vtype == "small" and rng.random() < 0.3  # some small routes serve the city itself
    r_lo, r_hi = (8.0, 45.0) if urban else (35.0, MAX_HUB_DISTANCE_KM) if vtype == "large" else (25.0, 135.0)
    margin = 0.08 * (hi - lo)
    for _ in range(1000):
        sites = []
        for _ in range(n_dcs):
            angle = rng.uniform(lo + margin, hi - margin)
            radius = r_lo + (r_hi - r_lo) * math.sqrt(rng.random())
            lat, lon = offset(HUB["lat"], HUB["lon"], radius, angle)
            sites.append({"lat": round(lat, 4), "lon": round(lon, 4)})
        order, length = _short_tour(sites)
        if length <= 0.92 * limit:  # some slack below the limit, as planners keep
            demands = _split_cages(rng, cages, n_dcs)
            return [{**sites[i], "demand": CAGE * c} for i, c in zip(order, demands)]
    raise RuntimeError("could not place a route within its distance limit")


def _road_km(a: dict[str, float], b: dict[str, float]) -> float:
    return float(haversine_matrix([a["lat"], b["lat"]], [a["lon"], b["lon"]], ROAD_FACTOR)[0, 1])


def _short_tour(sites: list[dict[str, float]]) -> tuple[list[int], float]:
    """Nearest neighbour from the hub, then 2-opt: a good order for a route of <= 10 DCs."""
    nodes = [HUB, *sites]
    d = [[_road_km(a, b) for b in nodes] for a in nodes]
    tour, left = [0], set(range(1, len(nodes)))
    while left:
        nxt = min(left, key=lambda j: d[tour[-1]][j])
        tour.append(nxt)
        left.remove(nxt)
    tour.append(0)
    improved = True
    while improved:
        improved = False
        for i in range(1, len(tour) - 2):
            for j in range(i + 1, len(tour) - 1):
                delta = (
                    d[tour[i - 1]][tour[j]]
                    + d[tour[i]][tour[j + 1]]
                    - d[tour[i - 1]][tour[i]]
                    - d[tour[j]][tour[j + 1]]
                )
                if delta < -1e-9:
                    tour[i : j + 1] = reversed(tour[i : j + 1])
                    improved = True
    length = sum(d[a][b] for a, b in zip(tour, tour[1:]))
    return [k - 1 for k in tour[1:-1]], length


def _split_cages(rng: random.Random, cages: int, n_dcs: int) -> list[int]:
    """``cages`` cages over ``n_dcs`` DCs, each DC getting 1..MAX_CAGES_PER_DC."""
    counts = [1] * n_dcs
    for _ in range(cages - n_dcs):
        k = rng.choice([i for i in range(n_dcs) if counts[i] < MAX_CAGES_PER_DC])
        counts[k] += 1
    return counts


def _name_dcs(rng: random.Random, routes: list[tuple[str, list[dict[str, Any]]]]) -> tuple[list[dict[str, Any]], Plan]:
    """Number the DCs at random, putting DC55 -> DC24 on a small route and DC5, DC11 on small routes."""
    slots = [(r, s) for r, (_, stops) in enumerate(routes) for s in range(len(stops))]
    small_slots = [(r, s) for r, s in slots if routes[r][0] == "small"]
    r55, s55 = rng.choice([(r, s) for r, s in small_slots if s + 1 < len(routes[r][1])])
    fixed = {(r55, s55): 55, (r55, s55 + 1): 24}
    for number in (5, 11):
        fixed[rng.choice([slot for slot in small_slots if slot not in fixed])] = number
    free_numbers = [k for k in range(1, 75) if k not in fixed.values()]
    rng.shuffle(free_numbers)
    number_of = dict(fixed)
    for slot in slots:
        if slot not in number_of:
            number_of[slot] = free_numbers.pop()
    dcs = sorted(
        ({"id": f"DC{number_of[(r, s)]}", **routes[r][1][s]} for r, s in slots), key=lambda dc: int(dc["id"][2:])
    )
    counters = {"large": 0, "small": 0}
    plan_routes = []
    for r, (vtype, stops) in enumerate(routes):
        counters[vtype] += 1
        plan_routes.append(
            Route(f"{vtype}-{counters[vtype]}", tuple(f"DC{number_of[(r, s)]}" for s in range(len(stops))))
        )
    return dcs, Plan(tuple(plan_routes))


def verify_ecom74(data: dict[str, Any], plan: Plan) -> None:
    """Every published figure, the 13-vehicle lower bound, and a checker-approved 13-vehicle plan."""
    instance = instance_from_dict(data)
    largest_loads = {vt.name: CAGE * (int(vt.capacity) // CAGE) for vt in instance.vehicle_types}
    far = max(instance.dist("HUB", dc.id) for dc in instance.dcs)
    report = check_plan(instance, plan)
    require([dc.id for dc in instance.dcs] == [f"DC{k}" for k in range(1, 75)], "DCs must be DC1..DC74")
    require(instance.total_demand == TOTAL_DEMAND and not instance.splits, "total demand must be 17,424, no splits")
    require(all(dc.demand % CAGE == 0 for dc in instance.dcs), "demands must be whole cages")
    require(3 * largest_loads["large"] + 9 * largest_loads["small"] < TOTAL_DEMAND, "12 vehicles must not suffice")
    require(
        2 * far < 0.8 * SMALL["max_distance"], f"the farthest DC ({far:.0f} km) must be reachable by a small vehicle"
    )
    require(report.feasible and len(report.routes) == 13, f"the planted plan must be feasible: {report.violations}")
    print(f"ecom74: {instance.n_dcs} DCs, demand {instance.total_demand:g}, farthest DC {far:.0f} km from the hub")
    print(
        f"ecom74: lower bound 13 vehicles; planted plan uses {len(report.routes)} vehicles, {report.objective:.0f} km"
    )


def require(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"generator check failed: {message}")


# ----- hand-made instances -----------------------------------------------------------------------
def hand_made() -> dict[str, dict[str, Any]]:
    return {"toy6": toy6(), **small_binding()}


def toy6() -> dict[str, Any]:
    return {
        "name": "toy6",
        "description": "Six DCs on a 10 km grid around the hub, two vehicle types and one of each side constraint; "
        "small enough to solve by hand (docs use it).",
        "distance_unit": "km",
        "unit_mass_kg": 100,  # a round figure for the worked emissions example in docs/emissions.md
        "hub": {"id": "HUB", "x": 0, "y": 0},
        "dcs": [
            {"id": "DC1", "x": 10, "y": 0, "demand": 6},
            {"id": "DC2", "x": 10, "y": 10, "demand": 8},
            {"id": "DC3", "x": 0, "y": 10, "demand": 5},
            {"id": "DC4", "x": -10, "y": 0, "demand": 7},
            {"id": "DC5", "x": -10, "y": -10, "demand": 6},
            {"id": "DC6", "x": 0, "y": -10, "demand": 9},
        ],
        "vehicle_types": [
            {"name": "large", "count": 1, "capacity": 30, "max_distance": 60, "max_stops": 4},
            {"name": "small", "count": 2, "capacity": 15, "max_distance": 40, "max_stops": 2},
        ],
        "forbidden": [{"dc": "DC6", "vehicle_type": "large"}],
        "consecutive": [["DC1", "DC2"]],
        "damaged_roads": [["DC3", "DC4"]],
        "distances": {"metric": "euclidean", "round": "nearest"},
    }


def _small_base(name: str, description: str) -> dict[str, Any]:
    """Six DCs in three pairs around the hub; unconstrained, the large truck serves DC2 DC1 DC3 DC4 (93 km)."""
    return {
        "name": name,
        "description": description,
        "distance_unit": "km",
        "hub": {"id": "HUB", "x": 0, "y": 0},
        "dcs": [
            {"id": "DC1", "x": 20, "y": 5, "demand": 10},
            {"id": "DC2", "x": 25, "y": -5, "demand": 10},
            {"id": "DC3", "x": 5, "y": 20, "demand": 10},
            {"id": "DC4", "x": -5, "y": 25, "demand": 10},
            {"id": "DC5", "x": -20, "y": -5, "demand": 10},
            {"id": "DC6", "x": -15, "y": -20, "demand": 10},
        ],
        "vehicle_types": [{"name": "large", "count": 1, "capacity": 40}, {"name": "small", "count": 2, "capacity": 20}],
        "distances": {"metric": "euclidean", "round": "nearest"},
    }


def small_binding() -> dict[str, dict[str, Any]]:
    """One instance per side constraint, each cutting off the unconstrained optimum (large: DC2 DC1 DC3 DC4)."""
    unconstrained = "Without it the optimum sends the large truck HUB-DC2-DC1-DC3-DC4-HUB (93 km), which breaks it."
    forbidden = _small_base("small_forbidden", "DC1 is forbidden for the large truck (narrow road). " + unconstrained)
    forbidden["forbidden"] = [{"dc": "DC1", "vehicle_type": "large"}]
    consecutive = _small_base("small_consecutive", "DC3 must immediately follow DC2. " + unconstrained)
    consecutive["consecutive"] = [["DC2", "DC3"]]
    damaged = _small_base("small_damaged", "The road DC1 - DC3 is damaged. " + unconstrained)
    damaged["damaged_roads"] = [["DC1", "DC3"]]
    distance = _small_base("small_distance", "The large truck may drive at most 80 km. " + unconstrained)
    distance["vehicle_types"][0]["max_distance"] = 80
    stops = _small_base("small_stops", "The large truck may visit at most 3 DCs. " + unconstrained)
    stops["vehicle_types"][0]["max_stops"] = 3
    return {d["name"]: d for d in (forbidden, consecutive, damaged, distance, stops)}


if __name__ == "__main__":
    main()
