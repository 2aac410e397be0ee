"""The pricing tests' oracle: every feasible route of a class by the checker, priced under random duals (and
random subset-row cuts)."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
from bruteforce import random_tiny_instance
from random_instances import random_side_instance

from milp_milkrun.checker import check_plan
from milp_milkrun.implied import VehicleClass, vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.plan import Plan, Route
from milp_milkrun.routes.networks import ClassNetwork, class_networks, ng_masks
from milp_milkrun.routes.subset_rows import SubsetRowCut, subset_row_penalties

INSTANCES = [("tiny", s) for s in range(10)] + [("side", s) for s in range(10)]  # (generator, seed)


def pricing_instance(kind: str, seed: int) -> Instance:
    """The instance of an :data:`INSTANCES` entry: a tiny one, or one with every side constraint."""
    return random_tiny_instance(seed) if kind == "tiny" else random_side_instance(seed)


def feasible_routes(instance: Instance, vc: VehicleClass) -> list[tuple[int, ...]]:
    """Every route a vehicle of the class may drive, by the checker (coverage of other DCs aside)."""
    routes = []
    nodes = sorted(vc.nodes)
    for size in range(1, len(nodes) + 1):
        for order in itertools.permutations(nodes, size):
            stops = tuple(instance.node_ids[i] for i in order)
            report = check_plan(instance, Plan((Route(vc.vehicles[0], stops),)))
            if all(_elsewhere(instance, stops, v) for v in report.violations):
                routes.append(order)
    return routes


def _elsewhere(instance: Instance, stops: tuple[str, ...], violation) -> bool:
    """A violation about DCs this route does not visit: another route's business."""
    if violation.equation == "3,4":
        return "not visited" in violation.message
    if violation.equation == "10":
        pair = next(
            (a, b) for a, b in instance.consecutive if violation.message.startswith(f"{b} must immediately follow {a},")
        )
        return not set(pair) & set(stops)
    return False


def reduced_cost(instance: Instance, order: tuple[int, ...], pi: np.ndarray, start: float) -> float:
    """The route hub -> ``order`` -> hub priced directly: ``start`` plus each arc's distance less its head's dual."""
    path = (0, *order, 0)
    return start + sum(instance.distance[a, b] - pi[b] for a, b in itertools.pairwise(path))


def random_duals(instance: Instance, seed: int) -> tuple[np.ndarray, float]:
    """Random duals of the DCs (up to 1.6 times the longest arc: many routes price out) and of a route's start."""
    rng = random.Random(seed)
    scale = float(instance.distance.max())
    pi = np.array([0.0] + [rng.uniform(0, 1.6 * scale) for _ in range(instance.n_dcs)])
    return pi, rng.uniform(0, 0.5 * scale)


def elementary_network(net: ClassNetwork) -> ClassNetwork:
    """``net`` with ng-neighbourhoods as large as the instance: its pricing is elementary."""
    n = len(net.load)
    return ClassNetwork(
        net.distance,
        net.allowed,
        net.load,
        net.capacity,
        net.max_stops,
        net.resources,
        ng_masks(net.distance, size=n),
    )


def random_cuts(
    n_dcs: int, seed: int, count: int = 6, *, memory: bool = False, size: int = 3, thirds: bool = False
) -> tuple[list[SubsetRowCut], np.ndarray]:
    """Random cuts of ``size`` DCs and duals; ``memory``: each with a random limited memory (its members and some
    other DCs); ``thirds``: every other cut of denominator 3, its first member doubled or not at random (the pricing
    charges any weights; cuts of halves between them, so that both share the words)."""
    rng = random.Random(seed)
    sets = list(itertools.combinations(range(1, n_dcs + 1), size))
    chosen = rng.sample(sets, min(count, len(sets)))
    cuts = []
    for c, t in enumerate(chosen):
        memory_of = frozenset(v for v in range(1, n_dcs + 1) if v in t or rng.random() < 0.3) if memory else None
        third = thirds and c % 2 == 0
        doubled = frozenset(t[:1]) if third and rng.random() < 0.5 else frozenset()
        cuts.append(SubsetRowCut(frozenset(t), memory_of, 3 if third else 2, doubled))
    return cuts, np.array([-rng.uniform(0, 60) for _ in chosen])


def cut_penalty(stops: tuple[int, ...], cuts: list[SubsetRowCut], sigma: np.ndarray) -> float:
    """What a route pays the cuts by their definition: -sigma_c times the cut's coefficient."""
    return sum(-float(s) * cut.coefficient(0, stops) for cut, s in zip(cuts, sigma))


def _true_minimum(instance, vc, pi: np.ndarray, start: float, cuts: list[SubsetRowCut], sigma: np.ndarray) -> float:
    """min(0, least reduced cost over the class's feasible routes, the cut penalties included)."""
    costs = [
        start
        + sum(instance.distance[a, b] - pi[b] for a, b in itertools.pairwise((0, *r, 0)))
        + cut_penalty(r, cuts, sigma)
        for r in feasible_routes(instance, vc)
    ]
    return min([0.0, *costs])


def pricing_mismatches(
    price_fn, *, elementary: bool = True, memory: bool = False, size: int = 3, thirds: bool = False, count: int = 6
) -> list[tuple[str, int, float, float]]:
    """(kind, seed, priced, true) of every class whose exact pricing misses the oracle's minimum (``memory``:
    cuts with limited memories, charged by the oracle as their coefficients say; ``size``: DCs per cut; ``thirds``:
    every other cut of thirds; ``count``: cuts)."""
    wrong = []
    for kind, seed in INSTANCES:
        instance = pricing_instance(kind, seed)
        pi, start = random_duals(instance, seed)
        cuts, sigma = random_cuts(instance.n_dcs, seed, count, memory=memory, size=size, thirds=thirds)
        rows = subset_row_penalties(cuts, sigma, instance.n_dcs + 1)
        classes = vehicle_classes(instance)
        for vc, net in zip(classes, class_networks(instance, classes)):
            net = elementary_network(net) if elementary else net
            found = price_fn(net, instance.distance - pi[None, :], start, rows)
            truth = _true_minimum(instance, vc, pi, start, cuts, sigma)
            if elementary and not math.isclose(found.minimum, truth, abs_tol=1e-6):
                wrong.append((kind, seed, found.minimum, truth))
            if not elementary and found.minimum > truth + 1e-6:
                wrong.append((kind, seed, found.minimum, truth))
            for route in found.routes:  # every route's reported reduced cost is its true one
                true_cost = start + sum(
                    instance.distance[a, b] - pi[b] for a, b in itertools.pairwise((0, *route.stops, 0))
                )
                if not math.isclose(
                    route.reduced_cost, true_cost + cut_penalty(route.stops, cuts, sigma), abs_tol=1e-6
                ):
                    wrong.append((kind, seed, route.reduced_cost, true_cost))
    return wrong
