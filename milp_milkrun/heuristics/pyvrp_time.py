"""Time (Eq 15-18) as PyVRP states it: receiving windows, service times, the hub's hours and shifts.

PyVRP gives each client one time window (the latest start of service, as Eq 16 reads a window's close), a
service duration, the depot and each vehicle type the hub's hours, and each vehicle type a shift duration and its
own duration matrix (its routing profile: the type's speed, or the instance's travel-time matrix). It states neither
a DC of several windows, nor a chain of consecutive DCs entered as one client (the chain's own schedule inside it),
nor a cost per hour of route duration as the toolkit prices it: :func:`time_refusal` names which, and the caller
runs the own search instead.

PyVRP counts time in integers. The scale is the least of :data:`TIME_SCALES` under which every time is whole
(Solomon's travel times, distances truncated to one decimal: 10, exactly); otherwise the last, with every number
rounded towards infeasibility (travel, service and openings up; closings and shifts down), so a plan PyVRP
calls on time is on time. Either way the independent checker re-checks every plan PyVRP returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import FLOAT_NOISE

TIME_SCALES = (1, 10, 100, 1000)  # minutes are stated x the first of these that makes every time whole
UNBOUNDED = 2**63 - 1  # PyVRP's own default for a window that never closes and a shift without a limit


def time_refusal(instance: Instance, units: Sequence[tuple[int, ...]], hourly: bool) -> str | None:
    """Why PyVRP cannot state the time of ``instance`` exactly, in one line; None when it can (or it has none).

    Parameters
    ----------
    instance : Instance
        The instance.
    units : Sequence[tuple[int, ...]]
        Node indices of each unit the search moves whole (a chain of consecutive DCs, or one DC).
    hourly : bool
        Whether some vehicle's routes cost per hour of duration.
    """
    if not instance.has_time:
        return None
    chain = next((u for u in units if len(u) > 1), None)
    if chain is not None:
        ids = ", ".join(instance.node_ids[n] for n in chain)
        return f"PyVRP does not state time windows on a chain of consecutive DCs ({ids})"
    several = next((dc for dc in instance.dcs if len(dc.windows) > 1), None)
    if several is not None:
        return f"PyVRP states one time window per DC; DC {several.id} has {len(several.windows)}"
    if hourly:
        return "PyVRP does not state time windows beside a cost per hour of route duration"
    return None


@dataclass(frozen=True)
class PyvrpTime:
    """An instance's time in PyVRP's integers (minutes x ``scale``), node-indexed as the instance; without time,
    windows that never close, no service, no travel time and no shift."""

    scale: int
    hub: tuple[int, int]  # the hub's opening and closing
    windows: list[tuple[int, int]]  # per node: (open, close); the hub's hours where a DC gives none
    service: list[int]  # per node
    travel: dict[str, np.ndarray]  # per vehicle type name: the travel-time matrix
    shift: dict[str, int]  # per vehicle type name: the longest route (UNBOUNDED without a shift)


def pyvrp_time(instance: Instance) -> PyvrpTime:
    """The time of ``instance`` (which passes :func:`time_refusal`) in PyVRP's integers."""
    types = instance.vehicle_types
    if not instance.has_time:
        nodes = instance.n_dcs + 1
        return PyvrpTime(
            scale=1,
            hub=(0, UNBOUNDED),
            windows=[(0, UNBOUNDED)] * nodes,
            service=[0] * nodes,
            travel={vt.name: np.zeros((nodes, nodes), dtype=np.int64) for vt in types},
            shift={vt.name: UNBOUNDED for vt in types},
        )
    windows = [w for node in instance.windows for w in node]
    service = instance.service_time
    travel = {vt.name: instance.travel_time(vt) for vt in types}
    shifts = [vt.shift for vt in types if vt.shift is not None]
    values = np.concatenate(
        [np.ravel(windows), service, *(m.ravel() for m in travel.values()), shifts, instance.hub_hours or ()]
    )
    scale = next((s for s in TIME_SCALES if _whole(values * s)), TIME_SCALES[-1])
    hub_open, hub_close = instance.hub_hours or (0.0, 0.0)
    return PyvrpTime(
        scale=scale,
        hub=(_up(hub_open, scale), _down(hub_close, scale)),
        windows=[(_up(w[0][0], scale), _down(w[0][1], scale)) for w in instance.windows],
        service=[_up(s, scale) for s in service],
        travel={name: np.ceil(m * scale * (1 - FLOAT_NOISE)).astype(np.int64) for name, m in travel.items()},
        shift={vt.name: _shift(vt, scale) for vt in types},
    )


def _shift(vehicle_type: VehicleType, scale: int) -> int:
    return UNBOUNDED if vehicle_type.shift is None else _down(vehicle_type.shift, scale)


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.round(values)) <= FLOAT_NOISE * np.maximum(1.0, np.abs(values))))


def _up(minutes: float, scale: int) -> int:
    """``minutes`` x ``scale`` rounded up (a whole value stays itself despite float noise)."""
    return math.ceil(minutes * scale * (1 - FLOAT_NOISE))


def _down(minutes: float, scale: int) -> int:
    """``minutes`` x ``scale`` rounded down (a whole value stays itself despite float noise)."""
    return math.floor(minutes * scale * (1 + FLOAT_NOISE))
