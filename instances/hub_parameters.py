"""What the generated hubs share (``generate.py`` and ``network.py``): the vehicle types of the case,
the cage of bags every demand is a multiple of, the road factor, and placing a DC around its hub.
"""

from __future__ import annotations

import math

from milp_milkrun.instance import EARTH_RADIUS_KM

ROAD_FACTOR = 1.3  # road km per great-circle km: a typical detour factor for Indian highways
CAGE = 48  # bags per cage; every demand is a whole number of cages
UNIT_MASS_KG = 2.5  # an assumed average parcel bag: a full large truck carries 6.5 t, a small one 2.75 t
LARGE = {"name": "large", "count": 3, "capacity": 2600, "max_distance": 750, "max_stops": 10}
SMALL = {"name": "small", "count": 12, "capacity": 1100, "max_distance": 500, "max_stops": 7}
MAX_CAGES_PER_DC = 12


def offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` great-circle kilometres from (lat, lon) along ``bearing`` (radians)."""
    phi, lam, delta = math.radians(lat), math.radians(lon), km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(bearing))
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lam2)
