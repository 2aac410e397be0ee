"""Any milk run (emissions/runs.py): a plan of the toolkit is the special case of runs from the hub, and
gives the same figures through the general code; pickups, returns, terminals; fuels, blends and
electricity; impossible factors refused naming the field."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from cli_helpers import run_cli

from milp_milkrun.emissions import load_factors, parse_run, plan_emissions, run_emissions
from milp_milkrun.emissions.accounting import great_circle_km
from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance, load_plan, write_plan
from milp_milkrun.plan import Plan

REPO = Path(__file__).resolve().parents[1]
ECOM74 = REPO / "instances" / "ecom74.json"
TOY6 = REPO / "instances" / "toy6.json"
STOPS = [{"id": "A", "lat": 0, "lon": 0}, {"id": "B", "lat": 0, "lon": 1}, {"id": "C", "lat": 0, "lon": 3}]
VEHICLE = {"fuel": "DIESEL", "empty_per_km": 0.2, "full_per_km": 0.3, "payload_kg": 2000}


def test_a_plan_gives_the_figures_of_the_same_runs_stated_as_milk_runs() -> None:
    """Each route of ecom74's plan as a general run (hub -> DC shipments, road km from the instance, a known terminal)."""
    instance = load_instance(ECOM74)
    plan = load_plan(REPO / "instances" / "ecom74_plan13.json", instance)
    factors = load_factors()
    report = plan_emissions(instance, plan, factors)
    unit_mass = factors.unit_mass(instance)
    site = {s.id: s for s in [instance.hub, *instance.dcs]}
    for route, run_report in zip(plan.used_routes(), report.routes):
        vt = instance.vehicle_by_name[route.vehicle].type
        path = [instance.hub.id, *route.stops, instance.hub.id]
        run = parse_run(
            {
                "stops": [{"id": s, "lat": site[s].y, "lon": site[s].x} for s in path[:-1]],
                "shipments": [
                    {
                        "id": s,
                        "mass_kg": instance.demand[instance.index[s]] * unit_mass,
                        "pickup": instance.hub.id,
                        "delivery": s,
                    }
                    for s in route.stops
                ],
                "vehicle": {"profile": run_report.profile, "payload_kg": vt.capacity * unit_mass},
                "road_km": [instance.dist(a, b) for a, b in itertools.pairwise(path)],
            }
        )
        trip = run_emissions(run, factors)
        assert trip.kg_co2e_wtw == pytest.approx(run_report.kg_co2e_wtw, rel=1e-12)
        assert (trip.loaded_km, trip.tonne_km) == pytest.approx((run_report.loaded_km, run_report.tonne_km), rel=1e-12)
        allocated = {d.dc: d.kg_co2e_wtw for d in report.dcs if d.vehicle == route.vehicle}
        assert {s.shipment: s.kg_co2e_wtw for s in trip.shipments} == pytest.approx(allocated, rel=1e-9)
        assert [s.allocation_km for s in trip.shipments] == pytest.approx(
            [great_circle_km(instance, s) for s in route.stops]
        )


def test_a_return_to_a_known_terminal_rides_to_the_end_and_a_detour_moves_no_share() -> None:
    shipments = [
        {"id": "out", "mass_kg": 800, "pickup": "A", "delivery": "B"},
        {"id": "back", "mass_kg": 400, "pickup": "C", "delivery": "A"},
    ]
    direct = run_emissions(parse_run({"stops": STOPS, "shipments": shipments, "vehicle": VEHICLE}), load_factors())
    assert [leg.load_kg for leg in direct.legs] == [800, 0, 400]  # A->B, B->C empty, C->A carries the return
    assert [leg.loaded for leg in direct.legs] == [True, False, True]
    detour = run_emissions(
        parse_run({"stops": STOPS, "shipments": shipments, "vehicle": VEHICLE, "road_km": [500, 250, 400]}),
        load_factors(),
    )
    assert [s.share for s in detour.shipments] == pytest.approx([s.share for s in direct.shipments])
    assert [s.share for s in direct.shipments] == pytest.approx(
        [0.8 * 1 / (0.8 * 1 + 0.4 * 3), 0.4 * 3 / (0.8 * 1 + 0.4 * 3)]
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stops": [*STOPS, STOPS[0]]}, "stops[3].id"),
        ({"vehicle": VEHICLE | {"payload_kg": 100}}, "vehicle.payload_kg"),
        ({"vehicle": VEHICLE | {"fuel": "CNG"}}, None),  # an own profile in kg/km of CNG: allowed
        (
            {"vehicle": {"profile": "light_diesel_truck", "fuel": "CNG"}},
            "vehicle.fuel",
        ),  # l/km of a diesel profile for a fuel in kg
        ({"vehicle": {"profile": "nope"}}, "vehicle.profile"),
        ({"vehicle": {"fuel": "DIESEL"}}, "vehicle.empty_per_km"),
        ({"vehicle": VEHICLE | {"full_per_km": 0.1}}, "vehicle.full_per_km"),
    ],
)
def test_run_input_errors_name_the_field(change: dict[str, object], field: str | None) -> None:
    body = {
        "stops": STOPS,
        "shipments": [{"id": "s", "mass_kg": 500, "pickup": "A", "delivery": "C"}],
        "vehicle": VEHICLE,
    } | change
    if field is None:
        assert run_emissions(parse_run(body), load_factors()).kg_co2e_wtw > 0
        return
    with pytest.raises(InputError) as error:
        run_emissions(parse_run(body), load_factors())
    assert error.value.field == field


