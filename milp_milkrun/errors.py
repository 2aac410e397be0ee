"""Errors the toolkit raises for bad input; the CLI turns them into one clear line and exit code 2."""

from __future__ import annotations


class InputError(ValueError):
    """A problem with an instance or plan file that the user must fix.

    ``field`` names where the problem is (a JSON path such as ``dcs[3].demand``, a DC id or a
    vehicle name) so the message points the user straight at it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        """Rebuild from (field, message) when pickled, e.g. raised in a worker process of a batch."""
        return InputError, (self.field, self.message)


class InfeasibleInstanceError(ValueError):
    """A cheap pre-solve check proved the instance has no feasible plan; ``reasons`` names the causes."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("instance is infeasible: " + "; ".join(reasons))
        self.reasons = reasons

    def __reduce__(self) -> tuple[type[InfeasibleInstanceError], tuple[list[str]]]:
        return InfeasibleInstanceError, (self.reasons,)


class CheckFailedError(RuntimeError):
    """A plan produced by a solver or heuristic failed the independent checker: a bug, never hidden."""
