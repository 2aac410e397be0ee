"""The backend registry (solve/backends.py): every formulation and backend the CLI offers has a run, and
only those."""

from __future__ import annotations

import pytest

from milp_milkrun.errors import InputError
from milp_milkrun.solve import BACKENDS, MODELS, check_choices
from milp_milkrun.solve.backends import BACKENDS_BY_MODEL, backend_run, backends_of


def test_every_model_but_auto_has_a_backend_and_every_backend_a_model() -> None:
    assert set(BACKENDS_BY_MODEL) == set(MODELS) - {"auto"}
    assert {backend for runs in BACKENDS_BY_MODEL.values() for backend in runs} == set(BACKENDS)
    assert all("highs" in backends_of(model) for model in BACKENDS_BY_MODEL)  # auto chains HiGHS models


@pytest.mark.parametrize(("model", "backend"), [(m, b) for m in BACKENDS_BY_MODEL for b in BACKENDS])
def test_check_choices_accepts_exactly_the_registered_pairs(model: str, backend: str) -> None:
    if backend in backends_of(model):
        check_choices(model=model, backend=backend, solver=None)
        assert callable(backend_run(model, backend))
    else:
        with pytest.raises(InputError, match=f"the {model} model runs on the highs backend only"):
            check_choices(model=model, backend=backend, solver=None)
