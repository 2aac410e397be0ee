"""Which engine proves a tiny infeasible instance infeasible, and how fast: ``--model auto`` against each engine alone.

Random tiny instances, fixed seeds, under the distance objective and, for every other seed, the cost
objective. ``--kind plain``: ``random_tiny_instance`` of tests/bruteforce.py (3-6 DCs, two vehicle types
with stop and distance limits, a forbidden pair, a consecutive pair, a damaged road). ``--kind time``: the
same instances with time (windows, several per DC, service times per stop and per unit, hub hours,
shifts), checked by that brute force, then ``random_timed_instance`` of tests/time_oracle.py (windows
drawn around the direct trip, binding shifts; under cost a cost per hour of route duration), checked by
its brute force. ``--kind all``: both. The brute force keeps the instances that have no feasible plan;
each is solved by ``auto`` and by the exact, strong and route-based models alone, each with the given
time limit (``refused``: the engine does not state time). Prints a Markdown table (instance, engine,
status, time) and a summary per engine (proven infeasible x of y, median and worst time) for
docs/benchmarks.md:

    python benchmarks/bench_infeasible.py --seeds 0-299 --time-limit 20
    python benchmarks/bench_infeasible.py --seeds 0-299 --time-limit 20 --kind time

``--dcs N`` goes beyond the brute force's reach: every instance of the seeds drawn with N DCs, feasible or
not (nobody knows), and the summary counts what each engine answered (proven infeasible or optimal):

    python benchmarks/bench_infeasible.py --seeds 0-9 --time-limit 20 --kind time --dcs 25 --engines auto
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bruteforce import brute_force, random_tiny_instance  # noqa: E402
from time_oracle import brute_force_time, random_timed_instance  # noqa: E402

from milp_milkrun.errors import InputError  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.solve import SolveOptions, solve  # noqa: E402

ENGINES = ("auto", "exact", "strong", "routes")
KINDS = ("plain", "time", "all")


def seed_range(text: str) -> range:
    """``A-B`` (inclusive) as a range of seeds."""
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def oracle_instances(seeds: range, kind: str) -> list[tuple[Instance, bool]]:
    """The instances of ``seeds`` of ``kind`` (distance; cost for odd seeds), each with whether its own brute
    force finds a plan: the tiny ones (without time, with it, or both), then with time the timed ones."""
    drawn = []
    for with_time in {"plain": (False,), "time": (True,), "all": (False, True)}[kind]:
        drawn += [(i, brute_force(i) is not None) for i in _tiny_instances(seeds, with_time)]
    if kind != "plain":
        timed = (random_timed_instance(seed, priced=seed % 2 == 1) for seed in seeds)
        drawn += [(i, brute_force_time(i) is not None) for i in timed]
    return drawn


def infeasible_instances(seeds: range, kind: str) -> list[Instance]:
    """The instances of ``seeds`` of ``kind`` that their brute force proves infeasible."""
    return [instance for instance, has_plan in oracle_instances(seeds, kind) if not has_plan]


def sized_instances(seeds: range, kind: str, n_dcs: int) -> list[Instance]:
    """The instances of ``seeds`` of ``kind`` drawn with ``n_dcs`` DCs, with no brute force to sort them."""
    drawn = []
    for with_time in {"plain": (False,), "time": (True,), "all": (False, True)}[kind]:
        drawn += _tiny_instances(seeds, with_time, n_dcs)
    if kind != "plain":
        drawn += [random_timed_instance(seed, n_dcs, priced=seed % 2 == 1) for seed in seeds]
    return drawn


def _tiny_instances(seeds: range, with_time: bool, n_dcs: int | None = None) -> list[Instance]:
    """``random_tiny_instance`` of every seed the data layer accepts (a draw it refuses is skipped)."""
    drawn = []
    for seed in seeds:
        try:
            drawn.append(random_tiny_instance(seed, n_dcs, costs=seed % 2 == 1, time=with_time))
        except InputError:
            continue
    return drawn


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
    parser.add_argument("--kind", choices=KINDS, default="plain", help="instances without time, with time, or both")
    parser.add_argument("--dcs", type=int, help="every instance drawn with this many DCs (no brute force)")
    args = parser.parse_args()
    seeds = seed_range(args.seeds)
    engines = args.engines.split(",")
    if args.dcs is None:
        instances = infeasible_instances(seeds, args.kind)
        drawn = f"{len(instances)} infeasible by brute force"
    else:
        instances = sized_instances(seeds, args.kind, args.dcs)
        drawn = f"{len(instances)} instances of {args.dcs} DCs, feasible or not"
    print(f"seeds {seeds.start}-{seeds.stop - 1}, kind {args.kind}: {drawn}; time limit {args.time_limit:g} s\n")
    print("| instance | objective | engine | status | time (s) |")
    print("|---|---|---|---|---:|")
    proven = dict.fromkeys(engines, 0)
    optimal = dict.fromkeys(engines, 0)
    times: dict[str, list[float]] = {engine: [] for engine in engines}
    for instance in instances:
        for engine in engines:
            status, seconds = measure(engine, instance, args.time_limit)
            proven[engine] += status == "infeasible"
            optimal[engine] += status == "optimal"
            times[engine].append(seconds)
            print(
                f"| {instance.name}{' (time)' if instance.has_time else ''} | {instance.objective} | {engine} | {status} | {seconds:.2f} |",
                flush=True,
            )
    print("\n| engine | proven infeasible | proven optimal | median (s) | worst (s) | total (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for engine in engines:
        spent = times[engine] or [0.0]
        print(
            f"| {engine} | {proven[engine]} of {len(instances)} | {optimal[engine]} | {statistics.median(spent):.2f} "
            f"| {max(spent):.2f} | {sum(spent):.1f} |"
        )


if __name__ == "__main__":
    main()
