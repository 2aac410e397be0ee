"""Distances: great-circle (times a road factor) and plane matrices, and an instance's matrix from its
:class:`~milp_milkrun.instance.parts.DistanceSpec` or a given matrix, reordered to the node indices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance.parts import DC, DistanceSpec, Site
from milp_milkrun.limits import FLOAT_NOISE

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), as the instance format specifies


def haversine_matrix(lat: Sequence[float], lon: Sequence[float], road_factor: float = 1.0) -> np.ndarray:
    """Great-circle distances in km (R = 6371.0088 km) times a road factor, unrounded.

    Parameters
    ----------
    lat, lon : Sequence[float]
        Latitudes and longitudes in degrees, one per node.
    road_factor : float
        Multiplies every distance (roads are longer than great circles).

    Returns
    -------
    np.ndarray
        The n x n distance matrix.
    """
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))) * road_factor


def euclidean_matrix(x: Sequence[float], y: Sequence[float], rounding: str = "none") -> np.ndarray:
    """Plane distances; ``rounding="nearest"`` is TSPLIB's nint, the convention of CVRPLIB optima, and
    ``"truncate1"`` truncates to one decimal (``floor(10 d) / 10``), the exact VRPTW literature's
    convention for Solomon's instances.

    Parameters
    ----------
    x, y : Sequence[float]
        Coordinates, one per node.
    rounding : str
        ``none``, ``nearest`` or ``truncate1``.

    Returns
    -------
    np.ndarray
        The n x n distance matrix.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    dx = xs[:, None] - xs[None, :]
    dy = ys[:, None] - ys[None, :]
    if rounding == "truncate1":  # sqrt of 100 d^2: exact for integer coordinates (no 10 * d rounding across an integer)
        return np.floor(np.sqrt(100.0 * (dx * dx + dy * dy))) / 10.0
    d = np.hypot(dx, dy)
    return np.floor(d + 0.5) if rounding == "nearest" else d


def distance_matrix(
    hub: Site, dcs: Sequence[DC], spec: DistanceSpec, matrix: np.ndarray | None, matrix_ids: Sequence[str] | None
) -> np.ndarray:
    if spec.metric == "matrix":
        return reorder_matrix(hub, dcs, matrix, matrix_ids, "distances")
    sites: list[Site | DC] = [hub, *dcs]
    for site in sites:
        if site.x is None or site.y is None:
            raise InputError(
                f"{site.id}", f"{spec.metric} distances need coordinates for every node; {site.id} has none"
            )
    xs = [float(s.x) for s in sites]  # type: ignore[arg-type]
    ys = [float(s.y) for s in sites]  # type: ignore[arg-type]
    if spec.metric == "haversine":
        if not spec.road_factor > 0:
            raise InputError("distances.road_factor", f"road factor must be > 0, got {spec.road_factor}")
        return haversine_matrix(ys, xs, spec.road_factor)
    if spec.metric == "euclidean":
        return euclidean_matrix(xs, ys, spec.rounding)
    raise InputError("distances.metric", f"unknown metric {spec.metric!r}")


def reorder_matrix(
    hub: Site, dcs: Sequence[DC], matrix: np.ndarray | None, ids: Sequence[str] | None, where: str
) -> np.ndarray:
    """The matrix given for ``ids`` in node order (hub, then DCs); ``where`` is its field (``distances``)."""
    if matrix is None or ids is None:
        raise InputError(where, "an explicit matrix needs both 'matrix' and 'ids'")
    try:
        m = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}.matrix", f"matrix is not a square table of numbers ({exc})") from None
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"{where}.matrix", f"matrix must be square, got shape {m.shape}")
    if m.shape[0] != len(ids):
        raise InputError(f"{where}.ids", f"{len(ids)} ids for a {m.shape[0]}x{m.shape[0]} matrix")
    if len(set(ids)) != len(ids):
        raise InputError(f"{where}.ids", "ids are not unique")
    wanted = [hub.id, *(dc.id for dc in dcs)]
    missing = [node for node in wanted if node not in ids]
    if missing:
        raise InputError(f"{where}.ids", f"no matrix row for {', '.join(missing)}")
    extra = sorted(set(ids) - set(wanted))
    if extra:
        raise InputError(f"{where}.ids", f"matrix rows for unknown ids {', '.join(extra)}")
    if not np.all(np.isfinite(m)) or (m < 0).any():
        i, j = np.argwhere(~np.isfinite(m) | (m < 0))[0]
        raise InputError(f"{where}.matrix", f"entry {ids[i]} -> {ids[j]} is {m[i, j]}; entries must be finite and >= 0")
    order = [list(ids).index(node) for node in wanted]
    return m[np.ix_(order, order)]


def asymmetry_warnings(d: np.ndarray) -> list[str]:
    if np.allclose(d, d.T, rtol=FLOAT_NOISE, atol=FLOAT_NOISE):
        return []
    return ["the distance matrix is not symmetric; the seed assumes symmetry, the model itself is directed"]


def expand_distance(base: np.ndarray, original: Sequence[DC], split: Sequence[DC]) -> np.ndarray:
    """Give every split part its origin's row and column (parts of one DC are 0 apart)."""
    row_of = {dc.id: k + 1 for k, dc in enumerate(original)}
    order = [0, *(row_of[dc.origin] for dc in split)]
    return base[np.ix_(order, order)].copy()
