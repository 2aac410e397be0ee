"""Fleet size and mix: the 12 Golden–Taillard instances in every variant bks.json lists.

Usage (from the repo root):
    nice -n 10 python benchmarks/bench_fleet.py heuristic [--time-limit 60] [--checkpoint 30] [--engine auto|own|pyvrp] [--instances 03 13] [--variants FSMF]
    nice -n 10 python benchmarks/bench_fleet.py exact [--time-limit 600] [--model routes] [--instances 03 13]
    python benchmarks/bench_fleet.py table --jsonl results.jsonl   # both kinds of run in one table
    nice -n 10 python benchmarks/bench_fleet.py root [--time-limit 180] [--instances 14] [--variants FSMF]  # root bounds only
    (exact and root take --subset-rows on|off: the route engine's subset-row cuts, default the engine's)

``heuristic`` runs ``solve_heuristic`` once per case for ``--time-limit`` seconds with ``--engine``
(default ``auto``, as ``milkrun heuristic``) and its progress log on, and reads from that log the
best cost logged by ``--checkpoint`` seconds (each line timed as it is written; a PyVRP round logs
its best when it ends, so the figure may lag); the log's figures are used only when its last best
equals the cost the checker recomputed for the final plan (else the row says so). ``exact`` runs ``solve(model=...)`` (heuristic start inside the limit, as the CLI does)
and reports the plan, the certified bound, the gap between them and the gap to the best-known value.
Every plan is re-verified by the independent checker (``make_result``). Prints Markdown rows as it
goes, then a summary; ``--jsonl FILE`` also appends one JSON record per case.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from milp_milkrun.heuristics import solve_heuristic  # noqa: E402
from milp_milkrun.heuristics.engine_settings import ENGINES, EngineSettings  # noqa: E402
from milp_milkrun.heuristics.metaheuristic import SearchParams  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.io import load_golden_taillard  # noqa: E402
from milp_milkrun.routes.column_generation import ColumnGeneration  # noqa: E402
from milp_milkrun.routes.settings import RouteSettings  # noqa: E402
from milp_milkrun.runtime.logs import show_log  # noqa: E402
from milp_milkrun.solve import DEFAULT_SEED, SolveOptions, SolveResult, solve  # noqa: E402

HFVRP = REPO / ".." / "shared" / "hfvrp"
LOG_ROUNDING = 5e-4 + 1e-9  # the progress log prints costs with 3 decimals
BEST = re.compile(r"\bbest ([0-9.eE+-]+)")  # the own search's progress lines and PyVRP's round lines


class TimedLog(io.TextIOBase):
    """A log stream that keeps each line with the seconds since it was opened."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        now = time.perf_counter() - self.started
        self.lines += [(now, line) for line in text.splitlines() if line.strip()]
        return len(text)


def cases(instances: list[str] | None, variants: list[str] | None) -> list[tuple[str, str, float, bool]]:
    """(instance number, variant, best-known value, proven optimal) of every case bks.json lists."""
    bks = json.loads((HFVRP / "bks.json").read_text())["instances"]
    out = []
    for name, entry in bks.items():
        number = name.split("_")[1]
        if instances and number not in instances:
            continue
        for variant, value in entry.items():
            if isinstance(value, dict) and (not variants or variant in variants):
                out.append((number, variant, float(value["value"]), bool(value["proven_optimal"])))
    return out


def load(number: str, variant: str) -> Instance:
    return load_golden_taillard(HFVRP / f"golden_{number}.json", variant)


