"""Emissions under ISO 14083: the worked toy6 example, the allocation rules, the report against the
objective (two computations sharing no code), factors files, and the `emissions` command."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from bruteforce import random_tiny_instance
from cli_helpers import run_cli
from emission_helpers import with_dc_masses
from hypothesis import given, settings
from hypothesis import strategies as st

from milp_milkrun.emissions import load_factors, plan_emissions
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, write_plan
from milp_milkrun.io.json_instance import instance_from_dict, instance_to_dict
from milp_milkrun.objectives import route_costs
from milp_milkrun.plan import Plan

REPO = Path(__file__).resolve().parents[1]
TOY6 = REPO / "instances" / "toy6.json"
LARGE_ROUTE = Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4"]), ("small-2", ["DC6", "DC5"])])


def test_the_worked_example_of_docs_emissions_md() -> None:
    """large-1 drives HUB DC1 DC2 DC3 HUB, 10 km legs, 19/13/5/0 of 30 units on board (docs/emissions.md)."""
    report = plan_emissions(load_instance(TOY6), LARGE_ROUTE, load_factors())
    run = report.routes[0]
    fuel = 10 * (0.13 + 0.04 * 19 / 30) + 10 * (0.13 + 0.04 * 13 / 30) + 10 * (0.13 + 0.04 * 5 / 30) + 10 * 0.13
    assert run.fuel == pytest.approx(fuel) and fuel == pytest.approx(5.693333, abs=1e-6)
    assert (run.km, run.loaded_km, run.empty_km, run.tonne_km) == pytest.approx((40, 30, 10, 37))
    assert run.kg_co2e_wtw == pytest.approx(fuel * 3.24) and run.kg_co2e_ttw == pytest.approx(fuel * 2.67)
    shares = {d.dc: d.kg_co2e_wtw / run.kg_co2e_wtw for d in report.dcs if d.vehicle == "large-1"}
    activity = {"DC1": 0.6 * 10, "DC2": 0.8 * 200**0.5, "DC3": 0.5 * 10}  # tonnes x straight-line km from the hub
    assert shares == pytest.approx({dc: a / sum(activity.values()) for dc, a in activity.items()})


def _random_plan(instance: Instance, rng: random.Random) -> Plan:
    """Any assignment of DCs to vehicles in any order (rules may break: emissions are defined anyway)."""
    dcs = [dc.id for dc in instance.dcs]
    rng.shuffle(dcs)
    routes: dict[str, list[str]] = {}
    for dc in dcs:
        routes.setdefault(rng.choice([v.name for v in instance.vehicles]), []).append(dc)
    return Plan.from_routes(routes.items())


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000), unit_mass=st.floats(0.5, 50), dc_mass=st.floats(0.5, 50)
)  # payloads within the default profiles
def test_the_report_and_the_objective_agree_and_allocations_add_up(seed: int, unit_mass: float, dc_mass: float) -> None:
    instance = with_dc_masses(random_tiny_instance(seed % 50), {"D1": dc_mass})
    factors = dataclasses.replace(load_factors(), unit_mass_kg=unit_mass)
    plan = _random_plan(instance, random.Random(seed))
    report = plan_emissions(instance, plan, factors)
    assert route_costs(instance, "emissions", factors).plan(plan) == pytest.approx(report.kg_co2e_wtw, rel=1e-12)
    for run in report.routes:
        allocated = [d for d in report.dcs if d.vehicle == run.vehicle]
        assert sum(d.kg_co2e_wtw for d in allocated) == pytest.approx(run.kg_co2e_wtw, rel=1e-12, abs=1e-12)
        assert sum(d.kg_co2e_ttw for d in allocated) == pytest.approx(run.kg_co2e_ttw, rel=1e-12, abs=1e-12)
    assert sum(d.kg_co2e_wtw for d in report.dcs) == pytest.approx(report.kg_co2e_wtw)


@given(extra=st.floats(0, 1000), distance=st.floats(0, 500))
def test_more_load_never_lowers_a_leg_and_an_empty_leg_depends_on_distance_alone(extra: float, distance: float) -> None:
    profile = load_factors().profiles["medium_diesel_truck"]

    def leg(load: float, capacity: float = 1000.0) -> float:
        return distance * (profile.empty_per_km + (profile.full_per_km - profile.empty_per_km) * load / capacity)

    assert leg(100 + extra) >= leg(100)
    assert leg(0.0, capacity=10.0) == leg(0.0, capacity=5000.0) == pytest.approx(distance * profile.empty_per_km)


def test_a_return_leg_is_empty_and_counted() -> None:
    instance = load_instance(TOY6)
    report = plan_emissions(
        instance,
        Plan.from_routes(
            [("small-1", ["DC4"])] + [(r.vehicle, r.stops) for r in LARGE_ROUTE.routes if r.vehicle != "small-1"]
        ),
        load_factors(),
    )
    run = next(r for r in report.routes if r.vehicle == "small-1")
    assert run.empty_km == pytest.approx(10) and run.loaded_km == pytest.approx(10)
    assert run.fuel == pytest.approx(10 * (0.13 + 0.04 * 7 / 15) + 10 * 0.13)


def test_a_factors_file_replaces_defaults_and_is_validated(tmp_path: Path) -> None:
    good = tmp_path / "f.json"
    good.write_text(
        json.dumps(
            {
                "unit_mass_kg": 10,
                "profiles": {"ev": {"fuel": "grid", "empty_per_km": 0.8, "full_per_km": 1.1, "source": "measured"}},
                "fuels": {
                    "grid": {"unit": "kWh", "ttw_kg_co2e_per_unit": 0, "wtw_kg_co2e_per_unit": 0.7, "source": "utility"}
                },
                "vehicle_types": {"large": "ev", "small": "ev"},
            }
        )
    )
    report = plan_emissions(load_instance(TOY6), LARGE_ROUTE, load_factors(good))
    assert {r.profile for r in report.routes} == {"ev"} and report.kg_co2e_ttw == 0 and not report.defaults_used
    assert report.unit_mass_kg == 10
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"profiles": {"x": {"fuel": "diesel", "empty_per_km": -1, "full_per_km": 1, "source": "s"}}})
    )
    with pytest.raises(InputError, match=r"profiles\.x\.empty_per_km"):
        load_factors(bad)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"vehicle_types": {"large": "nope"}}))
    with pytest.raises(InputError, match="unknown profile 'nope'"):
        plan_emissions(load_instance(TOY6), LARGE_ROUTE, load_factors(unknown))


def test_without_a_unit_mass_the_error_names_the_field() -> None:
    instance = random_tiny_instance(1)
    assert instance.unit_mass_kg is None
    with pytest.raises(InputError, match="unit_mass_kg"):
        plan_emissions(instance, Plan(()), load_factors())


def test_every_default_value_names_its_source() -> None:
    factors = load_factors()
    assert all(f.source for f in factors.fuels.values()) and all(p.source for p in factors.profiles.values())


def test_the_emissions_command_json_csv_and_a_plan_that_breaks_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    write_plan(LARGE_ROUTE, plan, load_instance(TOY6))
    code, out, _ = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--json")
    data = json.loads(out)
    assert (
        code == 0
        and data["plan_feasible"]
        and data["totals"]["kg_co2e_wtw"] == pytest.approx(sum(r["kg_co2e_wtw"] for r in data["routes"]))
    )
    code, out, _ = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--csv")
    rows = out.splitlines()
    assert code == 0 and rows[0].startswith("level,id,") and len(rows) == 1 + 3 + 6 + 1
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"routes": [{"vehicle": "small-1", "stops": ["DC1", "DC2", "DC3", "DC4", "DC5", "DC6"]}]})
    )
    code, out, err = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(broken))
    assert code == 1 and "breaks" in err and "hub total" in out


def test_the_heuristic_minimises_emissions_when_asked() -> None:
    from milp_milkrun.heuristics import solve_heuristic

    instance = load_instance(REPO / "instances" / "ecom74.json")
    factors = load_factors()
    objective = route_costs(instance, "emissions", factors)
    by_distance = solve_heuristic(instance, max_iterations=300, seed=1)
    by_emissions = solve_heuristic(instance, max_iterations=300, seed=1, costs=objective, time_limit=60)
    assert by_distance.plan is not None and by_emissions.plan is not None
    assert objective.plan(by_emissions.plan) <= objective.plan(by_distance.plan) + 1e-9
    assert by_emissions.check is not None and by_emissions.check.feasible


def test_a_dc_with_its_own_unit_mass_weighs_its_delivery_with_it() -> None:
    instance = load_instance(TOY6)  # 100 kg per unit
    heavier = with_dc_masses(instance, {"DC1": 300.0})
    factors = load_factors()
    before, after = plan_emissions(instance, LARGE_ROUTE, factors), plan_emissions(heavier, LARGE_ROUTE, factors)
    dc1_before = next(d for d in before.dcs if d.dc == "DC1")
    dc1_after = next(d for d in after.dcs if d.dc == "DC1")
    assert dc1_after.mass_t == pytest.approx(3 * dc1_before.mass_t)
    assert after.routes[0].tonne_km == pytest.approx(
        before.routes[0].tonne_km + 2 * dc1_before.mass_t * 10
    )  # DC1 rides the first 10 km
    assert after.routes[0].kg_co2e_wtw > before.routes[0].kg_co2e_wtw and after.routes[1:] == before.routes[1:]
    assert instance_to_dict(heavier)["dcs"][0]["unit_mass_kg"] == 300


def test_a_non_positive_dc_unit_mass_names_the_dc() -> None:
    data = instance_to_dict(load_instance(TOY6))
    data["dcs"][2]["unit_mass_kg"] = 0
    with pytest.raises(InputError) as error:
        instance_from_dict(data)
    assert "dcs[2]" in error.value.field
