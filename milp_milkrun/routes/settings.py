"""The route engine's tuning: one frozen settings object, carried by ``SolveOptions.routes``.

Every figure here steers how fast the engine gets to its plan and bound, never whether they are right:
each bound stays certified and each plan checked whatever the settings. Tests and benchmarks pass a
:class:`RouteSettings` (``dataclasses.replace(RouteSettings(), subset_rows=True)``); nothing patches a
module. This module imports nothing from the package, so that :mod:`milp_milkrun.options` may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from milp_milkrun.limits import SOLVER_TOLERANCE


@dataclass(frozen=True)
class RouteSettings:
    """How the route engine spends its time: the defaults are the measured ones (docs/benchmarks.md).

    Shares are of the run's whole time limit.
    """

    # ----- column generation (routes/column_generation.py)
    routes_per_class: int = 60  # columns added per class and iteration
    max_cut_rounds: int = 25  # capacity-cut separation rounds at most (each after the LP converged over all routes)
    tailing_off: float = 1e-4  # stop separating when a round raised the LP by less than this share
    # price at the master's central duals (interior point, no crossover) before its vertex duals once the LP value
    # has not moved for this many iterations (0: always; None: never): against the degenerate masters of long
    # routes (routes/master_lp.py, central_duals), where the LP sits at the start plan's value
    central_duals_after: int | None = 3
    # a start plan's routes enter the root's master at once on instances with fewer DCs than this, on larger ones
    # without time at the end of the root's first run: golden_19 FSMF's LP sat at its start's value for 60 s, then its
    # exact pricing ran for minutes at the duals reached (5.42% at 600 s; without them in the root's LP: converged at
    # 415 s; 0.17-0.24% at 600 s), while ecom74 took another path through its tree without them (proven in 29-36 s, not 17-20 s);
    # with time no gain was seen (Solomon R203 with 100 customers: no bound of its own either way; R104 not proven in
    # 582 s under load 3, proven in 473 s before under load 2)
    start_routes_below: int = 100
    # the exact pricing labels from both ends of a route and joins in the middle: always, never, or (None) where routes
    # are long (routes/bidirectional.py, runs_bidirectionally; never with a load term, a shift or a cost per hour,
    # whose costs do not reverse)
    bidirectional: bool | None = None
    # past its narrowest, the heuristic pricing skips a width whose last try created more labels than the class's last
    # exact pricing (A-n80-k10's tree: 350,000-400,000 a wide try, 0.6 s; 8,800 an exact pricing, 0.19 s:
    # routes/pricing_work.py); counted in labels, so the search's path follows the seed, never the machine's load
    skip_costly_widths: bool = True
    # ----- subset-row cuts
    subset_rows: bool | None = None  # at the root: always, never, or (None) when its gap asks for them ...
    # ... the converged root's bound more than this share below the plan (they double a root's time: ecom74, 1.1%,
    # and E-n51-k5, 0.7%, are proven faster without; golden_14 FSMD, 2.3%, only with them)
    subset_row_root_gap: float = 0.015
    # ... that share with time: any gap (R204 with 50 customers, 1.4% at its root: without them its tree branched on
    # its vehicle count and stayed open at 600 s, 499.5 / 506.4; with them the root closed it, proven in 541.8 s)
    subset_row_root_gap_with_time: float = 0.0
    # ... and when the tree without them has not closed the gap within this share of the time (B-n63-k10's root, 0.4%
    # below PyVRP's near-best start, skipped them: open at 600 s, proven in 52 s with them)
    subset_row_tree_share: float = 0.25
    # ... or this many seconds if sooner: a longer limit should not wait longer for them (X-n106-k14 with an hour:
    # 0.44% when its tree waited 15 minutes for them, 0.30% with them after 150 s)
    subset_row_tree_seconds: float = 150.0
    # subset-row cuts over five DCs besides three (routes/subset_rows.py): they raise B-n68-k9's root LP (1,267.33 ->
    # 1,267.71 in the pool of 150) but not its proof (1,272 / 1,269 at 600 s either way); at 600 s B-n66-k9 took 297.7 s
    # against 465.6, A-n64-k9 128.7 against 109.6, and the other 40 were not re-run with this rule: asked for, for now
    five_dc_subset_rows: bool = False
    # the rank-1 cuts of multipliers 1/3 besides (routes/subset_rows.py): five DCs of 1/3, four of 2/3, 1/3, 1/3, 1/3;
    # with the five-DC cuts at 600 s B-n66-k9 took 267.6 s against 528.7, A-n64-k9 185.5 against 93.4, and B-n68-k9
    # stayed at 1,272 / 1,269: asked for, for now
    subset_rows_of_thirds: bool = False
    max_subset_row_rounds: int = 8  # subset-row separation rounds at most (after the capacity cuts)
    # the master holds at most this many subset-row cuts; the pricing carries those with a negative dual, 63 per
    # int64 word of its parity resource (routes/subset_rows.py); A-n54-k7's root: 1158 with 63 (one word), 1161 with 150
    max_subset_rows: int = 150
    # a cut whose dual was 0 and whose row stayed below 1 by more than subset_row_slack for this many separation
    # rounds in a row may leave the master when a round needs room for new cuts (it may be separated again)
    subset_row_slack_rounds: int = 2
    subset_row_slack: float = 0.05
    # ----- the tree's time (routes/tree.py)
    root_share: float = 0.85  # the root's column generation may use this share (the rest: a plan from its routes)
    root_mip_share: float = 0.1  # once the root converged or its share ran out, the MIP over its routes may use this
    # a root still open after its share and that MIP goes on with its column generation until this share is left, for
    # a last MIP over its routes (P-n76-k4's root did not converge in 85% of 600 s and its MIP ended in seconds)
    open_root_mip_share: float = 0.05
    # a root still open after its share: a relaxation's bound (BranchAndPrice.relaxed_bound) may use this share, where
    # the column generation has none (R203 with 100 customers: none in 600 s; golden_19 FSMF's strong formulation
    # bounds 6,633 at 25 s, 8,192 at 30 s once HiGHS's MIP has its root cuts: 5% of 600 s fell short under load) ...
    relaxed_bound_share: float = 0.1
    # ... or one more than this share below the plan (R211 with 100 customers: 534.5, 29%; the relaxation gives
    # 646.8); a root closer keeps the time for its own column generation (R108: 1.5%, the relaxation far below)
    relaxed_bound_gap: float = 0.05
    mip_every: int = 10  # every this many nodes, a MIP over the routes generated so far (within the node's rows)
    node_mip_share: float = 0.04  # ... for this share of the time
    # ----- the heuristic again, for a plan to prune with (the start is often one or two above the optimum)
    # the start's search again with the next seed (its budget, at most the time left) after this many nodes of a tree
    # still open, then after heuristic_growth times as many ..., its routes into the pool and a MIP over all routes:
    # A-n62-k8's start (seed 20230718) costs 1,290, seeds 1, 2 and 5 of 1-5 find the optimum 1,288
    heuristic_first_node: int = 1
    heuristic_growth: int = 4
    heuristic_restarts: int = 3  # ... at most this many times (0: never)
    # ----- route enumeration at a node
    # the enumeration of a class gives up past this many labels: E-n76-k7, open at 600 s with 1,000,000 (its nodes'
    # enumerations gave up on labels), is proven with this many (within 1.3-1.7 of L: 1,800-2,800 routes, 15-19 s)
    enumeration_labels: int = 4_000_000
    # ... and past this many routes (all classes): B-n66-k9's root after its cuts lists 10,946 within its gap, which
    # the pool search settles in 69 LPs (with 6,000 its tree stayed open at 600 s)
    enumeration_routes: int = 20_000
    enumeration_first_gap: float = 0.01  # first gap to enumerate within, as a share of the bound
    enumeration_shrink: float = 0.6  # after an enumeration that could not settle or bound its node, the next gap cap
    enumeration_grow: float = 1.25  # ... after one that could
    enumeration_stretch: float = (
        1.5  # a node may enumerate within this multiple of the cap (to beat the bound it inherited) ...
    )
    enumeration_widen_routes: int = 3_000  # ... or within any gap once an enumeration there listed fewer routes
    enumeration_share: float = 0.1  # the labelling of one enumeration may use this share of the time ...
    enumeration_search_share: float = 0.1  # ... and the search over the enumerated routes this share
    # ----- strong branching
    strong_candidates: int = 8  # edges (the most fractional flows) whose two branches strong branching compares
    strong_lp_seconds: float = 2.0  # time limit of one branch's LP in strong branching
    strong_reserve: float = 0.02  # no strong branching once less than this share of the time is left
    strong_epsilon: float = SOLVER_TOLERANCE  # relative: the least rise a branch counts with in the product score


def with_overrides(settings: RouteSettings, pairs: list[str]) -> RouteSettings:
    """``settings`` with ``name=value`` pairs applied (benchmarks' ``--setting``): a bool field takes
    on/off/true/false, a field that may be None takes none, the others their default's type.

    Parameters
    ----------
    settings : RouteSettings
        The settings to start from.
    pairs : list[str]
        ``name=value`` strings naming fields of :class:`RouteSettings`.

    Returns
    -------
    RouteSettings
        The new settings.

    Raises
    ------
    ValueError
        For a pair without ``=``, an unknown field or a value its type does not take.
    """
    kinds = {f.name: type(getattr(settings, f.name)) for f in fields(settings)}
    changes: dict[str, object] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or name not in kinds:
            raise ValueError(f"setting {pair!r}: expected name=value with a name of RouteSettings ({', '.join(kinds)})")
        changes[name] = _value(name, text.strip().lower(), kinds[name])
    return replace(settings, **changes)  # type: ignore[arg-type]


def _value(name: str, text: str, kind: type) -> object:
    if text == "none":
        return None
    if kind is bool or name in ("subset_rows", "bidirectional"):
        if text not in ("on", "off", "true", "false"):
            raise ValueError(f"setting {name}: expected on, off, true or false, got {text!r}")
        return text in ("on", "true")
    return kind(text)