def heuristic_case(
    instance: Instance, time_limit: float, checkpoint: float, seed: int, engine: str = "auto"
) -> dict[str, object]:
    """One heuristic run: its checked final cost and, from its progress log, its best cost at the checkpoint."""
    log = TimedLog()
    with show_log(log):  # type: ignore[arg-type]
        result = solve_heuristic(
            instance, time_limit=time_limit, seed=seed, log=True, params=SearchParams(engine=EngineSettings(engine))
        )
    progress = [(elapsed, float(m.group(1))) for elapsed, line in log.lines if (m := BEST.search(line))]
    at_checkpoint: float | None = None
    consistent = (
        bool(progress) and result.objective is not None and abs(progress[-1][1] - result.objective) <= LOG_ROUNDING
    )

    if consistent:
        before = [cost for elapsed, cost in progress if elapsed <= checkpoint]
        at_checkpoint = min(before) if before else None
    return _with_checked_final(
        {
            "final": result.objective,
            "at_checkpoint": at_checkpoint,
            "log_consistent": consistent,
            "runtime_s": result.runtime_s,
            "message": result.message,
            "engine": engine,
        }
    )


def _with_checked_final(record: dict[str, object]) -> dict[str, object]:
    """The log prints 3 decimals: a checkpoint value within that rounding of the final plan is that plan's checked cost."""
    if record["at_checkpoint"] is not None and abs(record["at_checkpoint"] - record["final"]) <= LOG_ROUNDING:  # type: ignore[operator]
        return {**record, "at_checkpoint": record["final"]}
    return record


def exact_case(
    instance: Instance, model: str, time_limit: float, seed: int, routes: RouteSettings | None = None
) -> SolveResult:
    options = SolveOptions(time_limit=time_limit, seed=seed, routes=routes or RouteSettings())
    return solve(instance, model=model, options=options)


def route_settings(args: argparse.Namespace) -> RouteSettings:
    """The route engine's settings: ``--subset-rows on|off`` forces the subset-row cuts, else the engine's default."""
    forced = getattr(args, "subset_rows", None)
    return RouteSettings() if forced is None else RouteSettings(subset_rows=forced == "on")


def gap_to(value: float | None, bks: float) -> float | None:
    return None if value is None else 100 * (value - bks) / bks


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return (
        "–" if value is None else f"{round(value, 2) + 0.0:+.2f}%"
    )  # + 0.0: no "-0.00%" for a plan 0.004 below a rounded BKS


def run_heuristic(args: argparse.Namespace) -> None:
    print(
        f"seed {args.seed}; heuristic --engine {args.engine}, {args.time_limit:g} s per case, best at {args.checkpoint:g} s read from its progress log"
    )
    print(f"| instance | n | variant | BKS | at {args.checkpoint:g} s | gap | at {args.time_limit:g} s | gap |")
    print("|---|---|---|---|---|---|---|---|")
    gaps: dict[str, list[float]] = {"checkpoint": [], "final": []}
    for number, variant, bks, proven in cases(args.instances, args.variants):
        instance = load(number, variant)
        record = heuristic_case(instance, args.time_limit, args.checkpoint, args.seed, args.engine)
        g30, g60 = gap_to(record["at_checkpoint"], bks), gap_to(record["final"], bks)  # type: ignore[arg-type]
        for key, g in (("checkpoint", g30), ("final", g60)):
            if g is not None:
                gaps[key].append(g)
        star = "*" if proven else ""
        print(
            f"| {number} | {instance.n_dcs} | {variant} | {bks:,.2f}{star} | {_num(record['at_checkpoint'])} | {_pct(g30)} "  # type: ignore[arg-type]
            f"| {_num(record['final'])} | {_pct(g60)} |",
            flush=True,
        )  # type: ignore[arg-type]
        _append(
            args.jsonl,
            {
                "kind": "heuristic",
                "instance": number,
                "variant": variant,
                "bks": bks,
                **record,
                "time_limit": args.time_limit,
                "checkpoint": args.checkpoint,
                "seed": args.seed,
            },
        )
    for key, label in (("checkpoint", f"{args.checkpoint:g} s"), ("final", f"{args.time_limit:g} s")):
        if gaps[key]:
            within = sum(g <= 1.0 + 1e-9 for g in gaps[key])
            print(
                f"\nat {label}: mean gap {statistics.mean(gaps[key]):+.2f}%, max {max(gaps[key]):+.2f}%, "
                f"{within}/{len(gaps[key])} within 1%, {sum(g <= 3.0 + 1e-9 for g in gaps[key])}/{len(gaps[key])} within 3%"
            )


