"""Draw a plan: the hub, the DCs and one coloured round trip per vehicle (matplotlib).

:func:`plot_routes` draws into a caller's axes (a notebook composes figures with it) and leaves the
matplotlib backend alone; :func:`save_route_plot` writes a file through matplotlib's object-oriented
``Figure``, which needs no display and no backend choice.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, Instance, Site
from milp_milkrun.io.files import PLOT_SUFFIXES, check_output_path, write_atomically
from milp_milkrun.plan import Plan
from milp_milkrun.plotting.glyphs import Glyphs, glyphs_for
from milp_milkrun.plotting.palette import route_colours

FONT_SIZE = 8  # points: labels, ticks and legend (readable at the saved 120 dpi)
HUB_MARKER = 220  # area of the hub's star, points^2
HUB_RADIUS, DC_RADIUS, RING_RADIUS = (
    8.0,
    3.0,
    6.5,
)  # points a label keeps clear of: the hub, a DC, a DC with a square or ring


def plot_routes(
    instance: Instance, plan: Plan, ax: Axes | None = None, *, title: str | None = None, labels: bool = True
) -> Axes:
    """Draw ``plan`` into ``ax`` (a new figure's axes when None).

    Each route has its own colour (distinguishable for 20+ vehicles) and arrows giving its direction;
    the legend names vehicle, km, load/capacity and stops. Side constraints are drawn: DCs some
    vehicles may not serve (square), consecutive pairs (purple band), damaged roads (dotted, with x);
    DCs named by a violation get a red ring. DC labels are placed only where they do not overlap.

    Parameters
    ----------
    instance, plan
        The instance and a plan of it (the figures drawn are the checker's recomputation).
    ax
        Matplotlib axes to draw into; ``None`` makes a new figure.
    title
        The axes title; by default the instance name, route count and total distance.
    labels
        Write DC ids next to the DCs (where there is room).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.
    """
    if instance.coordinates == "none":
        raise InputError("plot", f"instance {instance.name} has no coordinates (only a distance matrix) to draw")
    report = check_plan(instance, plan)
    sites: list[Site | DC] = [instance.hub, *instance.dcs]
    position = {site.id: _point(site) for site in sites}
    if ax is None:
        ax = Figure(figsize=(9, 8)).add_subplot()
    colours = route_colours(len(report.routes))
    glyphs = glyphs_for([instance.name, instance.distance_unit, *position, *(r.vehicle for r in report.routes)])
    _draw_side_constraints(ax, instance, plan, position)
    colour_of: dict[str, str] = {}
    for k, route in enumerate(report.routes):
        path_ids = [instance.hub.id, *(s for s in route.stops if s in position), instance.hub.id]
        xs, ys = zip(*(position[node] for node in path_ids))
        limit = f"/{route.max_stops}" if route.max_stops is not None else ""
        label = f"{route.vehicle}: {route.distance:,.1f} {instance.distance_unit}, {route.load:g}/{route.capacity:g}, {route.n_stops}{limit} DCs"
        ax.plot(xs, ys, "-", color=colours[k], linewidth=1.6, label=glyphs.text(label), zorder=2)
        for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):  # an arrow at the middle of every leg
            ax.annotate(
                "",
                xy=(x0 + 0.55 * (x1 - x0), y0 + 0.55 * (y1 - y0)),
                xytext=(x0 + 0.45 * (x1 - x0), y0 + 0.45 * (y1 - y0)),
                arrowprops={"arrowstyle": "-|>", "color": colours[k], "lw": 1.2, "mutation_scale": 11},
                zorder=2,
            )
        colour_of.update({s: colours[k] for s in route.stops})
    dc_x, dc_y = zip(*(position[dc.id] for dc in instance.dcs))
    ax.scatter(
        dc_x,
        dc_y,
        s=28,
        c=[colour_of.get(dc.id, "white") for dc in instance.dcs],
        edgecolors="black",
        linewidths=0.6,
        zorder=3,
    )
    named = {dc.id for v in report.violations for dc in instance.dcs if _names(v.message, dc.id)}
    if named:
        named_x, named_y = zip(*(position[d] for d in named))
        ax.scatter(
            named_x,
            named_y,
            s=150,
            facecolors="none",
            edgecolors="#e0001b",
            linewidths=1.6,
            zorder=4,
            label="named by a broken rule",
        )
    ax.scatter(
        [position[instance.hub.id][0]],
        [position[instance.hub.id][1]],
        s=HUB_MARKER,
        marker="*",
        color="black",
        zorder=5,
        label=glyphs.text(f"hub {instance.hub.id}"),
    )
    ax.set_xlabel(
        "longitude (degrees east)"
        if instance.coordinates == "latlon"
        else glyphs.text(f"x ({instance.distance_unit})"),
        fontsize=FONT_SIZE,
    )
    ax.set_ylabel(
        "latitude (degrees north)"
        if instance.coordinates == "latlon"
        else glyphs.text(f"y ({instance.distance_unit})"),
        fontsize=FONT_SIZE,
    )
    ax.tick_params(labelsize=FONT_SIZE)
    n = len(report.violations)
    verdict = "" if report.feasible else f" - {n} broken rule{'' if n == 1 else 's'}"
    routes = f"{len(report.routes)} route{'' if len(report.routes) == 1 else 's'}"
    ax.set_title(
        glyphs.text(title or f"{instance.name}: {routes}, {report.objective:,.1f} {instance.distance_unit}{verdict}"),
        fontfamily=list(glyphs.families),
    )
    ax.legend(prop={"family": list(glyphs.families), "size": FONT_SIZE}, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_aspect(_aspect(instance), adjustable="datalim")
    if labels:
        radius = (
            {dc.id: DC_RADIUS for dc in instance.dcs}
            | {d: RING_RADIUS for d, _ in instance.forbidden}
            | dict.fromkeys(named, RING_RADIUS)
        )
        _label_where_room(ax, instance, position, glyphs, radius | {instance.hub.id: HUB_RADIUS})
    return ax


def _names(message: str, dc: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(dc)}(?![\w-])", message) is not None


def _draw_side_constraints(ax: Axes, instance: Instance, plan: Plan, position: dict[str, tuple]) -> None:
    """Forbidden DCs (squares), consecutive pairs (purple band), damaged roads (dotted, x in the middle)."""
    for k, (a, b) in enumerate(instance.consecutive):
        (x0, y0), (x1, y1) = position[a], position[b]
        ax.plot(
            [x0, x1],
            [y0, y1],
            color="#7b2cbf",
            alpha=0.3,
            linewidth=7,
            solid_capstyle="round",
            zorder=1,
            label="consecutive pair (10)" if k == 0 else None,
        )
    used = {frozenset(arc) for r in plan.used_routes() for arc in r.arcs(instance.hub.id)}
    for k, (a, b) in enumerate(instance.damaged_roads):
        (x0, y0), (x1, y1) = position[a], position[b]
        colour = "#e0001b" if frozenset((a, b)) in used else "#333333"
        ax.plot(
            [x0, x1],
            [y0, y1],
            linestyle=":",
            color=colour,
            linewidth=1.8,
            zorder=1,
            label="damaged road (11)" if k == 0 else None,
        )
        ax.scatter([(x0 + x1) / 2], [(y0 + y1) / 2], marker="x", s=50, color=colour, zorder=1)
    restricted = sorted({dc for dc, _ in instance.forbidden})
    if restricted:
        restricted_x, restricted_y = zip(*(position[d] for d in restricted))
        ax.scatter(
            restricted_x,
            restricted_y,
            s=140,
            marker="s",
            facecolors="none",
            edgecolors="#333333",
            linewidths=1.0,
            zorder=3,
            label="DC some vehicles may not serve (8, 9)",
        )


def _point(site: Site | DC) -> tuple[float, float]:
    """Where ``site`` is drawn: its coordinates (an instance that is drawn has them for every site)."""
    assert site.x is not None and site.y is not None
    return site.x, site.y


def _label_where_room(
    ax: Axes, instance: Instance, position: dict[str, tuple], glyphs: Glyphs, radius: dict[str, float]
) -> None:
    """Write each DC id in the first of four offsets where it overlaps no marker and no earlier label (else leave it out).

    Labels and markers are sized in points, so overlaps are tested in display space after the layout
    is fixed; every marker (``radius`` in points by node) is taken before any label is placed.
    """
    figure = ax.get_figure(root=True)
    if figure is None:  # axes outside any figure have no display space to place labels in
        return
    figure.draw_without_rendering()  # fixes the data-to-display transform (limits, aspect)
    pixels = figure.dpi / 72
    taken = [_marker_box(ax, position[node], r * pixels) for node, r in radius.items()]
    for dc in instance.dcs:
        gap = radius[dc.id] + 1.5  # clear of the DC's own marker
        for sx, sy, ha, va in (
            (1, 1, "left", "bottom"),
            (-1, 1, "right", "bottom"),
            (1, -1, "left", "top"),
            (-1, -1, "right", "top"),
        ):
            text = ax.annotate(
                glyphs.text(dc.id),
                position[dc.id],
                fontsize=FONT_SIZE,
                fontfamily=list(glyphs.families),
                xytext=(sx * gap, sy * gap),
                textcoords="offset points",
                ha=ha,
                va=va,
                zorder=6,
            )
            box = text.get_window_extent().expanded(1.05, 1.1)
            if not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()


def _marker_box(ax: Axes, xy: tuple, radius_px: float) -> Bbox:
    """The square a marker of ``radius_px`` pixels around data point ``xy`` covers, in display space."""
    x, y = ax.transData.transform(xy)
    return Bbox.from_extents(x - radius_px, y - radius_px, x + radius_px, y + radius_px)


def save_route_plot(instance: Instance, plan: Plan, path: str | Path, *, title: str | None = None) -> None:
    """Write the drawing of ``plan`` to ``path`` (PNG, PDF, SVG or JPEG, by suffix), atomically.

    Parameters
    ----------
    instance : Instance
        The instance (coordinates, or a layout of the distance matrix).
    plan : Plan
        The plan to draw.
    path : str or Path
        The image file.
    title : str, optional
        The axes title (default: the instance name, route count and total distance).
    """
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
