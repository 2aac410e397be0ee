"""Drawings of a plan. The public names, imported on first use (matplotlib is slow to import):

``plot_routes`` and ``save_route_plot`` (matplotlib), ``map_html`` and ``save_route_map`` (the offline
interactive map).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PUBLIC = {
    "plot_routes": "milp_milkrun.plotting.routes",
    "save_route_plot": "milp_milkrun.plotting.routes",
    "map_html": "milp_milkrun.plotting.web_map",
    "save_route_map": "milp_milkrun.plotting.web_map",
}
__all__ = ["map_html", "plot_routes", "save_route_map", "save_route_plot"]


def __getattr__(name: str) -> Any:
    """The public name ``name``, from its module (imported now)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_PUBLIC[name]), name)
