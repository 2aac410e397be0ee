"""One hub of a batch: what to solve, and the solve itself as it runs in a worker process."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance
from milp_milkrun.runtime.logs import show_log
from milp_milkrun.solve import SolveOptions, check_choices, solve
from milp_milkrun.options import DEFAULT_SEED

OBJECTIVES = ("distance",)  # what a batch may minimise; the route engine minimises distance


@dataclass(frozen=True)
class BatchOptions:
    """The options every hub of a batch is solved with; part of each result's hash."""

    model: str = "routes"
    time_limit: float = 60.0
    gap: float = 1e-4
    seed: int = DEFAULT_SEED
    objective: str = "distance"

    def __post_init__(self) -> None:
        check_choices(model=self.model, backend="highs", solver=None)
        SolveOptions(time_limit=self.time_limit, gap=self.gap, seed=self.seed)  # each hub's solve checks these: check them once, before any work
        if self.objective not in OBJECTIVES:
            raise InputError("objective", f"a batch minimises {', '.join(OBJECTIVES)}; got {self.objective!r}")


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
        log), as plain data.
    """
    opts = BatchOptions(**options)
    instance = load_instance(instance_path)
    log = io.StringIO()
    with show_log(log):  # the hub's progress and solver log, kept in its log.txt
        result = solve(
            instance, model=opts.model,
            options=SolveOptions(time_limit=opts.time_limit, gap=opts.gap, seed=opts.seed, threads=1, log=True),
        )
    return {
        "result": result.to_dict(),
        "plan": result.plan.to_dict() if result.plan is not None else None,
        "log": log.getvalue(),
    }
