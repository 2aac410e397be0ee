"""Solomon's VRPTW text format (``C101.txt`` ...): the benchmark's own files, read as a milk-run instance.

A file holds a name line, ``VEHICLE`` / ``NUMBER CAPACITY`` and their values, then ``CUSTOMER`` and
the column header, then one row per node: ``CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE
SERVICE TIME``. Row 0 is the depot; its ready time and due date are the horizon.

Mapping (every choice is written into the instance's description, so a converted file records it):

* the depot is the hub, ids are the file's numbers (``"0"`` the hub, ``"1"``..``"100"`` the DCs);
  the depot's READY TIME and DUE DATE are the hub's hours; each customer's READY TIME and DUE DATE
  its one window, SERVICE TIME its service time;
* ``customers`` keeps the first N customers of the file (Solomon's 25- and 50-customer versions are
  the depot and the first 25 or 50 rows, everything else unchanged); the instance is named
  ``C101.25`` then;
* distances follow a convention chosen when reading: ``truncate1`` (default), Euclidean truncated
  to one decimal, the exact methods' convention and the one of ``../shared/solomon/optima.json``;
  or ``none``, unrounded Euclidean (the heuristic literature's); travel time equals distance
  (speed 60 distance units per hour, so one unit takes one minute);
* one vehicle type ``truck`` of the file's CAPACITY; its fleet is unlimited (the literature's
  objective is total distance with a free fleet size) unless ``vehicles`` is given (the file's own
  NUMBER is 25).
"""

from __future__ import annotations

import re
from pathlib import Path

from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io.schema import read_text
from milp_milkrun.timing import TimeSpec

CONVENTIONS = {
    "truncate1": "Euclidean truncated to one decimal (the exact VRPTW literature's convention)",
    "none": "unrounded Euclidean",
}
TRAVEL_SPEED = 60.0  # distance units per hour: travel time equals distance, in minutes
VARIANT = re.compile(r"^(?:(\d+))?(?:,?(truncate1|none))?$")


def is_solomon(path: Path) -> bool:
    """Whether ``path`` names a Solomon text file (the ``.txt`` suffix).

    Parameters
    ----------
    path : Path
        An instance path.

    Returns
    -------
    bool
        True for a ``.txt`` file.
    """
    return path.suffix.lower() == ".txt"


def parse_variant(variant: str | None) -> tuple[int | None, str]:
    """The customer count and distance convention of ``--variant`` for a Solomon file.

    Parameters
    ----------
    variant : str or None
        ``25``, ``50``, ``100`` (the first N customers), optionally followed by ``,none`` or
        ``,truncate1`` (the distance convention), or the convention alone; None: every customer,
        ``truncate1``.

    Returns
    -------
    tuple[int | None, str]
        The number of customers (None: all) and the convention.
    """
    match = VARIANT.match((variant or "").strip())
    if not match:
        raise InputError(
            "variant",
            f"{variant!r} is not a Solomon variant: give N (the first N customers), optionally ',none' or ',truncate1' (distances)",
        )
    customers = int(match.group(1)) if match.group(1) else None
    return customers, match.group(2) or "truncate1"


def read_solomon(
    path: Path, *, customers: int | None = None, distances: str = "truncate1", vehicles: int | None = None
) -> Instance:
    """Read a Solomon VRPTW file as a milk-run instance with time.

    Parameters
    ----------
    path : Path
        The ``.txt`` file.
    customers : int, optional
        Keep the depot and the first ``customers`` customers (Solomon's 25- and 50-customer
        versions); None keeps every customer.
    distances : str
        ``truncate1`` (default: Euclidean truncated to one decimal) or ``none`` (unrounded).
    vehicles : int, optional
        The fleet size; None (default) is an unlimited fleet, as the literature's objective assumes.

    Returns
    -------
    Instance
        The instance; a malformed file raises ``InputError`` naming the file and line.
    """
    if distances not in CONVENTIONS:
        raise InputError("variant", f"unknown distance convention {distances!r}; choose from {', '.join(CONVENTIONS)}")
    lines = read_text(path).splitlines()
    name = next((line.strip() for line in lines if line.strip()), path.stem)
    number, capacity = _vehicle_line(path, lines)
    rows = _customer_rows(path, lines)
    if customers is not None:
        if not 1 <= customers <= len(rows) - 1:
            raise InputError("variant", f"{path.name} has {len(rows) - 1} customers; cannot keep the first {customers}")
        rows = rows[: customers + 1]
        name = f"{name}.{customers}"
    if vehicles is not None and vehicles < 1:
        raise InputError("vehicles", f"fleet size must be >= 1, got {vehicles}")
    depot, others = rows[0], rows[1:]
    fleet = f"{vehicles} vehicles" if vehicles is not None else f"an unlimited fleet (the file lists {number})"
    return build_instance(
        name=name,
        hub=Site(str(int(depot[0])), depot[1], depot[2]),
        dcs=[DC(str(int(r[0])), r[3], r[1], r[2], windows=((r[4], r[5]),), service=r[6]) for r in others],
        vehicle_types=[VehicleType("truck", vehicles, capacity)],
        distance_spec=DistanceSpec("euclidean", rounding=distances),
        coordinates="xy",
        distance_unit="units",
        description=(
            f"Solomon VRPTW instance {name} ({path.name}{f', first {customers} customers' if customers else ''}); "
            f"distances {CONVENTIONS[distances]}; travel time = distance (1 unit per minute); "
            f"{fleet} of capacity {capacity:g}; objective total distance"
        ),
        time=TimeSpec(depot[4], depot[5], speed=TRAVEL_SPEED),
    )


def _numbers(path: Path, k: int, line: str, count: int) -> list[float]:
    parts = line.split()
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"{path.name}:{k + 1}", f"expected {count} numbers, got {line.strip()[:80]!r}") from None
    if len(values) != count:
        raise InputError(f"{path.name}:{k + 1}", f"expected {count} numbers, got {len(values)}")
    return values


def _vehicle_line(path: Path, lines: list[str]) -> tuple[int, float]:
    """NUMBER and CAPACITY: the first line of two numbers after the ``NUMBER CAPACITY`` header."""
    header = next((k for k, line in enumerate(lines) if line.split()[:2] == ["NUMBER", "CAPACITY"]), None)
    if header is None:
        raise InputError(path.name, "no 'NUMBER CAPACITY' line: not a Solomon VRPTW file")
    k = next((k for k in range(header + 1, len(lines)) if lines[k].strip()), None)
    if k is None:
        raise InputError(path.name, "no vehicle number and capacity after 'NUMBER CAPACITY'")
    number, capacity = _numbers(path, k, lines[k], 2)
    if not capacity > 0:
        raise InputError(f"{path.name}:{k + 1}", f"capacity {capacity:g} must be > 0")
    return int(number), capacity


def _customer_rows(path: Path, lines: list[str]) -> list[list[float]]:
    """The rows after the ``CUST NO.`` header: the depot first, then the customers in file order."""
    header = next((k for k, line in enumerate(lines) if line.strip().startswith("CUST NO.")), None)
    if header is None:
        raise InputError(path.name, "no 'CUST NO.' header: not a Solomon VRPTW file")
    rows = [_numbers(path, k, lines[k], 7) for k in range(header + 1, len(lines)) if lines[k].strip()]
    if len(rows) < 2:
        raise InputError(path.name, "needs the depot row and at least one customer")
    if rows[0][3] != 0:
        raise InputError(f"{path.name}: depot", f"the depot (row 0) has demand {rows[0][3]:g}; it must be 0")
    return rows
