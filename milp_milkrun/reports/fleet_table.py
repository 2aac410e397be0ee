"""``milkrun fleet``: the recommended fleet, its plan and bound, and the comparison with the current fleet."""

from __future__ import annotations

from milp_milkrun.fleet import FleetOutcome, FleetRecommendation
from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.reports.check_table import check_table
from milp_milkrun.reports.instance_summary import number
from milp_milkrun.reports.solve_table import STATUS_WORDS


def fleet_table(rec: FleetRecommendation) -> str:
    """The recommendation (types and counts, cost, bound, gap), the table against the current fleet,
    the candidates and the recommended plan's routes, in plain text.

    Parameters
    ----------
    rec
        A recommendation from :func:`milp_milkrun.fleet.recommend_fleet`.

    Returns
    -------
    str
        The report ``milkrun fleet`` prints.
    """
    new, old = rec.recommended, rec.current
    result = new.result
    lines = [f"RECOMMENDED FLEET  {fleet_text(new)}"]
    if new.has_plan and new.cost is not None:  # a plan always has a cost
        lines.append(
            f"cost {number(new.cost)} {rec.currency}  bound {_maybe(result.bound)}  gap {_gap(result.gap)}  "
            f"({STATUS_WORDS[result.status]}; model {result.model}, seed {rec.seed}, {result.runtime_s:.1f} s)"
        )
    else:
        lines.append(f"{STATUS_WORDS[result.status]}: {result.message}")
    if rec.saving is not None:
        lines.append(saving_line(rec, rec.saving))
    if rec.note:
        lines.append(f"costs: {rec.note}")
    lines += ["", *comparison_rows(rec), "", "candidate types:"]
    for vt in new.instance.vehicle_types:
        count = "unlimited" if vt.unlimited else f"at most {vt.count}"
        lines.append(
            f"  {vt.name:<10} capacity {number(vt.capacity)}, {number(vt.fixed_cost)} per vehicle + "
            f"{vt.cost_per_km:g} per {new.instance.distance_unit}, {count}"
        )
    if old.result.message and not old.has_plan:
        lines.append(f"current fleet: {old.result.message}")
    if new.result.check is not None:
        lines += ["", "plan of the recommended fleet:", check_table(new.instance, new.result.check)]
    return "\n".join(lines)


def saving_line(rec: FleetRecommendation, saving: float) -> str:
    """The saving (``rec.saving``) against the current fleet's best plan found, and what of it is proven."""
    old = rec.current
    relative = f" ({100 * abs(saving) / old.cost:.1f}%)" if old.cost else ""
    if saving < 0:  # candidates without the current types can cost more
        return f"costs {number(-saving)} {rec.currency}{relative} more than the best plan found for the current fleet"
    if saving <= FLOAT_NOISE * max(1.0, abs(old.cost or 0.0)):
        return "costs the same as the best plan found for the current fleet: no change pays"
    text = f"saves {number(saving)} {rec.currency}{relative} against the best plan found for the current fleet"
    if rec.proven_saving is not None and old.result.bound is not None:  # a proven saving comes from that bound
        return (
            text
            + f"; proven: at least {number(rec.proven_saving)} against any plan of the current fleet (its bound {number(old.result.bound)})"
        )
    if old.result.bound is not None:
        return (
            text
            + f"; not proven against every plan of the current fleet (its bound {number(old.result.bound)} is not above this cost)"
        )
    return (
        text
        + "; not proven: the current fleet's plan has no bound, so a better plan of it may narrow or erase this saving"
    )


def fleet_text(outcome: FleetOutcome) -> str:
    """``large 2, small 9`` (types used, in type order), or ``-`` without a plan."""
    if not outcome.has_plan:
        return "-"
    return ", ".join(f"{name} {n}" for name, n in outcome.counts.items() if n) or "no vehicles"


def comparison_rows(rec: FleetRecommendation) -> list[str]:
    """Cost, distance, vehicles, utilisation, bound and gap of both fleets and the change."""
    new, old = rec.recommended, rec.current
    unit = new.instance.distance_unit
    rows = [
        ("", "current fleet", "recommended", "change"),
        ("fleet used", fleet_text(old), fleet_text(new), _fleet_change(old, new)),
        (f"cost ({rec.currency})", _maybe(old.cost), _maybe(new.cost), _change(old.cost, new.cost)),
        (f"distance ({unit})", _maybe(old.distance), _maybe(new.distance), _change(old.distance, new.distance)),
        ("vehicles", _maybe(old.vehicles), _maybe(new.vehicles), _change(old.vehicles, new.vehicles, relative=False)),
        ("utilisation", _share(old.utilisation), _share(new.utilisation), _points(old.utilisation, new.utilisation)),
        ("lower bound", _maybe(old.result.bound), _maybe(new.result.bound), ""),
        ("gap", _gap(old.result.gap), _gap(new.result.gap), ""),
        ("status", old.result.status, new.result.status, ""),
    ]
    widths = [max(len(row[k]) for row in rows) for k in range(4)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _fleet_change(old: FleetOutcome, new: FleetOutcome) -> str:
    if not (old.has_plan and new.has_plan):
        return ""
    names = [*old.counts, *(n for n in new.counts if n not in old.counts)]
    changes = [
        f"{name} {new.counts.get(name, 0) - old.counts.get(name, 0):+d}"
        for name in names
        if new.counts.get(name, 0) != old.counts.get(name, 0)
    ]
    return ", ".join(changes) or "none"


def _change(old: float | None, new: float | None, *, relative: bool = True) -> str:
    if old is None or new is None:
        return ""
    text = f"{'+' if new - old >= 0 else '-'}{number(abs(new - old))}"
    return text + (f" ({100 * (new - old) / old:+.1f}%)" if relative and old else "")


def _points(old: float | None, new: float | None) -> str:
    return "" if old is None or new is None else f"{100 * (new - old):+.0f} points"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _maybe(value: float | None) -> str:
    return "-" if value is None else number(value)


def _gap(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.2f}%"
