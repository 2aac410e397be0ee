"""Property tests of the checker on random tiny instances with a brute-force optimal plan.

A feasible plan stays feasible (with the same total distance) under relabelling: renaming DCs
consistently, permuting vehicles of the same type, reversing routes when the matrix is symmetric and
no consecutive pair exists. Breaking any one rule is always caught with the rule's equation number.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from bruteforce import brute_force, random_tiny_instance
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict, instance_to_dict
from milp_milkrun.plan import Plan, Route

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
seeds = st.integers(min_value=0, max_value=400)


@functools.cache
def solved(seed: int) -> tuple[Instance, Plan] | None:
    """A random tiny instance and its brute-force optimal plan (None when it has no plan)."""
    instance = random_tiny_instance(seed)
    best = brute_force(instance)
    return None if best is None else (instance, best[1])


def feasible_case(seed: int) -> tuple[Instance, Plan]:
    case = solved(seed)
    assume(case is not None)
    assert case is not None
    instance, plan = case
    assert check_plan(instance, plan).feasible, "the brute-force oracle and the checker disagree"
    return instance, plan


def rebuilt(instance: Instance, change: Any) -> Instance:
    """The instance after ``change(data)`` edits its JSON form; edits that make it invalid or split a DC are skipped."""
    data = instance_to_dict(instance)
    change(data)
    try:
        changed = instance_from_dict(data)
    except InputError:
        assume(False)
        raise
    assume(not changed.splits)
    return changed


def equations(instance: Instance, plan: Plan) -> set[str]:
    return {v.equation for v in check_plan(instance, plan).violations}


# ----- relabelling keeps a feasible plan feasible ----------------------------------------------------
@SETTINGS
@given(seed=seeds, data=st.data())
def test_renaming_dcs_keeps_plan_feasible(seed: int, data: st.DataObject) -> None:
    instance, plan = feasible_case(seed)
    ids = [dc.id for dc in instance.dcs]
    new_ids = data.draw(st.permutations([f"X{k}" for k in range(len(ids))]))
    rename = dict(zip(ids, new_ids))
    order = data.draw(st.permutations(range(len(ids))))

    def change(doc: dict[str, Any]) -> None:
        doc["dcs"] = [{**doc["dcs"][k], "id": rename[doc["dcs"][k]["id"]]} for k in order]
        for entry in doc["forbidden"]:
            entry["dc"] = rename[entry["dc"]]
        doc["consecutive"] = [[rename[a], rename[b]] for a, b in doc["consecutive"]]
        doc["damaged_roads"] = [[rename.get(a, a), rename.get(b, b)] for a, b in doc["damaged_roads"]]

    renamed = rebuilt(instance, change)
    new_plan = Plan(tuple(Route(r.vehicle, tuple(rename[s] for s in r.stops)) for r in plan.routes))
    report = check_plan(renamed, new_plan)
    assert report.feasible
    assert report.objective == pytest.approx(check_plan(instance, plan).objective)


@SETTINGS
@given(seed=seeds, data=st.data())
def test_permuting_vehicles_of_a_type_keeps_plan_feasible(seed: int, data: st.DataObject) -> None:
    instance, plan = feasible_case(seed)
    assume(
        all(
            len({v for _, v in instance.forbidden if v.startswith(vt.name + "-")}) in (0, vt.count)
            for vt in instance.vehicle_types
        )
    )
    swap: dict[str, str] = {}
    for vt in instance.vehicle_types:
        names = vt.vehicle_names()
        swap.update(zip(names, data.draw(st.permutations(names))))
    permuted = Plan(tuple(Route(swap[r.vehicle], r.stops) for r in plan.routes))
    report = check_plan(instance, permuted)
    assert report.feasible and report.objective == pytest.approx(check_plan(instance, plan).objective)


@SETTINGS
@given(seed=seeds)
def test_reversing_routes_keeps_plan_feasible_without_consecutive_pairs(seed: int) -> None:
    base = random_tiny_instance(seed)
    instance = rebuilt(base, lambda doc: doc.update(consecutive=[]))
    best = brute_force(instance)
    assume(best is not None)
    assert best is not None
    reversed_plan = Plan(tuple(Route(r.vehicle, tuple(reversed(r.stops))) for r in best[1].routes))
    report = check_plan(instance, reversed_plan)
    assert report.feasible and report.objective == pytest.approx(best[0])


# ----- breaking one rule is always caught -------------------------------------------------------------
def _used(plan: Plan, data: st.DataObject) -> Route:
    return data.draw(st.sampled_from(plan.used_routes()))


def _report_route(instance: Instance, plan: Plan, route: Route) -> Any:
    return next(r for r in check_plan(instance, plan).routes if r.vehicle == route.vehicle)


def _replace(plan: Plan, old: Route, *new: Route) -> Plan:
    routes = [r for r in plan.routes if r != old]
    return Plan((*routes, *new))


def break_drop_dc(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    k = data.draw(st.integers(0, len(route.stops) - 1))
    return instance, _replace(plan, route, Route(route.vehicle, route.stops[:k] + route.stops[k + 1 :])), "3,4"


def break_duplicate_dc(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    dc = data.draw(st.sampled_from([d.id for d in instance.dcs]))
    k = data.draw(st.integers(0, len(route.stops)))
    return instance, _replace(plan, route, Route(route.vehicle, route.stops[:k] + (dc,) + route.stops[k:])), "3,4"


def break_vehicle_twice(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    assume(len(route.stops) >= 2)
    k = data.draw(st.integers(1, len(route.stops) - 1))
    return (
        instance,
        _replace(plan, route, Route(route.vehicle, route.stops[:k]), Route(route.vehicle, route.stops[k:])),
        "2b",
    )


def break_unknown_dc(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    k = data.draw(st.integers(0, len(route.stops) - 1))
    stops = list(route.stops)
    stops[k] = "NOT-A-DC"
    return instance, _replace(plan, route, Route(route.vehicle, tuple(stops))), "ids"


def _type_change(instance: Instance, vehicle: str, key: str, value: float) -> Instance:
    type_name = instance.vehicle_by_name[vehicle].type.name

    def change(doc: dict[str, Any]) -> None:
        next(vt for vt in doc["vehicle_types"] if vt["name"] == type_name)[key] = value

    return rebuilt(instance, change)


def break_capacity(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    load = _report_route(instance, plan, route).load
    return _type_change(instance, route.vehicle, "capacity", load - 0.5), plan, "5"


def break_distance(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    distance = _report_route(instance, plan, route).distance
    assume(distance > 0)
    return _type_change(instance, route.vehicle, "max_distance", distance * (1 - 1e-4)), plan, "6"


def break_stops(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    assume(len(route.stops) >= 2)
    return _type_change(instance, route.vehicle, "max_stops", len(route.stops) - 1), plan, "7"


def break_forbidden(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    dc = data.draw(st.sampled_from(route.stops))
    return rebuilt(instance, lambda doc: doc["forbidden"].append({"dc": dc, "vehicle": route.vehicle})), plan, "8,9"


def break_damaged(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    a, b = data.draw(st.sampled_from(route.arcs(instance.hub.id)))
    return rebuilt(instance, lambda doc: doc["damaged_roads"].append([a, b])), plan, "11"


def break_consecutive(instance: Instance, plan: Plan, data: st.DataObject) -> tuple[Instance, Plan, str]:
    route = _used(plan, data)
    successor = dict(route.arcs(instance.hub.id))
    a = data.draw(st.sampled_from(route.stops))
    b = data.draw(st.sampled_from([d.id for d in instance.dcs if d.id not in (a, successor[a])]))
    return rebuilt(instance, lambda doc: doc["consecutive"].append([a, b])), plan, "10"


BREAKERS = [
    break_drop_dc,
    break_duplicate_dc,
    break_vehicle_twice,
    break_unknown_dc,
    break_capacity,
    break_distance,
    break_stops,
    break_forbidden,
    break_damaged,
    break_consecutive,
]


@pytest.mark.parametrize("breaker", BREAKERS, ids=[b.__name__.removeprefix("break_") for b in BREAKERS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(seed=seeds, data=st.data())
def test_breaking_one_rule_is_caught(breaker: Any, seed: int, data: st.DataObject) -> None:
    instance, plan = feasible_case(seed)
    broken_instance, broken_plan, equation = breaker(instance, copy.deepcopy(plan), data)
    found = equations(broken_instance, broken_plan)
    assert equation in found, f"{breaker.__name__}: expected ({equation}), checker found {sorted(found)}"
