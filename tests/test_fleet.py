"""Fleet recommendation: candidate fleets, the comparison with the current fleet, the candidates file and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.fleet import candidate_fleet, costed_fleet, recommend_fleet
from milp_milkrun.io import load_instance
from milp_milkrun.io.fleet_candidates import CandidateType, candidates_from_dict, load_candidates
from tests.bruteforce import brute_force, random_tiny_instance
from tests.cli_helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
TOY6 = REPO / "instances" / "toy6.json"
COSTS = [CandidateType("large", fixed_cost=100, cost_per_km=2), CandidateType("small", fixed_cost=40, cost_per_km=1)]


def test_candidate_fleet_is_unlimited_and_keeps_type_restrictions() -> None:
    toy = load_instance(TOY6)
    choice = candidate_fleet(toy, [*COSTS, CandidateType("van", 10, 0.5, capacity=8, forbidden_dcs=("DC1",))])
    assert choice.objective == "cost"
    assert [vt.name for vt in choice.vehicle_types] == ["large", "small", "van"]
    assert all(vt.unlimited for vt in choice.vehicle_types)
    large, small, van = choice.vehicle_types
    assert (large.capacity, large.max_distance, large.max_stops, large.fixed_cost, large.cost_per_km) == (
        30,
        60,
        4,
        100,
        2,
    )
    assert (van.capacity, van.max_distance, van.max_stops) == (8, None, None)
    assert not choice.vehicle_type_allowed("DC6", large)  # inherited from the instance
    assert choice.vehicle_type_allowed("DC6", small) and not choice.vehicle_type_allowed("DC1", van)
    assert choice.consecutive == toy.consecutive and choice.damaged_roads == toy.damaged_roads


def test_candidate_counts_and_the_current_fleet_costed_alike() -> None:
    toy = load_instance(TOY6)
    limited = candidate_fleet(toy, [CandidateType("large", 100, 2, count=2), COSTS[1]])
    assert limited.vehicle_types[0].count == 2 and not limited.vehicle_types[0].unlimited
    current = costed_fleet(toy, COSTS)
    assert [(vt.count, vt.fixed_cost, vt.cost_per_km) for vt in current.vehicle_types] == [(1, 100, 2), (2, 40, 1)]
    assert current.objective == "cost"


@pytest.mark.parametrize(
    ("candidates", "field", "words"),
    [
        (
            [CandidateType("van", 10, 1)],
            "candidates.vehicle_types[0].capacity",
            "van is not in instance toy6; give its capacity",
        ),
        (
            [COSTS[0], CandidateType("small", 10, 1, forbidden_dcs=("DC9",))],
            "candidates.vehicle_types[1].forbidden_dcs",
            "unknown DC 'DC9'",
        ),
        (
            [CandidateType("large", 10, 1, forbidden_dcs=("DC1", "DC2", "DC3", "DC4", "DC5", "DC6"))],
            "forbidden",
            "forbidden for every vehicle",
        ),
    ],
)
def test_bad_candidates_name_the_field(candidates: list[CandidateType], field: str, words: str) -> None:
    with pytest.raises(InputError) as error:
        candidate_fleet(load_instance(TOY6), candidates)
    assert error.value.field == field and words in error.value.message


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        (
            {"vehicle_types": [{"name": "large", "cost_per_km": 1}]},
            "vehicle_types[0]",
            "'fixed_cost' is a required property",
        ),
        (
            {"vehicle_types": [{"name": "large", "fixed_cost": -1, "cost_per_km": 1}]},
            "vehicle_types[0].fixed_cost",
            "must be >= 0",
        ),
        (
            {"vehicle_types": [{"name": "large", "fixed_cost": 1, "cost_per_km": 1, "colour": "red"}]},
            "vehicle_types[0]",
            "unknown field 'colour'",
        ),
        ({"vehicle_types": []}, "vehicle_types", "needs at least 1 item"),
    ],
)
def test_candidates_file_is_validated(document: dict, field: str, words: str) -> None:
    with pytest.raises(InputError) as error:
        candidates_from_dict(document)
    assert error.value.field == field and words in error.value.message


def test_shipped_ecom74_costs_load() -> None:
    candidates = load_candidates(REPO / "instances" / "fleet_costs" / "ecom74.json")
    assert candidates.currency == "INR" and "ASSUMED" in candidates.note
    assert [c.name for c in candidates.types] == [
        vt.name for vt in load_instance(REPO / "instances" / "ecom74.json").vehicle_types
    ]


def test_recommendation_is_checked_bounded_and_never_worse_than_the_current_fleet() -> None:
    rec = recommend_fleet(load_instance(TOY6), COSTS, time_limit=20)
    new, old = rec.recommended, rec.current
    assert new.has_plan and old.has_plan
    for outcome in (new, old):
        report = check_plan(outcome.instance, outcome.result.plan)  # independently, again
        assert report.feasible and report.cost == pytest.approx(outcome.cost)
        assert outcome.result.bound is None or outcome.result.bound <= outcome.cost + 1e-6
        assert sum(outcome.counts.values()) == outcome.vehicles
    assert new.cost <= old.cost + 1e-6 and rec.saving == pytest.approx(old.cost - new.cost)
    # the current fleet's plan is one candidate plan, so the recommendation's certified bound is below it
    assert new.result.bound is not None and new.result.bound <= old.cost + 1e-6


@pytest.mark.parametrize("seed", [2, 3, 5, 8])
def test_recommendation_is_the_brute_force_cheapest_fleet(seed: int) -> None:
    tiny = random_tiny_instance(seed)
    candidates = [
        CandidateType("big", fixed_cost=60, cost_per_km=1.5),
        CandidateType("small", fixed_cost=25, cost_per_km=1.0),
    ]
    expected = brute_force(candidate_fleet(tiny, candidates), "cost")
    rec = recommend_fleet(tiny, candidates, time_limit=15)
    if expected is None:
        assert not rec.recommended.has_plan
        return
    assert rec.recommended.result.status == "optimal"
    assert rec.recommended.cost == pytest.approx(expected[0], abs=1e-6)


def test_cli_fleet_json_and_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    types = tmp_path / "types.json"
    types.write_text(
        json.dumps(
            {
                "currency": "EUR",
                "vehicle_types": [
                    {"name": "large", "fixed_cost": 100, "cost_per_km": 2},
                    {"name": "small", "fixed_cost": 40, "cost_per_km": 1},
                ],
            }
        )
    )
    plan = tmp_path / "plan.json"
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "fleet",
        str(TOY6),
        "--types",
        str(types),
        "--time-limit",
        "20",
        "--json",
        "--output",
        str(plan),
    )
    assert code == 0
    data = json.loads(out)
    assert data["currency"] == "EUR" and data["recommended"]["cost"] <= data["current"]["cost"] + 1e-6
    assert sum(data["recommended"]["fleet"].values()) == len(data["routes"]) == data["recommended"]["vehicles"]
    assert json.loads(plan.read_text())["routes"]
    code, out, _ = run_cli(monkeypatch, capsys, "fleet", str(TOY6), "--types", str(types), "--time-limit", "20")
    assert code == 0 and out.startswith("RECOMMENDED FLEET") and "utilisation" in out
    assert f"saves {data['saving']:,.0f} EUR" in out or f"saves {data['saving']:,.1f} EUR" in out
    code, out, _ = run_cli(monkeypatch, capsys, "fleet", str(TOY6), "--time-limit", "10")  # own types, distance costs
    assert code == 0 and "costs the same as the best plan found for the current fleet" in out
    types.write_text(json.dumps({"vehicle_types": [{"name": "van", "fixed_cost": 1, "cost_per_km": 1}]}))
    code, _, err = run_cli(monkeypatch, capsys, "fleet", str(TOY6), "--types", str(types))
    assert code == 2 and err.startswith(
        "error: candidates.vehicle_types[0].capacity: vehicle type van is not in instance toy6"
    )
    types.write_text(json.dumps({"vehicle_types": [{"name": "van", "fixed_cost": "1", "cost_per_km": 1}]}))
    code, _, err = run_cli(monkeypatch, capsys, "fleet", str(TOY6), "--types", str(types))
    assert code == 2 and err.startswith(
        f"error: --types: {types}: vehicle_types[0].fixed_cost: vehicle type van: expected a number"
    )
    code, _, err = run_cli(monkeypatch, capsys, "fleet", str(TOY6), "--time-limit", "0")
    assert code == 2 and err.startswith("error: --time-limit:")
