"""milp-milkrun: exact MILP models of the milk-run problem of a parcel hub, with an independent checker."""

from milp_milkrun.checker import CheckReport, Violation, check_plan, verify_plan
from milp_milkrun.errors import CheckFailedError, InfeasibleInstanceError, InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, Vehicle, VehicleType, build_instance
from milp_milkrun.plan import Plan, Route

__version__ = "0.1.0"

__all__ = [
    "DC",
    "CheckFailedError",
    "CheckReport",
    "DistanceSpec",
    "InfeasibleInstanceError",
    "InputError",
    "Instance",
    "Plan",
    "Route",
    "Site",
    "Vehicle",
    "VehicleType",
    "Violation",
    "build_instance",
    "check_plan",
    "verify_plan",
]
