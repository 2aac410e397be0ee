"""Draw a plan: the hub, the DCs and one coloured round trip per vehicle (matplotlib).

:func:`plot_routes` draws into a caller's axes (a notebook composes figures with it) and leaves the
matplotlib backend alone; :func:`save_route_plot` writes a file through matplotlib's object-oriented
``Figure``, which needs no display and no backend choice.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io.files import PLOT_SUFFIXES, check_output_path, write_atomically
from milp_milkrun.plan import Plan


def plot_routes(instance: Instance, plan: Plan, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw ``plan`` into ``ax`` (a new figure's axes when None); legend: vehicle, type, load/capacity.

    Parameters
    ----------
    instance, plan
        The instance and a plan of it (the figures drawn are the checker's recomputation).
    ax
        Matplotlib axes to draw into; ``None`` makes a new figure.
    title
        The axes title; by default the instance name, route count and total distance.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.
    """
    if instance.coordinates == "none":
        raise InputError("plot", f"instance {instance.name} has no coordinates (only a distance matrix) to draw")
    report = check_plan(instance, plan)
    position = {instance.hub.id: (instance.hub.x, instance.hub.y), **{dc.id: (dc.x, dc.y) for dc in instance.dcs}}
    if ax is None:
        ax = Figure(figsize=(9, 8)).add_subplot()
    colours = matplotlib.colormaps["tab20"]
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
    return ax


def save_route_plot(instance: Instance, plan: Plan, path: str | Path, *, title: str | None = None) -> None:
    """Write the drawing of ``plan`` to ``path`` (PNG, PDF, SVG or JPEG, by suffix), atomically."""
    path = check_output_path(path, field="plot", suffixes=PLOT_SUFFIXES)
    figure = Figure(figsize=(9, 8))
    plot_routes(instance, plan, figure.add_subplot(), title=title)
    image = io.BytesIO()
    figure.savefig(image, format=path.suffix.lower().lstrip(".").replace("jpg", "jpeg"), dpi=120, bbox_inches="tight")
    write_atomically(path, lambda temporary: temporary.write_bytes(image.getvalue()))


def _aspect(instance: Instance) -> float:
    """1 for plane coordinates; for lon/lat, 1/cos(latitude) so that a km looks the same both ways."""
    if instance.coordinates != "latlon":
        return 1.0
    return 1.0 / math.cos(math.radians(float(instance.hub.y)))  # type: ignore[arg-type]


def _distinct(k: int) -> int:
    """tab20 lists each hue dark then light: take the 10 dark ones first, then the light ones."""
    return (2 * k) % 20 + (k // 10) % 2
