"""Draw a plan: the hub, the DCs and one coloured round trip per vehicle (matplotlib, no display needed)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: works on servers and in CI without a display
import matplotlib.pyplot as plt  # noqa: E402  (must follow the backend choice)

from milp_milkrun.checker import check_plan  # noqa: E402
from milp_milkrun.errors import InputError  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.plan import Plan  # noqa: E402


def plot_routes(instance: Instance, plan: Plan, path: str | Path, *, title: str | None = None) -> None:
    """Save a PNG (or any matplotlib format, by suffix) of ``plan``; legend: vehicle, type, load/capacity."""
    if instance.coordinates == "none":
        raise InputError("--plot", f"instance {instance.name} has no coordinates (only a distance matrix) to draw")
    report = check_plan(instance, plan)
    position = {instance.hub.id: (instance.hub.x, instance.hub.y), **{dc.id: (dc.x, dc.y) for dc in instance.dcs}}
    fig, ax = plt.subplots(figsize=(9, 8))
    colours = plt.get_cmap("tab20")
    for k, route in enumerate(report.routes):
        path_ids = [instance.hub.id, *route.stops, instance.hub.id]
        xs, ys = zip(*(position[node] for node in path_ids))
        label = f"{route.vehicle} ({route.vehicle_type}): {route.load:g}/{route.capacity:g}, {len(route.stops)} DCs"
        ax.plot(xs, ys, "-", color=colours(_distinct(k)), linewidth=1.6, label=label)
    dc_x, dc_y = zip(*(position[dc.id] for dc in instance.dcs))
    ax.scatter(dc_x, dc_y, s=22, color="black", zorder=3, label="DC")
    ax.scatter([instance.hub.x], [instance.hub.y], s=180, marker="*", color="red", zorder=4, label=f"hub {instance.hub.id}")
    for dc in instance.dcs:
        ax.annotate(dc.origin, (dc.x, dc.y), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("longitude" if instance.coordinates == "latlon" else "x")
    ax.set_ylabel("latitude" if instance.coordinates == "latlon" else "y")
    ax.set_title(title or f"{instance.name}: {len(report.routes)} routes, {report.objective:,.1f} {instance.distance_unit}")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_aspect(_aspect(instance), adjustable="datalim")
    fig.savefig(str(path), dpi=120, bbox_inches="tight")
    plt.close(fig)


def _aspect(instance: Instance) -> float:
    """1 for plane coordinates; for lon/lat, 1/cos(latitude) so that a km looks the same both ways."""
    if instance.coordinates != "latlon":
        return 1.0
    return 1.0 / math.cos(math.radians(float(instance.hub.y)))  # type: ignore[arg-type]


def _distinct(k: int) -> int:
    """tab20 lists each hue dark then light: take the 10 dark ones first, then the light ones."""
    return (2 * k) % 20 + (k // 10) % 2
