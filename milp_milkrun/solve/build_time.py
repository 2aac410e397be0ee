"""How long a formulation takes to build, estimated before it starts: a build checks no clock.

The exact model (Pyomo or PuLP) and the strong model are built in plain Python, which no time limit
stops: on a large instance the build alone would outlast the limit (the strong model of 1,000 DCs took
477 s). So a run whose build is estimated to take longer than its whole time limit is not started
(:func:`too_slow_to_build`): the run keeps its start plan and says why. The estimates follow the sizes
that dominate each build, with the growth measured on generated hubs (benchmarks/bench_build.py's
``random_instance`` and instances/hub.py; the exact model at 74-200 DCs, the strong one at 100-1,000; load 1-3): the
exact model's ``K (N+1)^2`` arc variables (Pyomo and
PuLP alike, K the vehicles built), the strong model's ``(N+1)^2`` arcs per vehicle type. The route
engine checks its clock in every phase and is never refused.
"""

from __future__ import annotations

from milp_milkrun.instance import Instance

BUILD_GROWTH = 1.3  # seconds grow as size ** BUILD_GROWTH (measured on both models)
# the exact model: PuLP 0.8 s for ecom74's 84,375 variables, 2.4 s for 234,623 (100 DCs), 13.8 s for 752,433 (150);
# Pyomo 0.4, 1.6 and 6.2 s, 25.6 s for 1,738,043 (200 DCs): at most EXACT_SECONDS_PER_VARIABLE * variables ** 1.3
EXACT_SECONDS_PER_VARIABLE = 3.5e-7
# the strong model: 10,100 arcs in 0.8 s (100 DCs), 61,182 in 9.1 s (200), 1,515,942 in 477 s (1,000 DCs):
# about STRONG_SECONDS_PER_ARC * arcs ** 1.3 (0.9, 8.3 and 540 s)
STRONG_SECONDS_PER_ARC = 5e-6


def build_seconds(instance: Instance, model: str) -> float:
    """The estimated seconds to build ``model`` for ``instance`` (0 for a model that checks its clock).

    Parameters
    ----------
    instance : Instance
        The instance.
    model : str
        ``exact``, ``strong`` or ``routes``.

    Returns
    -------
    float
        The estimate; an upper figure of the measurements above.
    """
    nodes = instance.n_dcs + 1
    if model == "exact":
        return EXACT_SECONDS_PER_VARIABLE * (len(instance.vehicles) * nodes**2) ** BUILD_GROWTH
    if model == "strong":  # at most: every arc for every vehicle type
        return STRONG_SECONDS_PER_ARC * (len(instance.vehicle_types) * nodes**2) ** BUILD_GROWTH
    return 0.0


def too_slow_to_build(instance: Instance, model: str, seconds: float) -> str | None:
    """Why ``model`` is not built within ``seconds``, or None when its estimated build fits.

    Parameters
    ----------
    instance : Instance
        The instance.
    model : str
        ``exact``, ``strong`` or ``routes``.
    seconds : float
        The run's time left.

    Returns
    -------
    str or None
        One line for the result's message, naming the estimate and the limit.
    """
    estimate = build_seconds(instance, model)
    if estimate <= seconds:
        return None
    return (
        f"the {model} model of {instance.n_dcs:,} DCs was not built: about {estimate:,.0f} s to build, more than "
        f"the {seconds:,.1f} s left (the route engine, --model routes, keeps to any limit)"
    )
