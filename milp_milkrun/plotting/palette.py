"""Route colours that stay distinguishable for 20 and more vehicles (the map and the plots share them).

The first 20 are Kelly's colours of maximum contrast (without white and black, the hub's and the
text's colours), ordered so that the first few are the most different from each other; further
colours step round the hue circle by the golden angle, alternating between a dark and a light tone.
"""

from __future__ import annotations

import colorsys

KELLY = (
    "#0067a5",
    "#f38400",
    "#008856",
    "#be0032",
    "#875692",
    "#882d17",
    "#e68fac",
    "#848482",
    "#8db600",
    "#a1caf1",
    "#f3c300",
    "#604e97",
    "#f99379",
    "#b3446c",
    "#dcd300",
    "#c2b280",
    "#654522",
    "#e25822",
    "#2b3d26",
    "#f6a600",
)
GOLDEN_ANGLE = 0.381966  # of a full turn: consecutive hues as far apart as possible


def route_colours(n: int) -> list[str]:
    """``n`` colours as ``#rrggbb``, one per route, in plan order.

    Parameters
    ----------
    n
        How many routes.

    Returns
    -------
    list[str]
        Kelly's 20 colours first, then golden-angle hues.
    """
    colours = list(KELLY[:n])
    for k in range(n - len(colours)):
        hue = (0.07 + k * GOLDEN_ANGLE) % 1.0
        lightness = 0.35 if k % 2 == 0 else 0.62
        r, g, b = colorsys.hls_to_rgb(hue, lightness, 0.85)
        colours.append(f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}")
    return colours