def test_blends_are_computed_from_their_components_and_follow_an_override(tmp_path: Path) -> None:
    factors = load_factors()
    for name, share in {
        "B1": 0.01,
        "B2": 0.02,
        "B5": 0.05,
        "B7": 0.07,
        "B10": 0.1,
        "B20": 0.2,
        "B30": 0.3,
        "B50": 0.5,
    }.items():
        assert factors.fuel(name).wtw_kg_co2e_per_unit == pytest.approx((1 - share) * 3.24 + share * 1.92)
    own = tmp_path / "f.json"
    own.write_text(
        json.dumps(
            {
                "fuels": {
                    "diesel": {
                        "unit": "l",
                        "ttw_kg_co2e_per_unit": 2.5,
                        "wtw_kg_co2e_per_unit": 3.0,
                        "source": "national set",
                    }
                }
            }
        )
    )
    assert load_factors(own).fuel("b20").wtw_kg_co2e_per_unit == pytest.approx(0.8 * 3.0 + 0.2 * 1.92)


@pytest.mark.parametrize(
    ("factors", "field"),
    [
        (
            {
                "fuels": {
                    "DIESEL": {"unit": "l", "ttw_kg_co2e_per_unit": 67.3, "wtw_kg_co2e_per_unit": 13.5, "source": "s"}
                }
            },
            "fuels.DIESEL.wtw_kg_co2e_per_unit",
        ),
        (
            {"profiles": {"x": {"fuel": "DIESEL", "empty_per_km": 0.3, "full_per_km": 0.2, "source": "s"}}},
            "profiles.x.full_per_km",
        ),
        (
            {"profiles": {"x": {"fuel": "GASOHOL", "empty_per_km": 0.2, "full_per_km": 0.3, "source": "s"}}},
            "profiles.x.fuel",
        ),
        ({"vehicle_types": {"huge": "medium_diesel_truck"}}, "vehicle_types.huge"),
        ({"vehicle_types": {"large": "nope"}}, "vehicle_types.large"),
        (
            {"blends": {"B15": {"components": {"DIESEL": 0.85, "FAME": 0.15}, "source": "s"}}},
            "blends.B15.components.FAME",
        ),
        (
            {"blends": {"B15": {"components": {"DIESEL": 0.85, "BIODIESEL": 0.1}, "source": "s"}}},
            "blends.B15.components",
        ),
        ({"blends": {"X": {"components": {"DIESEL": 0.5, "CNG": 0.5}, "source": "s"}}}, "blends.X.components"),
        (
            {"fuels": {"DIESEL": {"unit": "l", "ttw_kg_co2e_per_unit": -1, "wtw_kg_co2e_per_unit": 3, "source": "s"}}},
            "fuels.DIESEL.ttw_kg_co2e_per_unit",
        ),
    ],
)
def test_impossible_factors_are_refused_naming_the_field(
    factors: dict[str, object],
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`milkrun emissions --factors F`: one line naming the field, exit 2."""
    path = tmp_path / "factors.json"
    path.write_text(json.dumps(factors))
    plan = tmp_path / "plan.json"
    write_plan(
        Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4"]), ("small-2", ["DC6", "DC5"])]),
        plan,
        load_instance(TOY6),
    )
    code, out, err = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--factors", str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and field in err, err


def test_electricity_needs_the_users_grid_factor(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="grid"):
        load_factors().fuel("ELEC")
    own = tmp_path / "grid.json"
    own.write_text(json.dumps({"grid_kg_co2e_per_kwh": 0.71}))
    elec = load_factors(own).fuel("elec")
    assert (elec.unit, elec.ttw_kg_co2e_per_unit, elec.wtw_kg_co2e_per_unit) == ("kWh", 0.0, 0.71)


def test_the_emissions_command_with_another_fuel_and_a_grid_factor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    write_plan(
        Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4"]), ("small-2", ["DC6", "DC5"])]),
        plan,
        load_instance(TOY6),
    )
    _, out, _ = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--json")
    code, b20, _ = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--json", "--fuel", "b20")
    diesel, blend = json.loads(out)["totals"], json.loads(b20)["totals"]
    assert code == 0 and blend["kg_co2e_wtw"] == pytest.approx(diesel["kg_co2e_wtw"] * (0.8 * 3.24 + 0.2 * 1.92) / 3.24)
    code, _, err = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--fuel", "CNG")
    assert code == 2 and err.startswith("error: --fuel:") and "kg" in err
    code, _, err = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--fuel", "ELEC")
    assert code == 2 and err.startswith("error: --grid-factor:")
    code, _, err = run_cli(monkeypatch, capsys, "emissions", str(TOY6), str(plan), "--grid-factor", "-1")
    assert code == 2 and err.startswith("error: --grid-factor:")
