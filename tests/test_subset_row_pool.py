"""The master's pool of subset-row cuts: slack cuts leave it, the bookkeeping of its rows stays right.

A master whose cuts were removed must be the master built from scratch with the cuts left: the same
HiGHS matrix, row bounds and costs, and so the same LP value (a deliberately wrong removal is caught by
that comparison).  A cut whose dual is negative never leaves; the pricing carries at most one word of
cuts per int64 word, and charges each route what the cuts' coefficients say with more than one word.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import replace

import highspy
import numpy as np
import pytest
from bruteforce import random_tiny_instance
from pricing_oracle import INSTANCES, elementary_network, feasible_routes, pricing_instance, random_duals
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.io import load_instance
from milp_milkrun.routes.bidirectional import by_load, by_stops, price_bidirectionally
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.master import ArcSetRow, MasterRow, RouteMaster
from milp_milkrun.routes.master_lp import solve_lp
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import price
from milp_milkrun.routes.separation import CapacityCut
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.subset_rows import (
    CUTS_PER_WORD,
    SubsetRowCut,
    SubsetRowPenalties,
    route_penalty,
    subset_row_penalties,
)

N_DCS = 6


def _routes(seed: int) -> list[tuple[int, ...]]:
    rng = random.Random(seed)
    singles = [(i,) for i in range(1, N_DCS + 1)]  # the LP can always cover every DC
    return singles + sorted({tuple(rng.sample(range(1, N_DCS + 1), rng.randint(2, 4))) for _ in range(30)})


def _rows(seed: int) -> list[MasterRow]:
    """Capacity cuts between random subset-row cuts (with and without a memory): removals inside the rows."""
    rng = random.Random(seed)
    triples = rng.sample(list(itertools.combinations(range(1, N_DCS + 1), 3)), 8)
    cuts: list[MasterRow] = [
        SubsetRowCut(frozenset(t), frozenset(t) | {rng.randint(1, N_DCS)} if rng.random() < 0.5 else None)
        for t in triples
    ]
    cuts.insert(3, CapacityCut(frozenset({1, 2}), 1))
    cuts.insert(7, CapacityCut(frozenset({3, 4, 5}), 1))
    return cuts


def _add(master: RouteMaster, rows: list[MasterRow]) -> None:
    for row in rows:
        if isinstance(row, CapacityCut):
            master.add_cut(row)
        else:
            assert isinstance(row, SubsetRowCut)
            master.add_subset_row(row)


def _dense(h: highspy.Highs) -> np.ndarray:
    lp = h.getLp()
    matrix = np.zeros((lp.num_row_, lp.num_col_))
    a = lp.a_matrix_
    start, index, value = np.array(a.start_), np.array(a.index_), np.array(a.value_)
    colwise = a.format_ == highspy.MatrixFormat.kColwise
    for outer in range(len(start) - 1):
        for k in range(start[outer], start[outer + 1]):
            matrix[(index[k], outer) if colwise else (outer, index[k])] = value[k]
    return matrix


def _differences(master: RouteMaster, rows: list[MasterRow]) -> list[str]:
    """How ``master`` differs from a master built from scratch with its columns and ``rows``."""
    rebuilt = RouteMaster(master.instance)
    _add(rebuilt, rows)
    for column in master.columns:
        rebuilt.add(column.vehicle_class, column.stops)
    out = [] if master.rows == rows else ["rows"]
    a, b = master.highs.getLp(), rebuilt.highs.getLp()
    for name in ("row_lower_", "row_upper_", "col_cost_"):
        if not np.array_equal(np.array(getattr(a, name)), np.array(getattr(b, name))):
            out.append(name)
    if out or not np.array_equal(_dense(master.highs), _dense(rebuilt.highs)):
        return [*out, "matrix"]
    if (master.row_lower, master.row_upper) != (rebuilt.row_lower, rebuilt.row_upper):
        out.append("row bounds")
    solved, fresh = solve_lp(master, 30.0), solve_lp(rebuilt, 30.0)
    assert solved is not None and fresh is not None
    if not np.isclose(solved.value, fresh.value, atol=1e-6):
        out.append(f"LP value {solved.value} != {fresh.value}")
    return out


def _removal_differences(seed: int) -> list[str]:
    """Cuts removed from a master (columns before and after), compared with the master rebuilt without them."""
    instance = random_tiny_instance(seed, n_dcs=N_DCS)
    routes, rows = _routes(seed), _rows(seed)
    master = RouteMaster(instance)
    half = len(routes) // 2
    for stops in routes[:half]:
        master.add(0, stops)
    _add(master, rows)
    subset = [p for p, row in enumerate(rows) if isinstance(row, SubsetRowCut)]
    gone = random.Random(seed).sample(subset, 3)
    master.remove_subset_rows(gone)
    for stops in routes[half:]:  # their entries must land on the rows left
        master.add(0, stops)
    return _differences(master, [row for p, row in enumerate(rows) if p not in gone])


@pytest.mark.parametrize("seed", range(6))
def test_a_master_after_removals_is_the_master_built_without_the_cuts(seed: int) -> None:
    assert _removal_differences(seed) == []


def test_a_removal_that_forgets_the_cover_and_fleet_rows_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(self: RouteMaster, positions: list[int]) -> None:  # HiGHS row = position, not after the fixed rows
        gone = sorted(positions)
        self.highs.deleteRows(len(gone), np.array(gone, dtype=np.int32))
        self.rows = [row for p, row in enumerate(self.rows) if p not in gone]
        self.row_lower = [b for p, b in enumerate(self.row_lower) if p not in gone]
        self.row_upper = [b for p, b in enumerate(self.row_upper) if p not in gone]

    monkeypatch.setattr(RouteMaster, "remove_subset_rows", wrong)
    assert all(_removal_differences(seed) for seed in range(3))


def test_only_subset_row_cuts_leave_and_never_from_before_a_branching_row() -> None:
    instance = random_tiny_instance(0, n_dcs=N_DCS)
    master = RouteMaster(instance)
    rows = _rows(0)
    _add(master, rows)
    with pytest.raises(ValueError, match="only subset-row cuts"):
        master.remove_subset_rows([3])  # the capacity cut
    master.add_branch_row(ArcSetRow(frozenset({(1, 2), (2, 1)})))
    with pytest.raises(ValueError, match="branching row"):
        master.remove_subset_rows([0])


def _cut_duals(master: RouteMaster) -> dict[frozenset[int], float]:
    first = master.n_dcs + len(master.classes)
    duals = np.array(master.highs.getSolution().row_dual)[first:]
    return {row.members: float(d) for row, d in zip(master.rows, duals) if isinstance(row, SubsetRowCut)}


def _slack_cuts(master: RouteMaster, n_dcs: int, count: int) -> list[SubsetRowCut]:
    """The first ``count`` cuts of three DCs that no route of the LP visits twice (slack at its solution)."""
    used = [c.stops for c, v in zip(master.columns, master.route_values()) if v > 1e-6]
    return [
        SubsetRowCut(frozenset(t))
        for t in itertools.combinations(range(1, n_dcs + 1), 3)
        if all(SubsetRowCut(frozenset(t)).coefficient(0, r) == 0 for r in used)
    ][:count]


@needs_cvrplib
def test_a_cut_with_a_negative_dual_never_leaves_and_removing_slack_ones_keeps_the_lp() -> None:
    # P-n16-k8's root needs a subset-row cut (tests/test_subset_row.py); a cut no LP route visits twice is slack
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    cg = ColumnGeneration(instance, time.perf_counter() + 120, subset_rows=True)
    cg.run()
    master = cg.master
    slack = _slack_cuts(master, instance.n_dcs, 4)
    for cut in slack:
        master.add_subset_row(cut)
    value = solve_lp(master, 30.0)
    assert value is not None
    binding = {members for members, dual in _cut_duals(master).items() if dual < -1e-9}
    assert binding  # the root's cut is tight with a negative dual
    master.note_slack_subset_rows(0.05)
    assert master.remove_slack_subset_rows(100, 2) == 0  # slack for one round only
    master.note_slack_subset_rows(0.05)
    removed = master.remove_slack_subset_rows(100, 2)
    left = {row.members for row in master.subset_rows}
    assert removed >= len(slack) and binding <= left
    assert not {cut.members for cut in slack} & left
    again = solve_lp(master, 30.0)
    assert again is not None and again.value == pytest.approx(value.value, abs=1e-6)


@needs_cvrplib
def test_a_full_pool_makes_room_by_removing_slack_cuts_only() -> None:
    # P-n16-k8's root without subset-row cuts violates one; a pool full of slack cuts gives way to it
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    cg = ColumnGeneration(instance, time.perf_counter() + 120)
    cg.run()
    master = cg.master
    slack = _slack_cuts(master, instance.n_dcs, 3)
    for cut in slack:
        master.add_subset_row(cut)
    assert solve_lp(master, 30.0) is not None
    master.note_slack_subset_rows(0.05)
    assert master.separate_subset_rows(pool=3, slack_rounds=2) == []  # slack one round only: no room
    assert master.subset_rows == slack
    master.note_slack_subset_rows(0.05)
    found = master.separate_subset_rows(pool=3, slack_rounds=2)
    assert found and len(master.subset_rows) + len(found) <= 3
    assert master.removed_subset_rows == 3 - len(master.subset_rows) >= len(found)


@needs_cvrplib
def test_a_small_pool_keeps_its_size_and_the_bound_below_the_optimum() -> None:
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    settings = replace(RouteSettings(), max_subset_rows=1, subset_row_slack_rounds=1)
    cg = ColumnGeneration(instance, time.perf_counter() + 120, subset_rows=True, settings=settings)
    cg.run()
    assert len(cg.master.subset_rows) <= 1
    assert cg.bound <= cvrplib_optimum("P-n16-k8") + 1e-6
    assert _differences(cg.master, list(cg.master.rows)) == []


def _many_cuts(n_dcs: int, seed: int, count: int = 2 * CUTS_PER_WORD + 3) -> tuple[list[SubsetRowCut], np.ndarray]:
    """More cuts than one parity word holds, with random limited memories (a triple may recur: other memory)."""
    rng = random.Random(seed)
    triples = list(itertools.combinations(range(1, n_dcs + 1), 3))
    cuts = [
        SubsetRowCut(frozenset(t), frozenset(v for v in range(1, n_dcs + 1) if v in t or rng.random() < 0.3))
        for t in (rng.choice(triples) for _ in range(count))
    ]
    return cuts, np.array([-rng.uniform(0, 3) for _ in cuts])


def _charged(stops: tuple[int, ...], cuts: list[SubsetRowCut], sigma: np.ndarray) -> float:
    """What the cuts charge the route, from their coefficients alone."""
    return sum(-s * cut.coefficient(0, stops) for cut, s in zip(cuts, sigma))


@pytest.mark.parametrize("seed", range(4))
def test_the_pricing_charges_more_cuts_than_a_word_as_their_coefficients_say(seed: int) -> None:
    rng = random.Random(seed)
    cuts, sigma = _many_cuts(15, seed, count=3 * CUTS_PER_WORD + 5)
    rows = subset_row_penalties(cuts, sigma, 16)
    assert rows is not None and rows.count == len(cuts) and rows.cuts_of.shape == (16, 4)
    for _ in range(200):
        stops = tuple(rng.randint(1, 15) for _ in range(rng.randint(1, 14)))
        assert route_penalty(stops, rows) == pytest.approx(_charged(stops, cuts, sigma))
    assert [sorted(rows.nodes_of(c)) for c in range(len(cuts))] == [sorted(cut.members) for cut in cuts]


def _monodirectional(net, arc_cost, start, rows):
    return price(net, arc_cost, start, exact=True, max_routes=10, subset_rows=rows)


def _mismatches(price_fn=_monodirectional) -> list[tuple[str, int, float, float]]:
    """(kind, seed, priced, true) of every class whose exact elementary pricing ``price_fn`` under more cuts than
    a word misses the least reduced cost over its feasible routes, the cuts charged by their coefficients."""
    wrong = []
    for kind, seed in INSTANCES[::3]:
        instance = pricing_instance(kind, seed)
        pi, start = random_duals(instance, seed)
        cuts, sigma = _many_cuts(instance.n_dcs, seed)
        rows = subset_row_penalties(cuts, sigma, instance.n_dcs + 1)
        classes = vehicle_classes(instance)
        for vc, net in zip(classes, class_networks(instance, classes)):
            found = price_fn(elementary_network(net), instance.distance - pi[None, :], start, rows)
            truth = min(
                [0.0]
                + [
                    start
                    + sum(instance.distance[a, b] - pi[b] for a, b in itertools.pairwise((0, *r, 0)))
                    + _charged(r, cuts, sigma)
                    for r in feasible_routes(instance, vc)
                ]
            )
            if not np.isclose(found.minimum, truth, atol=1e-6):
                wrong.append((kind, seed, found.minimum, truth))
    return wrong


def test_exact_pricing_with_more_cuts_than_a_word_finds_the_true_minimum() -> None:
    assert _mismatches() == []


@pytest.mark.parametrize("rule", [by_load, by_stops])
def test_bidirectional_pricing_with_more_cuts_than_a_word_finds_the_true_minimum(rule) -> None:
    """The join's crossing penalties over a row of parity words (both halves odd in a cut of a later word)."""

    def bidirectional(net, arc_cost, start, rows):
        return price_bidirectionally(net, arc_cost, start, max_routes=10, subset_rows=rows, rule=rule(net))

    assert _mismatches(bidirectional) == []


def test_a_pricing_that_charges_only_the_first_word_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    paid = SubsetRowPenalties.paid

    def first_word_only(self: SubsetRowPenalties, bits: np.ndarray) -> np.ndarray:
        bits = np.array(bits, dtype=np.int64)
        bits[..., 1:] = 0
        return paid(self, bits)

    monkeypatch.setattr(SubsetRowPenalties, "paid", first_word_only)
    assert _mismatches()
