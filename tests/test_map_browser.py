"""The interactive map, opened in a real browser (headless Chromium) with the network off.

Each page is loaded from a file with every host name unresolvable, so a script or style fetched from
the network would be missing; the test then reads the page's DOM (the page records any JavaScript
error into it, and how many routes it drew) and looks at a screenshot for pixels in every route's
colour. CI installs Debian's chromium (.ci/run); without a browser these tests are skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from milp_milkrun.checker import check_plan
from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.plan import Plan
from milp_milkrun.plotting.web_map import map_data, save_route_map

ROOT = Path(__file__).resolve().parents[1]
BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no chromium on PATH (CI installs Debian's chromium package)"
)
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1200,800",
    "--virtual-time-budget=3000",
]
BROKEN = Plan.from_routes([("large-1", ["DC2", "DC1", "DC3", "DC4"]), ("small-1", ["DC5", "DC6"])])


def _browser(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"  # a fresh profile for every run
    command = [str(BROWSER), *OFFLINE_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _open(tmp_path: Path, page: Path) -> tuple[str, Path]:
    """The page's DOM after its scripts ran, and a screenshot of it."""
    dom = _browser(tmp_path, page, "--dump-dom").stdout
    shot = tmp_path / f"{page.stem}.png"
    _browser(tmp_path, page, f"--screenshot={shot}")
    assert shot.exists(), "chromium wrote no screenshot"
    return dom, shot


def _pixels_near(shot: Path, colour: str, tolerance: int = 6) -> int:
    from PIL import Image

    target = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
    image = Image.open(shot).convert("RGB")
    return sum(
        count
        for count, rgb in image.getcolors(maxcolors=1 << 24)
        if all(abs(a - b) <= tolerance for a, b in zip(rgb, target))
    )


def _check_page(tmp_path: Path, instance_name: str, plan: Plan) -> tuple[str, dict[str, object]]:
    instance = load_instance(ROOT / "instances" / f"{instance_name}.json")
    page = tmp_path / f"{instance_name}.html"
    save_route_map(instance, plan, page)
    html = page.read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html), "the page fetches a script or style"
    dom, shot = _open(tmp_path, page)
    error = re.search(r'<body[^>]*data-error="([^"]*)"', dom)
    assert error is None, f"JavaScript error: {error.group(1) if error else ''}"
    assert "<title>JS ERROR" not in dom
    data = map_data(instance, plan)
    routes = data["routes"]
    assert f'data-rendered="{len(routes)}"' in dom  # type: ignore[arg-type]
    for route in routes:  # type: ignore[union-attr]
        assert _pixels_near(shot, route["colour"]) >= 30, f"route {route['vehicle']} ({route['colour']}) is not drawn"
    return dom, data


@needs_browser
def test_geographic_map_draws_every_route_offline_without_errors(tmp_path: Path) -> None:
    instance = load_instance(ROOT / "instances" / "ecom74.json")
    plan = load_plan(ROOT / "instances" / "ecom74_plan13.json", instance)
    dom, data = _check_page(tmp_path, "ecom74", plan)
    assert data["geographic"] and len(data["routes"]) == 13  # type: ignore[arg-type]
    assert "Feasible" in dom
    # labels are drawn last (no marker over them), never over a marker, and most DCs get one
    assert dom.index('id="labels"') > dom.index('id="nodes"')
    assert 'data-labels-over-markers="0"' in dom and int(re.search(r'data-labels="(\d+)"', dom).group(1)) >= 40  # type: ignore[union-attr]


@needs_browser
def test_broken_plan_is_drawn_with_its_violations_marked(tmp_path: Path) -> None:
    dom, data = _check_page(tmp_path, "toy6", BROKEN)
    assert not data["geographic"]
    assert "3 broken rule(s)" in dom and "damaged road DC3 - DC4" in dom
    assert dom.count('class="halo"') == 5  # DC1..DC4, named by the violations, and the legend's key


def test_map_data_are_the_checkers_figures() -> None:
    instance = load_instance(ROOT / "instances" / "toy6.json")
    report = check_plan(instance, BROKEN)
    data = map_data(instance, BROKEN)
    for drawn, checked in zip(data["routes"], report.routes):  # type: ignore[arg-type]
        assert (drawn["km"], drawn["load"], drawn["n_stops"]) == (checked.distance, checked.load, checked.n_stops)
    dcs = {d["id"]: d for d in data["dcs"]}  # type: ignore[union-attr]
    # large-1 carries 8+6+5+7 = 26: on arrival at its second stop DC1 it still has 26 - 8 = 18 on board
    assert dcs["DC1"]["visit"] == {
        "route": 0,
        "vehicle": "large-1",
        "position": 2,
        "of": 4,
        "on_board": 18.0,
        "km": 24.0,
    }
    assert dcs["DC6"]["forbidden"] == ["large-1"]
    assert [d["used"] for d in data["damaged"]] == [True]  # type: ignore[union-attr]
    assert {v["equation"] for v in data["violations"]} == {"6", "10", "11"}  # type: ignore[union-attr]


def test_map_refuses_other_extensions(tmp_path: Path) -> None:
    from milp_milkrun.errors import InputError

    instance = load_instance(ROOT / "instances" / "toy6.json")
    with pytest.raises(InputError, match="unsupported extension"):
        save_route_map(instance, BROKEN, tmp_path / "map.png")


@needs_browser
def test_a_javascript_error_would_be_seen(tmp_path: Path) -> None:
    """The detector itself: a page whose script fails is reported as failing."""
    instance = load_instance(ROOT / "instances" / "toy6.json")
    page = tmp_path / "broken.html"
    save_route_map(instance, BROKEN, page)
    page.write_text(page.read_text().replace("\ninteract();", "\nnoSuchFunction();"))
    dom = _browser(tmp_path, page, "--dump-dom").stdout
    assert re.search(r'<body[^>]*data-error="[^"]*noSuchFunction', dom)


@needs_browser
def test_popups_and_route_switches_work_in_the_browser(tmp_path: Path) -> None:
    instance = load_instance(ROOT / "instances" / "toy6.json")
    page = tmp_path / "toy6.html"
    save_route_map(instance, BROKEN, page)
    command_page = page.as_uri() + "#selftest"
    profile = tmp_path / "profile-selftest"
    dom = subprocess.run(
        [str(BROWSER), *OFFLINE_FLAGS, f"--user-data-dir={profile}", "--dump-dom", command_page],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    dc_popup = re.search(r'data-popup-dc="([^"]*)"', dom).group(1)  # type: ignore[union-attr]
    # DC2 is large-1's first stop: demand 8, the whole load of 26 still on board, 14 km from the hub
    assert (
        "DC DC2" in dc_popup and "demand8" in dc_popup and "stop 1 of 4" in dc_popup and "26 / 30 on board" in dc_popup
    )
    route_popup = re.search(r'data-popup-route="([^"]*)"', dom).group(1)  # type: ignore[union-attr]
    assert (
        "large-1" in route_popup and "62 / 60 km" in route_popup and "26 / 30" in route_popup and "4 / 4" in route_popup
    )
    assert "vehicle large-1 drives 62 &gt; limit 60" in route_popup or "drives 62 > limit 60" in route_popup
    assert 'data-after-toggle="1"' in dom  # the first route switched off: one route left
