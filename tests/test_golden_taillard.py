"""The Golden–Taillard reader: variants, errors naming their field, and the reference solutions."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from pathlib import Path

import pytest

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance
from milp_milkrun.io.golden_taillard import golden_taillard_instance, load_golden_taillard
from milp_milkrun.plan import Plan
from tests.cli_helpers import run_cli

HFVRP = Path(__file__).resolve().parents[2] / "shared" / "hfvrp"
needs_hfvrp = pytest.mark.skipif(
    not HFVRP.is_dir(), reason=f"Golden–Taillard files not found at {HFVRP} (clone shared/ beside the repo)"
)


def _document(number: str = "13") -> dict:
    return json.loads((HFVRP / f"golden_{number}.json").read_text())


def _reference_solutions() -> list[dict]:
    if not HFVRP.is_dir():
        return []
    return json.loads((HFVRP / "reference_solutions.json").read_text())["solutions"]


def _bks(instance: str, variant: str) -> float:
    return float(json.loads((HFVRP / "bks.json").read_text())["instances"][instance][variant]["value"])


@needs_hfvrp
@pytest.mark.parametrize("solution", _reference_solutions(), ids=lambda s: f"{s['instance']}-{s['variant']}")
def test_reference_solutions_pass_the_checker_at_the_best_known_cost(solution: dict) -> None:
    instance = load_golden_taillard(HFVRP / f"{solution['instance']}.json", solution["variant"])
    used: dict[str, int] = defaultdict(int)
    routes = []
    for route in solution["routes"]:
        used[route["vehicle_type"]] += 1
        routes.append((f"{route['vehicle_type']}-{used[route['vehicle_type']]}", [str(c) for c in route["customers"]]))
    report = check_plan(instance, Plan.from_routes(routes))
    assert report.feasible, report.violations
    assert report.cost == pytest.approx(solution["cost"], abs=1e-4)
    assert round(report.cost, 2) == pytest.approx(_bks(solution["instance"], solution["variant"]), abs=1e-9)
    assert report.objective == report.cost  # the instance's objective is the cost


@needs_hfvrp
def test_variants_set_costs_and_fleet_as_the_definitions_say() -> None:
    data = _document("13")
    types = data["vehicle_types"]
    fsmf = golden_taillard_instance(data, "fsmf")  # any case
    assert fsmf.name == "golden_13_FSMF" and fsmf.objective == "cost"
    assert [(vt.fixed_cost, vt.cost_per_km) for vt in fsmf.vehicle_types] == [(t["fixed_cost"], 1.0) for t in types]
    assert all(vt.unlimited for vt in fsmf.vehicle_types)
    fsmd = golden_taillard_instance(data, "FSMD")
    assert [(vt.fixed_cost, vt.cost_per_km) for vt in fsmd.vehicle_types] == [(0.0, t["variable_cost"]) for t in types]
    hvrpfd = golden_taillard_instance(data, "HVRPFD")
    assert [(vt.count, vt.fixed_cost, vt.cost_per_km) for vt in hvrpfd.vehicle_types] == [
        (t["count"], t["fixed_cost"], t["variable_cost"]) for t in types
    ]
    assert not any(vt.unlimited for vt in hvrpfd.vehicle_types)
    hvrpd = golden_taillard_instance(data, "HVRPD")
    assert [vt.fixed_cost for vt in hvrpd.vehicle_types] == [0.0] * len(types)
    assert fsmf.n_dcs == data["n_customers"] and fsmf.distance_spec.rounding == "none"
    first = data["customers"][0]
    assert fsmf.dist("0", "1") == pytest.approx(
        ((first["x"] - data["depot"]["x"]) ** 2 + (first["y"] - data["depot"]["y"]) ** 2) ** 0.5
    )


@needs_hfvrp
@pytest.mark.parametrize(
    ("variant", "edit", "field", "words"),
    [
        ("FSMX", None, "variant", "unknown variant 'FSMX'"),
        ("HVRPD", lambda d: d.update(variants=["FSMF", "FSMD", "FSMFD"]), "variant", "has no HVRPD variant"),
        (
            "HVRPFD",
            lambda d: d["vehicle_types"][1].update(count=None),
            "vehicle_types[1].count",
            "vehicle type B has no count",
        ),
        ("FSMF", lambda d: d["customers"][2].pop("demand"), "customers[2]", "'demand' is a required property"),
        ("FSMF", lambda d: d["vehicle_types"][0].update(capacity=-3), "vehicle_types[0].capacity", "must be > 0"),
        (
            "FSMF",
            lambda d: d["customers"][4].update(id=2),
            "customers[4].id",
            "id 2 is used twice (also at customers[1].id)",
        ),
    ],
)
def test_errors_name_the_field(variant: str, edit, field: str, words: str) -> None:  # noqa: ANN001
    data = copy.deepcopy(_document("13"))
    if edit:
        edit(data)
    with pytest.raises(InputError) as error:
        golden_taillard_instance(data, variant)
    assert error.value.field == field
    assert words in error.value.message


@needs_hfvrp
def test_load_instance_needs_a_variant_for_these_files_only() -> None:
    with pytest.raises(InputError, match="choose its variant") as error:
        load_instance(HFVRP / "golden_03.json")
    assert error.value.field == "variant"
    with pytest.raises(InputError, match="not a Golden–Taillard file"):
        load_instance(Path(__file__).resolve().parents[1] / "instances" / "toy6.json", variant="FSMF")
    assert load_instance(HFVRP / "golden_03.json", variant="FSMFD").n_dcs == 20


@needs_hfvrp
def test_cli_reads_a_variant_and_names_the_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "show", str(HFVRP / "golden_04.json"), "--variant", "FSMF")
    assert code == 0 and "golden_04_FSMF" in out
    code, _, err = run_cli(monkeypatch, capsys, "show", str(HFVRP / "golden_04.json"), "--variant", "HVRPD")
    assert code == 2 and err.startswith("error: --variant: golden_04 has no HVRPD variant")
    target = tmp_path / "g04.json"
    code, _, _ = run_cli(
        monkeypatch, capsys, "convert", str(HFVRP / "golden_04.json"), str(target), "--variant", "FSMFD"
    )
    assert code == 0
    again = load_instance(target)
    direct = load_golden_taillard(HFVRP / "golden_04.json", "FSMFD")
    assert again.objective == "cost"
    assert [(vt.name, vt.fixed_cost, vt.cost_per_km, vt.unlimited) for vt in again.vehicle_types] == [
        (vt.name, vt.fixed_cost, vt.cost_per_km, vt.unlimited) for vt in direct.vehicle_types
    ]
