"""What "within a limit" means: one definition for the checker and every model.

A plan is feasible when each route's load, distance and stop count are within the vehicle's limits
*exactly*, up to the rounding noise of adding floating-point numbers. That noise is bounded by a few
units in the last place of the sum, so the allowance is :data:`FLOAT_NOISE` relative to the limit:
a distance of 100.00005 km on a 100 km limit is over it, and so is a load of 1,000,001 on a capacity
of 1,000,000. The checker, the models' exact reductions, the pricing and the heuristic all use it.

It is also the home of every other tolerance of the package, one name per meaning, so that no bare
``1e-9`` or ``1e-6`` appears anywhere else (``tests/test_limits.py`` checks it):

- :data:`FLOAT_NOISE` (1e-9, relative): what float sums get wrong; values this close are equal.
- :data:`SOLVER_TOLERANCE` (1e-6): what a solver's numbers are good to (HiGHS's default
  ``mip_abs_gap`` and ``mip_feasibility_tolerance``): an LP value below it is zero, objectives and
  bounds this close are the same number.
- :data:`MIN_SECONDS` and :func:`solver_seconds`: a solver's time limit when no time is left.
"""

from __future__ import annotations

FLOAT_NOISE = 1e-9  # relative allowance for the rounding of float sums (a sum of n terms errs by ~n * 1.1e-16)
SOLVER_TOLERANCE = 1e-6  # what an LP/MIP solver's values, objectives and bounds are good to (HiGHS's defaults)
MIN_SECONDS = 0.01  # the time limit a solver gets when none is left: positive (HiGHS needs it), it stops at once


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


def solver_seconds(seconds: float) -> float:
    """A time limit a solver accepts: ``seconds``, but at least :data:`MIN_SECONDS`.

    Parameters
    ----------
    seconds : float
        The time left, possibly zero or negative once a deadline has passed.

    Returns
    -------
    float
        ``max(seconds, MIN_SECONDS)``.
    """
    return max(seconds, MIN_SECONDS)
