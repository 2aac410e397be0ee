"""``milkrun show``: what an instance asks for, in the figures a planner would quote."""

from __future__ import annotations

import textwrap

from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.io.json_instance import forbidden_entries, original_roads
from milp_milkrun.timing import clock

DESCRIPTION_SHOWN = 600  # characters of the description printed by `show`


def instance_summary(instance: Instance) -> str:
    """A plain-text summary: DCs, demand, fleet, side constraints, distances, splits, warnings.

    Parameters
    ----------
    instance : Instance
        Any instance.

    Returns
    -------
    str
        The summary.
    """
    unit = instance.distance_unit
    hub_distances = [instance.dist(instance.hub.id, dc.id) for dc in instance.dcs]
    lines = [f"instance       {instance.name}"]
    if instance.description:
        lines.append(
            textwrap.fill(
                _shortened(instance.description),
                width=100,
                initial_indent="description    ",
                subsequent_indent=" " * 15,
            )
        )
    lines += [
        f"hub            {instance.hub.id}",
        f"DCs            {_count_dcs(instance)}",
        f"total demand   {number(instance.total_demand)}",
        f"fleet          {_fleet(instance)}",
        *(f"  {_vehicle_type_line(vt, unit)}" for vt in instance.vehicle_types),
        f"objective      {instance.objective}",
        "side constraints",
        *(f"  {line}" for line in _side_constraint_lines(instance)),
        f"distances      {instance.distance_spec.describe()}, in {unit}",
        f"               hub to DC: {number(min(hub_distances))} .. {number(max(hub_distances))} {unit}",
        *_time_lines(instance),
        f"splits         {_splits(instance)}",
        f"warnings       {'; '.join(instance.warnings) if instance.warnings else 'none'}",
    ]
    return "\n".join(lines)


def _time_lines(instance: Instance) -> list[str]:
    """The hub's hours, the windows, service times, travel times and shifts (nothing without time)."""
    if instance.hub_hours is None:
        return ["time           none"]
    opens, closes = instance.hub_hours
    own = [dc for dc in instance.dcs if dc.windows]
    several = sum(1 for dc in own if len(dc.windows) > 1)
    service = instance.service_time[1:]
    speeds = ", ".join(f"{vt.name} {number(instance.speed(vt) or 0)}" for vt in instance.vehicle_types)
    travel = (
        "a travel-time matrix (minutes)"
        if instance.travel_matrix is not None
        else f"speed {speeds} {instance.distance_unit}/h"
    )
    shifts = (
        ", ".join(f"{vt.name} {clock(vt.shift)}" for vt in instance.vehicle_types if vt.shift is not None) or "none"
    )
    return [
        f"time           hub open {clock(opens)}-{clock(closes)}; windows at {len(own)} of {len(instance.dcs)} DCs ({several} with several)",
        f"               service {number(min(service))} .. {number(max(service))} min; travel by {travel}; shifts {shifts}",
    ]


def _shortened(text: str) -> str:
    """At most DESCRIPTION_SHOWN characters: a summary, and textwrap is slow on megabytes of text."""
    if len(text) <= DESCRIPTION_SHOWN:
        return text
    return f"{text[:DESCRIPTION_SHOWN]}... ({len(text):,} characters in all)"


def number(value: float) -> str:
    """A number as the reports print it: 17424 -> '17,424'; 4823.456 -> '4,823.5'.

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
        Whole numbers with thousands separators, others with one decimal.
    """
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def percent(part: float, whole: float) -> str:
    """``part`` as a whole percentage of ``whole``.

    Parameters
    ----------
    part, whole : float
        The share and the total.

    Returns
    -------
    str
        E.g. ``"93%"``; ``"-"`` when ``whole`` is zero.
    """
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _count_dcs(instance: Instance) -> str:
    originals = len({dc.origin for dc in instance.dcs})
    if originals == instance.n_dcs:
        return str(originals)
    return f"{originals} ({instance.n_dcs} nodes after splitting)"


def _fleet(instance: Instance) -> str:
    if any(vt.unlimited for vt in instance.vehicle_types):
        return "unlimited (fleet size and mix: as many vehicles of an unlimited type as a plan needs)"
    capacity = instance.fleet_capacity
    return f"{len(instance.vehicles)} vehicles, total capacity {number(capacity)} ({percent(instance.total_demand, capacity)} needed)"


def _vehicle_type_line(vt: VehicleType, unit: str) -> str:
    stops = f"<= {vt.max_stops} DCs" if vt.max_stops is not None else "any number of DCs"
    distance = f"<= {number(vt.max_distance)} {unit}" if vt.max_distance is not None else "no distance limit"
    count = "unlimited" if vt.unlimited else f"{vt.count:>3} x"
    costs = (
        f"   fixed cost {number(vt.fixed_cost)}, {vt.cost_per_km:g} per distance unit ({unit})"
        if vt.fixed_cost or vt.cost_per_km != 1.0
        else ""
    )
    return f"{vt.name:<10} {count} capacity {number(vt.capacity):>7}   {stops:<18} {distance}{costs}"


def _side_constraint_lines(instance: Instance) -> list[str]:
    # not instance_to_dict: that copies the whole distance matrix, the bulk of a large file
    forbidden = [f"{e['dc']} not by {e.get('vehicle_type') or e.get('vehicle')}" for e in forbidden_entries(instance)]
    consecutive = [f"{a} -> {b}" for a, b in instance.consecutive]
    damaged = [f"{a} - {b}" for a, b in original_roads(instance)]
    return [
        f"forbidden      {_listing(forbidden)}",
        f"consecutive    {_listing(consecutive)}",
        f"damaged roads  {_listing(damaged)}",
    ]


def _listing(items: list[str]) -> str:
    return f"{len(items)}: {', '.join(items)}" if items else "none"


def _splits(instance: Instance) -> str:
    if not instance.splits:
        return "none"
    demand = {dc.id: dc.demand for dc in instance.dcs}
    return "; ".join(
        f"{origin} ({number(sum(demand[p] for p in parts))}) -> "
        + ", ".join(f"{p} ({number(demand[p])})" for p in parts)
        for origin, parts in instance.splits
    )
