"""The equation families of the formulation (docs/formulation.md), shared by every model builder.

Both the Pyomo and the PuLP model name their constraint blocks exactly as here, so that
``milkrun inspect`` and ``milkrun crosscheck`` can compare them family by family.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    number: str  # the equation's number in the seed paper ("2b" and 15-18 are this toolkit's additions)
    name: str  # the component name in every model, e.g. "eq05_capacity"
    math: str  # one line of mathematics, as printed by `milkrun inspect`


EXACT_FAMILIES: tuple[Family, ...] = (
    Family("1", "eq01_objective", "min sum_t sum_i sum_{j!=i} d_ij x^t_ij"),
    Family("2", "eq02_flow_balance", "sum_{i!=j} x^t_ij = sum_{i!=j} x^t_ji   for all j in V, t in T"),
    Family("2b", "eq02b_single_trip", "sum_{j in V'} x^t_0j <= 1   for all t in T"),
    Family("3", "eq03_one_in", "sum_t sum_{i!=j} x^t_ij = 1   for all j in V'"),
    Family("4", "eq04_one_out", "sum_t sum_{j!=i} x^t_ij = 1   for all i in V'"),
    Family("5", "eq05_capacity", "sum_i sum_{j in V', j!=i} l_j x^t_ij <= Q_t   for all t"),
    Family("6", "eq06_distance", "sum_i sum_{j!=i} d_ij x^t_ij <= D_t   for all t with a distance limit"),
    Family("7", "eq07_stops", "sum_i sum_{j!=i} x^t_ij - 1 <= H_t   for all t with a stop limit"),
    Family("8", "eq08_forbidden_in", "sum_{i!=v} x^t_iv = 0   for all (v, t) in B"),
    Family("9", "eq09_forbidden_out", "sum_{j!=v} x^t_vj = 0   for all (v, t) in B"),
    Family("10", "eq10_consecutive", "sum_t x^t_ij = 1   for all (i, j) in P"),
    Family("11", "eq11_damaged", "sum_t (x^t_ij + x^t_ji) = 0   for all (i, j) in R"),
    Family("12", "eq12_order_lower", "u_i >= 1   for all i in V'"),
    Family("13", "eq13_order_upper", "u_i <= N   for all i in V'"),
    Family("14", "eq14_mtz", "u_i - u_j + N sum_t x^t_ij <= N - 1   for all i != j in V'"),
)

TIME_FAMILIES: tuple[Family, ...] = (
    Family(
        "15",
        "eq15_time_flow",
        "theta^t_j >= theta^t_i + s_i + tau^t_ij - M^t_ij (1 - x^t_ij)   for all (i, j) in A, t in T   (theta^t_0: dep_t out, ret_t back)",
    ),
    Family(
        "16",
        "eq16_time_windows",
        "sum_w a_jw y_jw <= theta^t_j <= sum_w b_jw y_jw, sum_w y_jw = 1   for all j in V', t in T",
    ),
    Family("17", "eq17_hub_hours", "a_0 <= dep_t <= ret_t <= b_0   for all t in T"),
    Family("18", "eq18_shift", "ret_t - dep_t <= S_t   for all t with a shift"),
)
"""The time extension (docs/formulation.md, "Time"): built only for an instance with time."""

FAMILY_BY_NAME = {f.name: f for f in (*EXACT_FAMILIES, *TIME_FAMILIES)}


def families_of(has_time: bool) -> tuple[Family, ...]:
    """The families of the exact model of an instance: Eq 1-14 and 2b, then Eq 15-18 with time.

    Parameters
    ----------
    has_time : bool
        Whether the instance has time (``Instance.has_time``).

    Returns
    -------
    tuple[Family, ...]
        The families in the order of the formulation.
    """
    return (*EXACT_FAMILIES, *TIME_FAMILIES) if has_time else EXACT_FAMILIES
