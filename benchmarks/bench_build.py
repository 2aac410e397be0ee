"""Benchmark of building the exact model both ways: Pyomo and PuLP, with their hand-offs.

For instances/ecom74.json and a random 30-DC instance (seed printed): rows and columns of each
build, the time to build the model, and the time to hand it to the solver as each solve does
(Pyomo -> HiGHS with ``milp_milkrun.models.highs_handoff.hand_off``; PuLP -> CBC by writing the MPS file PuLP
passes to CBC).  Each time is the best of ``--repeats`` wall-clock timings (the machine is shared).
Prints a Markdown section for docs/benchmarks.md.

    python benchmarks/bench_build.py
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pulp
import pyomo

from milp_milkrun.crosscheck import pyomo_row_counts
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.exact_pulp import build_exact_pulp
from milp_milkrun.models.highs_handoff import hand_off

REPO = Path(__file__).resolve().parents[1]
ECOM74 = REPO / "instances" / "ecom74.json"
RANDOM_SEED = 4  # the 30-DC instance; printed with the figures


def random_instance(seed: int, n_dcs: int = 30) -> Instance:
    """DCs uniform on a 100 x 100 plane around a central hub, the seed's two vehicle types scaled
    to the demand, and one of each side constraint."""
    rng = random.Random(seed)
    dcs = [DC(f"DC{k}", rng.randint(50, 400), rng.uniform(0, 100), rng.uniform(0, 100)) for k in range(1, n_dcs + 1)]
    small = max(2, round(sum(dc.demand for dc in dcs) / 1100))
    ids = [dc.id for dc in dcs]
    return build_instance(
        name=f"random{n_dcs}-seed{seed}",
        hub=Site("HUB", 50, 50),
        dcs=dcs,
        vehicle_types=[VehicleType("large", 2, 2600, 600, 10), VehicleType("small", small, 1100, 400, 7)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        forbidden=[{"dc": ids[0], "vehicle_type": "large"}],
        consecutive=[[ids[1], ids[2]]],
        damaged_roads=[[ids[3], ids[4]]],
        coordinates="xy",
    )


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def measure(instance: Instance, repeats: int) -> list[str]:
    """One Markdown table row per backend: size and the best build and hand-off times."""
    pyomo_build, pyomo_handoff, pulp_build, pulp_handoff = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        mps = os.path.join(tmp, "model.mps")
        for _ in range(repeats):
            pyomo_build.append(timed(lambda: build_exact_model(instance)))
            pyomo_model = build_exact_model(instance)
            pyomo_handoff.append(timed(lambda pyomo_model=pyomo_model: hand_off(pyomo_model)))
            pulp_build.append(timed(lambda: build_exact_pulp(instance)))
            pulp_model = build_exact_pulp(instance)
            pulp_handoff.append(timed(lambda pulp_model=pulp_model: pulp_model.problem.writeMPS(mps, rename=1)))
    pyomo_rows = sum(pyomo_row_counts(build_exact_model(instance)).values()) - 1  # minus the objective
    pulp_rows = sum(pulp_model.row_counts().values()) - 1
    pyomo_cols = len(pyomo_model.x) + len(pyomo_model.u)
    pulp_cols = sum(pulp_model.column_counts().values())
    name = f"{instance.name} ({instance.n_dcs} DCs, {len(instance.vehicles)} vehicles)"
    return [
        _row(name, "Pyomo + HiGHS", pyomo_rows, pyomo_cols, min(pyomo_build), min(pyomo_handoff)),
        _row(name, "PuLP + CBC", pulp_rows, pulp_cols, min(pulp_build), min(pulp_handoff)),
    ]


def _row(name: str, backend: str, rows: int, cols: int, build: float, handoff: float) -> str:
    return f"| {name} | {backend} | {rows:,} | {cols:,} | {build:.2f} | {handoff:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timings per figure; the best is reported")
    args = parser.parse_args()
    print(f"seed of the 30-DC instance: {RANDOM_SEED}")
    instances = [load_instance(ECOM74), random_instance(RANDOM_SEED)]
    load = os.getloadavg()[0]
    rows = [row for instance in instances for row in measure(instance, args.repeats)]
    print("## PuLP backend and crosscheck\n")
    print("Command: `python benchmarks/bench_build.py`")
    print(
        f"(Python {platform.python_version()}, Pyomo {pyomo.version.version}, PuLP {pulp.__version__}; "
        f"best of {args.repeats} wall-clock runs; 1-minute load average {load:.1f} at the start).\n"
    )
    print("Rows exclude the objective. Build = constructing the model object; hand-off = what each solve")
    print(
        "does next: `models.highs_handoff.hand_off` loads the Pyomo model into HiGHS, PuLP writes the MPS file it passes to CBC.\n"
    )
    print("| instance | backend | rows | columns | build (s) | hand-off (s) |")
    print("|---|---|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
