"""A plan: one route per used vehicle, each a sequence of DC ids visited between two hub visits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """Vehicle ``vehicle`` drives hub -> stops[0] -> ... -> stops[-1] -> hub."""

    vehicle: str
    stops: tuple[str, ...]

    def arcs(self, hub: str) -> list[tuple[str, str]]:
        """The arcs (i, j) of this round trip, hub included; empty for an unused vehicle.

        Parameters
        ----------
        hub : str
            The hub's id.

        Returns
        -------
        list[tuple[str, str]]
            The arcs as pairs of node ids, in driving order.
        """
        if not self.stops:
            return []
        path = [hub, *self.stops, hub]
        return list(zip(path, path[1:]))


@dataclass(frozen=True)
class Plan:
    """A set of routes; vehicles not listed (or listed with no stops) stay at the hub."""

    routes: tuple[Route, ...]

    @classmethod
    def from_routes(cls, routes: Iterable[tuple[str, Sequence[str]]]) -> Plan:
        """A plan from ``(vehicle, stops)`` pairs.

        Parameters
        ----------
        routes : Iterable[tuple[str, Sequence[str]]]
            Each vehicle's name and its DC ids in driving order.

        Returns
        -------
        Plan
            The plan, routes in the given order.
        """
        return cls(tuple(Route(vehicle, tuple(stops)) for vehicle, stops in routes))

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Plan:
        """Parse ``{"routes": [{"vehicle": ..., "stops": [...]}]}`` (already schema-checked).

        Parameters
        ----------
        data : Mapping[str, object]
            The parsed JSON document.

        Returns
        -------
        Plan
            The plan it states.
        """
        routes = data["routes"]
        assert isinstance(routes, list)
        return cls(tuple(Route(str(r["vehicle"]), tuple(str(s) for s in r["stops"])) for r in routes))

    def to_dict(self) -> dict[str, object]:
        """The JSON form, ``{"routes": [{"vehicle": ..., "stops": [...]}]}``.

        Returns
        -------
        dict[str, object]
            What :meth:`from_dict` reads back.
        """
        return {"routes": [{"vehicle": r.vehicle, "stops": list(r.stops)} for r in self.routes]}

    def used_routes(self) -> tuple[Route, ...]:
        """The routes that visit at least one DC.

        Returns
        -------
        tuple[Route, ...]
            The used routes, in plan order.
        """
        return tuple(r for r in self.routes if r.stops)
