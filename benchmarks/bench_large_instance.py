"""Reading a large instance: a valid JSON file of about 42 MB (2,300 DCs and a full explicit distance
matrix) loaded through the checks, and ``milkrun show`` on it, which must take time linear in its size.

Usage (from the repo root):
    python benchmarks/bench_large_instance.py [--dcs 2300] [--seed 1]

Prints the file size, the CPU and wall-clock seconds of ``load_instance`` (parse, range check,
schema, semantics) and of ``milkrun show`` in a subprocess. The instance is random (seed printed)
and written to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from milp_milkrun.io import load_instance  # noqa: E402


def write_instance(path: Path, n_dcs: int, seed: int) -> None:
    """A random hub with ``n_dcs`` unit-demand DCs, its full distance matrix and a long description."""
    rng = random.Random(seed)
    ids = ["H"] + [f"D{i}" for i in range(n_dcs)]
    points = [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in ids]
    matrix = [[round(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5, 3) for b in points] for a in points]
    path.write_text(
        json.dumps(
            {
                "name": "large",
                "description": "A large synthetic hub. " * 2000,
                "hub": {"id": "H"},
                "dcs": [{"id": i, "demand": 1} for i in ids[1:]],
                "vehicle_types": [{"name": "t", "count": n_dcs, "capacity": 10}],
                "distances": {"ids": ids, "matrix": matrix},
            }
        )
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dcs", type=int, default=2300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"seed {args.seed}, {args.dcs} DCs")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.json"
        write_instance(path, args.dcs, args.seed)
        print(f"file            {path.stat().st_size / 1e6:.1f} MB")
        cpu, wall = time.process_time(), time.perf_counter()
        load_instance(path)
        print(f"load_instance   {time.process_time() - cpu:.2f} s CPU, {time.perf_counter() - wall:.2f} s wall")
        cpu, wall = children_cpu(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "milp_milkrun", "show", str(path)], capture_output=True, text=True, check=True
        )
        print(
            f"milkrun show    {children_cpu() - cpu:.2f} s CPU, {time.perf_counter() - wall:.2f} s wall ({len(done.stdout)} characters printed)"
        )


if __name__ == "__main__":
    main()
