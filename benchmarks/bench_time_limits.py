"""Overrun of every time-limited command, and how fast Ctrl-C is acted on, on instances/ecom74.json.

Each command runs as a user runs it (``milkrun ...`` in a subprocess, so Python start-up and imports
count); wall time is measured from launch to exit. The target is: every command ends within
max(2 s, 5%) of its limit, and Ctrl-C is acted on within 1 s in every phase, the best plan written.

    python benchmarks/bench_time_limits.py                 # limit 20 s, SIGINT at 3, 8, 13 s
    python benchmarks/bench_time_limits.py --limit 60 --sigint 3 12 30
    python benchmarks/bench_time_limits.py --parts sigint --sigint 1 3 6 9 12 16

Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from milp_milkrun.checker import check_plan
from milp_milkrun.io import load_instance, load_plan

REPO = Path(__file__).resolve().parents[1]
ECOM74 = REPO / "instances" / "ecom74.json"
MILKRUN = [sys.executable, "-c", "from milp_milkrun.cli import main; main()"]


def _ctrl_c_enabled() -> None:
    """In the child: Ctrl-C back to its default, which a shell's background job would have ignored
    (Python then installs no handler and the benchmark would measure nothing)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def commands(limit: float, plan: Path) -> list[tuple[str, list[str], float]]:
    """(label, arguments, the wall-clock limit the command promises)."""
    t = f"{limit:g}"
    return [
        ("solve (exact, HiGHS)", ["solve", str(ECOM74), "--time-limit", t, "--quiet"], limit),
        ("solve --model strong", ["solve", str(ECOM74), "--model", "strong", "--time-limit", t, "--quiet"], limit),
        ("solve --model routes", ["solve", str(ECOM74), "--model", "routes", "--time-limit", t, "--quiet"], limit),
        (
            "solve --backend pulp (CBC)",
            ["solve", str(ECOM74), "--backend", "pulp", "--time-limit", t, "--quiet"],
            limit,
        ),
        (
            "solve --backend pulp --solver highs",
            ["solve", str(ECOM74), "--backend", "pulp", "--solver", "highs", "--time-limit", t, "--quiet"],
            limit,
        ),
        ("heuristic", ["heuristic", str(ECOM74), "--time-limit", t], limit),
        ("check --bound", ["check", str(ECOM74), str(plan), "--bound", t], limit),
    ]


def timed(args: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    run = subprocess.run([*MILKRUN, *args], capture_output=True, text=True)
    return time.perf_counter() - started, run.returncode


def interrupted(after: float, limit: float) -> tuple[float, int, str]:
    """SIGINT ``after`` seconds into ``solve --time-limit LIMIT --output``: seconds until exit, code, plan verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan.json"
        proc = subprocess.Popen(
            [*MILKRUN, "solve", str(ECOM74), "--time-limit", f"{limit:g}", "--quiet", "--json", "--output", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_ctrl_c_enabled,
        )
        time.sleep(after)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate()
        if not stdout.strip():
            return time.perf_counter() - sent, proc.returncode, "no result printed"
        reacted = time.perf_counter() - sent
        if not out.exists():
            return reacted, proc.returncode, "no plan written"
        instance = load_instance(ECOM74)
        report = check_plan(instance, load_plan(out, instance))
        status = json.loads(stdout)["status"]
        return (
            reacted,
            proc.returncode,
            f"{status}, plan {report.objective:,.1f} km {'valid' if report.feasible else 'INVALID'}",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--sigint", type=float, nargs="*", default=[3.0, 8.0, 13.0])
    parser.add_argument("--parts", nargs="*", choices=["limits", "sigint"], default=["limits", "sigint"])
    args = parser.parse_args()
    if "limits" in args.parts:
        _limits(args.limit)
    if "sigint" in args.parts:
        _sigint(args.sigint)


def _limits(limit_s: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        subprocess.run(
            [*MILKRUN, "heuristic", str(ECOM74), "--time-limit", "5", "--output", str(plan)],
            capture_output=True,
            check=True,
        )
        print("| command | limit (s) | wall (s) | overrun (s) | allowed (s) | exit |")
        print("|---|---|---|---|---|---|")
        for label, argv, limit in commands(limit_s, plan):
            wall, code = timed(argv)
            allowed = max(2.0, 0.05 * limit)
            print(f"| `{label}` | {limit:g} | {wall:.1f} | {wall - limit:+.1f} | {allowed:.1f} | {code} |", flush=True)
    print()


def _sigint(times: list[float]) -> None:
    print("| Ctrl-C after (s) | acted on within (s) | exit | plan written |")
    print("|---|---|---|---|")
    for after in times:
        reacted, code, verdict = interrupted(after, 60.0)
        print(f"| {after:g} | {reacted:.2f} | {code} | {verdict} |", flush=True)


if __name__ == "__main__":
    main()
