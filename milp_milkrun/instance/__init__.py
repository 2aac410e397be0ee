"""The milk-run instance: a hub, its DCs, a heterogeneous fleet and the side constraints.

An :class:`Instance` is immutable and already validated: every id it mentions exists, demands are
non-negative and DCs whose demand exceeds every allowed vehicle are split (seed, assumption 1).
Build one with :func:`build_instance` (a notebook user) or a file loader in :mod:`milp_milkrun.io`.

Node indices follow the paper: 0 is the hub, 1..N are the DCs in the order of ``Instance.dcs``.
The parts live in ``parts.py`` (fleet, sites, distance spec), ``problem.py`` (:class:`Instance`),
``distances.py`` (the matrices) and ``build.py`` (:func:`build_instance`, the validation).
"""

from milp_milkrun.instance.build import OBJECTIVES, build_instance
from milp_milkrun.instance.distances import EARTH_RADIUS_KM, euclidean_matrix, haversine_matrix
from milp_milkrun.instance.parts import DC, DistanceSpec, Site, Vehicle, VehicleType
from milp_milkrun.instance.problem import Instance

__all__ = [
    "DC",
    "EARTH_RADIUS_KM",
    "OBJECTIVES",
    "DistanceSpec",
    "Instance",
    "Site",
    "Vehicle",
    "VehicleType",
    "build_instance",
    "euclidean_matrix",
    "haversine_matrix",
]
