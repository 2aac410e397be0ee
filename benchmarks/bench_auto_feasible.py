"""``--model auto`` on small feasible instances: status, objective, model and wall time of each, to pair two commits.

The feasible instances among seeds 0-39 of ``random_tiny_instance`` (tests/bruteforce.py; cost objective for
odd seeds) and seeds 0-14 of ``benchmarks/bench_auto_small.py`` under both objectives (``--kind plain``);
with ``--kind time`` the feasible ones among seeds 0-39 of ``random_tiny_instance`` with time and of
``random_timed_instance`` (tests/time_oracle.py; priced for odd seeds), each checked by its own brute
force; ``--kind all``: both. Each is solved by ``auto`` with the heuristic start and the given limit. Run
it once per commit (an exported tree on PYTHONPATH) and compare the lines:

    PYTHONPATH=/tmp/before nice -n 10 python benchmarks/bench_auto_feasible.py > before.txt
    PYTHONPATH=. nice -n 10 python benchmarks/bench_auto_feasible.py > after.txt
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE)]

from bench_auto_small import small_instance  # noqa: E402
from bench_infeasible import oracle_instances  # noqa: E402

from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.solve import SolveOptions, solve  # noqa: E402


def feasible_instances(kind: str = "plain") -> list[Instance]:
    """Of ``kind``: without time, the feasible tiny instances of seeds 0-39, then the small instances of seeds
    0-14 (both objectives); with time, the feasible tiny instances with time, then the timed ones, of seeds 0-39."""
    found: list[Instance] = []
    if kind != "time":
        found += [instance for instance, has_plan in oracle_instances(range(40), "plain") if has_plan]
        found += [small_instance(seed, objective) for seed in range(15) for objective in ("distance", "cost")]
    if kind != "plain":
        found += [instance for instance, has_plan in oracle_instances(range(40), "time") if has_plan]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per instance")
    parser.add_argument("--kind", choices=("plain", "time", "all"), default="plain", help="without time, with, or both")
    args = parser.parse_args()
    total = 0.0
    for instance in feasible_instances(args.kind):
        started = time.perf_counter()
        result = solve(instance, options=SolveOptions(time_limit=args.time_limit))
        seconds = time.perf_counter() - started
        total += seconds
        print(
            f"{instance.name}{'+time' if instance.has_time else ''} {result.status} {result.objective} {result.model} {seconds:.2f}",
            flush=True,
        )
    print(f"total {total:.2f}")


if __name__ == "__main__":
    main()
