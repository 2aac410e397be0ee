"""`--model auto`: the seed's model on tiny instances, the route-based then the strong model above."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from bruteforce import brute_force, random_tiny_instance
from cli_helpers import run_cli
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.emissions import load_factors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import build_instance
from milp_milkrun.io import load_instance
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.auto import EXACT_UP_TO_DCS, ROUTES_SHARE
from milp_milkrun.solve.feasibility import presolve_diagnostics


@pytest.mark.parametrize("seed", range(4))
def test_tiny_instances_go_to_the_exact_model(seed: int) -> None:
    instance = random_tiny_instance(seed)
    assert instance.n_dcs <= EXACT_UP_TO_DCS
    result = solve(instance, options=SolveOptions(time_limit=20))
    expected = brute_force(instance)
    assert result.model == "exact" and "auto: the exact model" in result.message
    if expected is not None:
        assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


@needs_cvrplib
def test_a_larger_instance_is_proven_by_the_route_and_strong_models() -> None:
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    result = solve(instance, options=SolveOptions(time_limit=60))
    assert result.model in ("routes", "routes+strong")
    assert result.status == "optimal" and result.objective == pytest.approx(cvrplib_optimum("P-n16-k8"))
    assert result.check is not None and result.check.feasible


def test_the_pulp_backend_takes_auto_as_the_exact_model() -> None:
    result = solve(random_tiny_instance(2), backend="pulp", options=SolveOptions(time_limit=20))
    assert result.model == "exact" and result.backend == "pulp-cbc"


# ----- issue 30 (4): emissions with an engine that cannot state them, refused before any work -----------
@pytest.mark.parametrize(("model", "backend"), [("exact", "highs"), ("strong", "highs"), ("auto", "pulp"), ("exact", "pulp")])
def test_emissions_on_an_arc_model_are_refused_before_presolve(model: str, backend: str) -> None:
    """The instance is one presolve proves infeasible (demand above the fleet): before the fix the run
    answered "infeasible" (exit 1) instead of refusing the objective (exit 2)."""
    instance = random_tiny_instance(0)
    overloaded = build_instance(
        name="overloaded", hub=instance.hub, dcs=[replace(dc, demand=dc.demand + 100) for dc in instance.dcs],
        vehicle_types=instance.vehicle_types, distance_spec=instance.distance_spec, coordinates="xy",
    )
    assert presolve_diagnostics(overloaded)
    options = SolveOptions(time_limit=5, objective="emissions", factors=load_factors())
    with pytest.raises(InputError) as error:
        solve(overloaded, model=model, backend=backend, options=options)
    assert error.value.field == "objective" and "load on each leg" in error.value.message


def test_the_cli_refuses_emissions_with_the_exact_model_before_reading_the_instance(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "solve", "no-such-file.json", "--model", "exact", "--objective", "emissions")
    assert code == 2 and out == "" and err.startswith("error: --objective: the emissions objective depends on the load")


# ----- issue 30 (5): the time share that docs/formulation.md states is the constant auto uses -------------
def test_formulation_md_states_the_route_share_of_solve_auto() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "formulation.md").read_text(encoding="utf-8")
    shares = re.findall(r"route-based model for (\d+)% of the time limit", text)
    assert shares == [f"{ROUTES_SHARE * 100:.0f}"], shares
