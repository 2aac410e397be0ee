"""One hub of a batch: what to solve, and the solve itself as it runs in a worker process."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from milp_milkrun.emissions.factors import EmissionFactors, load_factors
from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance
from milp_milkrun.solve import SolveOptions, check_choices, solve
from milp_milkrun.solve.options import DEFAULT_SEED

@dataclass(frozen=True)
class BatchOptions:
    """The options every hub of a batch is solved with; part of each result's hash."""

    model: str = "routes"
    time_limit: float = 60.0
    gap: float = 1e-4
    seed: int = DEFAULT_SEED
    objective: str | None = None  # None: each hub's own (distance unless its file says cost)
    factors: str | None = None  # an emission factors file laid over the defaults (objective emissions)

    def __post_init__(self) -> None:
        check_choices(model=self.model, backend="highs", solver=None)
        # each hub's solve checks these: check them once, before any work
        SolveOptions(time_limit=self.time_limit, gap=self.gap, seed=self.seed, objective=self.objective, factors=self.emission_factors())
        if self.factors is not None and self.objective != "emissions":
            raise InputError("factors", "emission factors are only used with the emissions objective")

    def emission_factors(self) -> EmissionFactors | None:
        """The factors an emissions batch uses: the defaults with the factors file laid over them."""
        return load_factors(self.factors) if self.objective == "emissions" else None


@dataclass(frozen=True)
class HubTask:
    """A hub's name and instance file."""

    hub: str
    instance: Path

    def digest(self, options: BatchOptions) -> str:
        """Hash of the instance file's bytes and the options: a result with this hash is current."""
        h = hashlib.sha256(self.instance.read_bytes())
        h.update(json.dumps(asdict(options), sort_keys=True).encode())
        if options.factors is not None:  # a changed factors file changes every result
            h.update(Path(options.factors).read_bytes())
        return h.hexdigest()


def solve_hub(instance_path: str, options: dict[str, Any]) -> dict[str, Any]:
    """Solve one hub on one solver thread; returns the result, the plan and the log as plain data.

    Runs in a worker process (a local pool or a Dask worker): everything it returns pickles, and
    anything it raises is the hub's failure reason.
    """
    opts = BatchOptions(**options)
    instance = load_instance(instance_path)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        result = solve(
            instance, model=opts.model,
            options=SolveOptions(
                time_limit=opts.time_limit, gap=opts.gap, seed=opts.seed, threads=1, log=True,
                objective=opts.objective, factors=opts.emission_factors(),
            ),
        )
    return {
        "result": result.to_dict(),
        "plan": result.plan.to_dict() if result.plan is not None else None,
        "log": log.getvalue(),
    }
