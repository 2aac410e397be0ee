"""build_instance: demand splitting, distances and the sets of the formulation."""

from __future__ import annotations

import numpy as np
import pytest

from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance, euclidean_matrix
from milp_milkrun.io import instance_from_dict, instance_to_dict

FLEET = [VehicleType("large", 1, 30.0), VehicleType("small", 2, 15.0)]


def make(dcs: list[DC], **kwargs: object) -> Instance:
    return build_instance(
        name="t",
        hub=Site("H", 0, 0),
        dcs=dcs,
        vehicle_types=kwargs.pop("vehicle_types", FLEET),  # type: ignore[arg-type]
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
        **kwargs,  # type: ignore[arg-type]
    )


def test_dc_above_largest_capacity_is_split_into_full_parts_and_remainder() -> None:
    instance = make([DC("A", 70, 3, 4), DC("B", 5, 6, 8)])
    assert dict(instance.splits) == {"A": ("A/1", "A/2", "A/3")}
    assert [(dc.id, dc.demand, dc.origin) for dc in instance.dcs[:3]] == [
        ("A/1", 30, "A"),
        ("A/2", 30, "A"),
        ("A/3", 10, "A"),
    ]
    assert instance.total_demand == 75  # nothing is lost
    assert instance.node_ids == ("H", "A/1", "A/2", "A/3", "B")
    assert instance.dist("A/1", "A/3") == 0 and instance.dist("H", "A/2") == 5 and instance.dist("A/3", "B") == 5


def test_split_uses_the_largest_capacity_allowed_for_the_dc() -> None:
    instance = make([DC("A", 20, 3, 4), DC("B", 5, 6, 8)], forbidden=[{"dc": "A", "vehicle_type": "large"}])
    assert dict(instance.splits) == {"A": ("A/1", "A/2")}
    assert [dc.demand for dc in instance.dcs[:2]] == [15, 5]
    assert instance.forbidden == {("A/1", "large-1"), ("A/2", "large-1")}


def test_damaged_roads_follow_the_parts() -> None:
    instance = make([DC("A", 40, 3, 4), DC("B", 5, 6, 8)], damaged_roads=[["A", "B"], ["H", "B"]])
    assert instance.is_damaged("A/1", "B") and instance.is_damaged("B", "A/2") and instance.is_damaged("B", "H")
    assert not instance.is_damaged("A/1", "A/2")


def test_demand_equal_to_capacity_is_not_split() -> None:
    assert make([DC("A", 30, 3, 4)]).splits == ()


def test_split_instance_converts_back_to_the_original_dc() -> None:
    instance = make([DC("A", 70, 3, 4), DC("B", 5, 6, 8)], forbidden=[{"dc": "A", "vehicle": "small-2"}])
    data = instance_to_dict(instance)
    assert [(d["id"], d["demand"]) for d in data["dcs"]] == [("A", 70), ("B", 5)]
    assert data["forbidden"] == [{"dc": "A", "vehicle": "small-2"}]
    again = instance_from_dict(data)
    assert again.splits == instance.splits and np.array_equal(again.distance, instance.distance)


def test_sets_of_the_formulation() -> None:
    instance = make(
        [DC("A", 5, 3, 4), DC("B", 5, 6, 8)], forbidden=[{"dc": "B", "vehicle": "small-1"}], consecutive=[["A", "B"]]
    )
    assert [v.name for v in instance.allowed_vehicles("B")] == ["large-1", "small-2"]
    assert not instance.is_allowed("B", "small-1") and instance.is_allowed("A", "small-1")
    assert instance.vehicle_type_allowed("B", FLEET[1]) and instance.fleet_capacity == 60
    assert np.array_equal(instance.demand, [0, 5, 5])


def test_euclidean_rounding_is_tsplib_nint() -> None:
    d = euclidean_matrix([0, 0.5, 2.5], [0, 0, 0], "nearest")
    assert d[0, 1] == 1 and d[0, 2] == 3  # halves round up, as nint(x) = floor(x + 0.5)
    assert euclidean_matrix([0, 1], [0, 1])[0, 1] == pytest.approx(2**0.5)


def test_missing_coordinates_for_a_metric() -> None:
    with pytest.raises(InputError) as error:
        make([DC("A", 5, 3, 4), DC("B", 5)])
    assert error.value.field == "B"
