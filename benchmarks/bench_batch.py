"""Wall-clock of `milkrun batch` on a generated network: local pool and Dask LocalCluster, 1 and 2
workers, against solving the hubs one by one in this process (docs/benchmarks.md).

    python benchmarks/bench_batch.py --hubs 70 --dcs 3500 --seed 7 --time-limit 2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from milp_milkrun.batch import BatchOptions, load_hubs, run_batch
from milp_milkrun.batch.tasks import solve_hub

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", type=int, default=70)
    parser.add_argument("--dcs", type=int, default=3500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=2.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    subprocess.run(
        [
            sys.executable,
            str(REPO / "instances" / "generate.py"),
            "network",
            "--hubs",
            str(args.hubs),
            "--dcs",
            str(args.dcs),
            "--seed",
            str(args.seed),
            str(work / "net"),
        ],
        check=True,
        capture_output=True,
    )
    tasks = load_hubs(work / "net")
    options = BatchOptions(time_limit=args.time_limit)
    print(f"{len(tasks)} hubs, {args.dcs} DCs, seed {args.seed}, {args.time_limit:g} s per hub, model {options.model}")
    started = time.perf_counter()
    solver_seconds = sum(solve_hub(str(t.instance), options.__dict__)["result"]["runtime_s"] for t in tasks)
    one_by_one = time.perf_counter() - started
    print("| engine | workers | wall-clock s | speed-up vs one by one | overhead per hub s |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| one by one, in process | 1 | {one_by_one:.1f} | 1.00 | {(one_by_one - solver_seconds) / len(tasks):.2f} |"
    )
    for workers in (1, 2):
        wall = _timed(lambda workers=workers: run_batch(tasks, work / f"local{workers}", options, workers=workers))
        print(
            f"| local pool | {workers} | {wall:.1f} | {one_by_one / wall:.2f} | {(wall * workers - solver_seconds) / len(tasks):.2f} |"
        )
    from distributed import LocalCluster

    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            wall = _timed(
                lambda workers=workers: run_batch(
                    tasks, work / f"dask{workers}", options, scheduler=cluster.scheduler_address
                )
            )
        print(
            f"| Dask LocalCluster | {workers} | {wall:.1f} | {one_by_one / wall:.2f} | {(wall * workers - solver_seconds) / len(tasks):.2f} |"
        )
    print(f"(solver time summed over hubs: {solver_seconds:.1f} s; results under {work})")


def _timed(run: object) -> float:
    started = time.perf_counter()
    report = run()  # type: ignore[operator]
    assert not report.failed, report.failed
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
