"""What "within a limit" means: one definition for the checker and every model.

A plan is feasible when each route's load, distance and stop count are within the vehicle's limits
*exactly*, up to the rounding noise of adding floating-point numbers. That noise is bounded by a few
units in the last place of the sum, so the allowance is :data:`FLOAT_NOISE` relative to the limit:
a distance of 100.00005 km on a 100 km limit is over it, and so is a load of 1,000,001 on a capacity
of 1,000,000. The checker, the models' exact reductions, the pricing and the heuristic all use it.
"""

from __future__ import annotations

FLOAT_NOISE = 1e-9  # relative allowance for the rounding of float sums (a sum of n terms errs by ~n * 1.1e-16)


def allowance(limit: float) -> float:
    """The largest value that still counts as within ``limit``.

    Parameters
    ----------
    limit
        A capacity, distance limit or other upper bound.

    Returns
    -------
    float
        ``limit`` plus :data:`FLOAT_NOISE` times ``max(1, |limit|)``.
    """
    return limit + FLOAT_NOISE * max(1.0, abs(limit))


def exceeds(value: float, limit: float) -> bool:
    """True when ``value`` is over ``limit`` by more than float noise (see :func:`allowance`).

    Parameters
    ----------
    value : float
        A load, distance or count.
    limit : float
        Its upper bound.

    Returns
    -------
    bool
        ``value > allowance(limit)``.
    """
    return value > allowance(limit)
