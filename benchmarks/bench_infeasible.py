"""Which engine proves a tiny infeasible instance infeasible, and how fast: ``--model auto`` against each engine alone.

Random tiny instances with every side constraint (``random_tiny_instance`` of tests/bruteforce.py: 3-6 DCs,
two vehicle types with stop and distance limits, a forbidden pair, a consecutive pair, a damaged road;
fixed seeds, printed), under the distance objective and, for every other seed, the cost objective. The
brute force keeps the instances that have no feasible plan; each is solved by ``auto`` and by the exact,
strong and route-based models alone, each with the given time limit. Prints a Markdown table (instance,
engine, status, time) and a summary per engine (proven infeasible x of y, worst time) for docs/benchmarks.md:

    python benchmarks/bench_infeasible.py --seeds 0-299 --time-limit 20
    python benchmarks/bench_infeasible.py --seeds 0-299 --time-limit 20 --time   # with time windows and shifts
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bruteforce import brute_force, random_tiny_instance  # noqa: E402

from milp_milkrun.errors import InputError  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.solve import SolveOptions, solve  # noqa: E402

ENGINES = ("auto", "exact", "strong", "routes")


def seed_range(text: str) -> range:
    """``A-B`` (inclusive) as a range of seeds."""
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def infeasible_instances(seeds: range, with_time: bool) -> list[Instance]:
    """The instances of ``seeds`` (distance; cost for odd seeds; time windows and shifts if ``with_time``)
    that the brute force proves infeasible."""
    found = []
    for seed in seeds:
        try:
            instance = random_tiny_instance(seed, costs=seed % 2 == 1, time=with_time)
        except InputError:  # the generator drew an instance the data layer refuses
            continue
        if brute_force(instance) is None:
            found.append(instance)
    return found


def measure(engine: str, instance: Instance, time_limit: float) -> tuple[str, float]:
    """The status ``engine`` reaches on ``instance`` within the limit (``refused``: it does not state the
    instance's time), and its wall time."""
    started = time.perf_counter()
    try:
        status = solve(instance, model=engine, options=SolveOptions(time_limit=time_limit)).status
    except InputError as error:
        if error.field != "time":
            raise
        status = "refused"
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-299", help="seeds A-B (inclusive) of random_tiny_instance")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per engine and instance")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines to run")
    parser.add_argument(
        "--time", action="store_true", help="time windows and shifts too (engines that do not state time refuse)"
    )
    args = parser.parse_args()
    seeds = seed_range(args.seeds)
    engines = args.engines.split(",")
    instances = infeasible_instances(seeds, args.time)
    with_time = " with time" if args.time else ""
    print(
        f"seeds {seeds.start}-{seeds.stop - 1}{with_time}: {len(instances)} infeasible by brute force; time limit {args.time_limit:g} s\n"
    )
    print("| instance | objective | engine | status | time (s) |")
    print("|---|---|---|---|---:|")
    proven = dict.fromkeys(engines, 0)
    worst = dict.fromkeys(engines, 0.0)
    for instance in instances:
        for engine in engines:
            status, seconds = measure(engine, instance, args.time_limit)
            proven[engine] += status == "infeasible"
            worst[engine] = max(worst[engine], seconds)
            print(f"| {instance.name} | {instance.objective} | {engine} | {status} | {seconds:.2f} |", flush=True)
    print("\n| engine | proven infeasible | worst time (s) |")
    print("|---|---:|---:|")
    for engine in engines:
        print(f"| {engine} | {proven[engine]} of {len(instances)} | {worst[engine]:.2f} |")


if __name__ == "__main__":
    main()