def run_exact(args: argparse.Namespace) -> None:
    print(
        f"seed {args.seed}; solve --model {args.model}, {args.time_limit:g} s per case (heuristic start inside the limit)"
    )
    print("| instance | n | variant | BKS | plan | bound | certified gap | gap to BKS | status | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    proved = rows = invalid_bounds = 0
    for number, variant, bks, proven in cases(args.instances, args.variants):
        instance = load(number, variant)
        started = time.perf_counter()
        result = exact_case(instance, args.model, args.time_limit, args.seed, route_settings(args))
        wall = time.perf_counter() - started
        gap = None if result.gap is None else 100 * result.gap
        rows += 1
        proved += result.status == "optimal"
        star = "*" if proven else ""
        # a published value is the cost of a known plan: a bound above it (beyond its rounding) is wrong
        invalid = result.bound is not None and result.bound > bks + 0.01
        invalid_bounds += invalid
        status = f"{result.status} **(bound above BKS: invalid)**" if invalid else result.status
        print(
            f"| {number} | {instance.n_dcs} | {variant} | {bks:,.2f}{star} | {_num(result.objective)} | {_num(result.bound)} "
            f"| {'–' if gap is None else f'{gap:.2f}%'} | {_pct(gap_to(result.objective, bks))} | {status} | {wall:.0f} |",
            flush=True,
        )
        _append(
            args.jsonl,
            {
                "kind": "exact",
                "instance": number,
                "variant": variant,
                "bks": bks,
                "model": args.model,
                "objective": result.objective,
                "bound": result.bound,
                "gap": result.gap,
                "status": result.status,
                "wall_s": wall,
                "time_limit": args.time_limit,
                "seed": args.seed,
                "message": result.message,
            },
        )
    print(
        f"\n{proved}/{rows} proven optimal within {args.time_limit:g} s; {invalid_bounds} bound(s) above the best-known value"
    )
    if invalid_bounds:  # a bound above a known plan's value is a bug of the engine: fail the run
        sys.exit(f"{invalid_bounds} bound(s) above the best-known value: invalid")


def run_root(args: argparse.Namespace) -> None:
    """The root of the route engine only: column generation with cuts, seeded with a short heuristic plan."""
    print(
        f"seed {args.seed}; heuristic {args.heuristic:g} s, then the root column generation for at most {args.time_limit:g} s"
    )
    print("| instance | variant | BKS | root bound | converged | cuts | time (s) |")
    print("|---|---|---|---|---|---|---|")
    for number, variant, bks, proven in cases(args.instances, args.variants):
        instance = load(number, variant)
        start = solve_heuristic(instance, time_limit=args.heuristic, seed=args.seed).plan
        settings = route_settings(args)
        cg = ColumnGeneration(
            instance, time.perf_counter() + args.time_limit, subset_rows=settings.subset_rows is True, settings=settings
        )
        if start is not None:
            cg.master.add_plan(start)
        started = time.perf_counter()
        cg.run()
        bound = cg.bound if math.isfinite(cg.bound) else None
        print(
            f"| {number} | {variant} | {bks:,.2f}{'*' if proven else ''} | {_num(bound)} | {'yes' if cg.converged else 'no'} "
            f"| {len(cg.master.cuts)} | {time.perf_counter() - started:.0f} |",
            flush=True,
        )
        if bound is not None and bound > bks + 0.01:
            sys.exit(f"golden_{number} {variant}: root bound {bound} above the best-known value: invalid")


def run_table(args: argparse.Namespace) -> None:
    """One table from the records of earlier ``heuristic`` and ``exact`` runs (the last record of each case wins)."""
    heuristic: dict[tuple[str, str], dict] = {}
    exact: dict[tuple[str, str], dict] = {}
    for line in args.jsonl.read_text().splitlines():
        record = json.loads(line)
        (heuristic if record["kind"] == "heuristic" else exact)[(record["instance"], record["variant"])] = record
    h = next(iter(heuristic.values()), {})
    e = next(iter(exact.values()), {})
    print(
        f"| instance | n | variant | BKS | heuristic {h.get('checkpoint', 30):g} s | heuristic {h.get('time_limit', 60):g} s "
        f"| {e.get('model', 'routes')} {e.get('time_limit', 0):g} s: plan | bound | certified gap | gap to BKS | status |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for number, variant, bks, proven in cases(args.instances, args.variants):
        hr, er = heuristic.get((number, variant)), exact.get((number, variant))
        hr = _with_checked_final(hr) if hr else None
        if hr is None and er is None:
            continue
        n = json.loads((HFVRP / f"golden_{number}.json").read_text())["n_customers"]
        cells = [number, str(n), variant, f"{bks:,.2f}{'*' if proven else ''}"]
        cells += [_pct(gap_to(hr["at_checkpoint"], bks)), _pct(gap_to(hr["final"], bks))] if hr else ["", ""]
        if er:
            invalid = er["bound"] is not None and er["bound"] > bks + 0.01
            gap = "–" if er["gap"] is None else f"{100 * er['gap']:.2f}%"
            cells += [
                _num(er["objective"]),
                _num(er["bound"]),
                gap,
                _pct(gap_to(er["objective"], bks)),
                er["status"] + (" **(bound above BKS: invalid)**" if invalid else ""),
            ]
        else:
            cells += ["", "", "", "", ""]
        print("| " + " | ".join(cells) + " |")


def _append(path: Path | None, record: dict[str, object]) -> None:
    if path is not None:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, limit in (("heuristic", 60.0), ("exact", 600.0)):
        p = sub.add_parser(name)
        p.add_argument("--time-limit", type=float, default=limit)
        p.add_argument("--instances", nargs="+", help="numbers such as 03 13 (default: all 12)")
        p.add_argument("--variants", nargs="+", help="FSMF FSMD FSMFD HVRPFD HVRPD (default: all bks.json lists)")
        p.add_argument("--seed", type=int, default=DEFAULT_SEED)
        p.add_argument("--jsonl", type=Path, help="also append one JSON record per case to this file")
        p.add_argument(
            "--subset-rows",
            choices=["on", "off"],
            help="route engine: separate subset-row cuts at the root (default: the engine's)",
        )
    root = sub.add_parser("root", help="the route engine's root bound only (column generation with cuts)")
    root.add_argument("--time-limit", type=float, default=180.0)
    root.add_argument(
        "--heuristic", type=float, default=8.0, help="seconds of heuristic for the plan that seeds the master"
    )
    root.add_argument("--instances", nargs="+")
    root.add_argument("--variants", nargs="+")
    root.add_argument("--seed", type=int, default=DEFAULT_SEED)
    root.add_argument("--subset-rows", choices=["on", "off"], help="separate subset-row cuts (default: the engine's)")
    table = sub.add_parser("table", help="one Markdown table from the --jsonl records of earlier runs")
    table.add_argument("--jsonl", type=Path, required=True)
    table.add_argument("--instances", nargs="+")
    table.add_argument("--variants", nargs="+")
    sub.choices["heuristic"].add_argument("--checkpoint", type=float, default=30.0)
    sub.choices["heuristic"].add_argument(
        "--engine", choices=ENGINES, default="auto", help="the heuristic's engine (default: auto, as the CLI's)"
    )
    sub.choices["exact"].add_argument("--model", default="routes", choices=["routes", "auto", "strong", "exact"])
    args = parser.parse_args()
    if not HFVRP.is_dir():
        sys.exit(f"{HFVRP} is missing: the Golden–Taillard files are not available")
    {"heuristic": run_heuristic, "exact": run_exact, "root": run_root, "table": run_table}[args.command](args)


if __name__ == "__main__":
    main()
