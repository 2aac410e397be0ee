"""One hub of a batch: what to solve, and the solve itself as it runs in a worker process."""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from milp_milkrun.emissions.factors import EmissionFactors, factors_for_objective
from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance
from milp_milkrun.options import DEFAULT_SEED
from milp_milkrun.runtime.logs import show_log
from milp_milkrun.solve import SolveOptions, check_choices, solve

MIN_SECONDS = 0.01  # what the solver gets when reading the hub used up its whole time limit


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
        SolveOptions(
            time_limit=self.time_limit,
            gap=self.gap,
            seed=self.seed,
            objective=self.objective,
            factors=self.emission_factors(),
        )

    def emission_factors(self) -> EmissionFactors | None:
        """The factors an emissions batch uses: the defaults with the factors file laid over them.

        Returns
        -------
        EmissionFactors or None
            The factors, or None unless the objective is emissions.
        """
        return factors_for_objective(self.objective, self.factors)


@dataclass(frozen=True)
class HubTask:
    """A hub's name and instance file."""

    hub: str
    instance: Path

    def digest(self, options: BatchOptions) -> str:
        """Hash of the instance file's bytes and the options: a result with this hash is current.

        Parameters
        ----------
        options : BatchOptions
            How the hub is solved.

        Returns
        -------
        str
            The SHA-256 hex digest.
        """
        h = hashlib.sha256(self.instance.read_bytes())
        h.update(json.dumps(asdict(options), sort_keys=True).encode())
        if options.factors is not None:  # a changed factors file changes every result
            h.update(Path(options.factors).read_bytes())
        return h.hexdigest()


def solve_hub(instance_path: str, options: dict[str, Any]) -> dict[str, Any]:
    """Solve one hub on one solver thread.

    Runs in a worker process (a local pool or a Dask worker): everything it returns pickles, and
    anything it raises is the hub's failure reason.

    Parameters
    ----------
    instance_path : str
        The hub's instance file.
    options : dict[str, Any]
        The fields of a :class:`BatchOptions`.

    Returns
    -------
    dict[str, Any]
        ``result`` (``SolveResult.to_dict()``), ``plan`` (or None) and ``log`` (the progress and solver
        log), as plain data; or ``input_error`` alone when the instance or options are wrong (the batch
        checks them before any hub runs, so only a file changed since then gets here).
    """
    started = time.monotonic()
    try:
        opts = BatchOptions(**options)
        instance = load_instance(instance_path)
    except InputError as exc:  # a failure of the input, not of the run: reported, never retried
        return {"input_error": f"{exc.field}: {exc.message}"}
    log = io.StringIO()
    with show_log(log):  # the hub's progress and solver log, kept in its log.txt
        result = solve(
            instance,
            model=opts.model,
            options=SolveOptions(
                time_limit=max(MIN_SECONDS, opts.time_limit - (time.monotonic() - started)),  # the limit covers reading
                gap=opts.gap,
                seed=opts.seed,
                threads=1,
                log=True,
                objective=opts.objective,
                factors=opts.emission_factors(),
            ),
        )
    return {
        "result": result.to_dict(),
        "plan": result.plan.to_dict() if result.plan is not None else None,
        "log": log.getvalue(),
    }
