"""Plots that explain: colours for many vehicles, direction arrows, km in the legend, composable axes."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run_cli
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.plan import Plan
from milp_milkrun.plotting import routes as routes_module
from milp_milkrun.plotting.palette import route_colours
from milp_milkrun.plotting.routes import plot_routes, save_route_plot

ROOT = Path(__file__).resolve().parents[1]
BROKEN = Plan.from_routes([("large-1", ["DC2", "DC1", "DC3", "DC4"]), ("small-1", ["DC5", "DC6"])])


def test_palette_stays_distinguishable_for_many_vehicles() -> None:
    colours = route_colours(30)
    rgb = [to_rgb(c) for c in colours]
    closest = min(sum((a - b) ** 2 for a, b in zip(p, q)) ** 0.5 for i, p in enumerate(rgb) for q in rgb[:i])
    assert len(set(colours)) == 30 and closest > 0.08


def test_plot_composes_into_a_callers_axes_with_km_arrows_and_side_constraints() -> None:
    instance = load_instance(ROOT / "instances" / "toy6.json")
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_routes(instance, BROKEN, ax=right) is right
    legend = [t.get_text() for t in right.get_legend().get_texts()]
    assert "large-1: 62.0 km, 26/30, 4/4 DCs" in legend
    assert {
        "consecutive pair (10)",
        "damaged road (11)",
        "DC some vehicles may not serve (8, 9)",
        "named by a broken rule",
    } <= set(legend)
    assert len([a for a in right.texts if a.arrow_patch is not None]) == 5 + 3  # one arrow per leg
    assert "3 broken rules" in right.get_title() and not left.lines


def test_labels_do_not_overlap_on_a_crowded_instance() -> None:
    instance = load_instance(ROOT / "instances" / "ecom74.json")
    ax = plot_routes(instance, load_plan(ROOT / "instances" / "ecom74_plan13.json", instance))
    ax.get_figure().draw_without_rendering()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_text()]
    assert 20 < len(boxes) <= instance.n_dcs
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[:i])


def test_no_global_backend_choice_at_import() -> None:
    assert "matplotlib.use" not in Path(routes_module.__file__).read_text()


def test_cli_writes_plot_and_map(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        '{"routes": [{"vehicle": "large-1", "stops": ["DC2", "DC1", "DC3", "DC4"]}, {"vehicle": "small-1", "stops": ["DC5", "DC6"]}]}'
    )
    toy6 = str(ROOT / "instances" / "toy6.json")
    code, out, _ = run_cli(monkeypatch, capsys, "map", toy6, str(plan), "-o", str(tmp_path / "plan.html"))
    assert (
        code == 1
        and "(2 routes, 96.0 km; 3 broken rules marked)" in out
        and (tmp_path / "plan.html").read_text().startswith("<!DOCTYPE html>")
    )
    code, _, err = run_cli(monkeypatch, capsys, "map", toy6, str(plan), "-o", str(tmp_path / "plan.png"))
    assert code == 2 and err.startswith("error: --output:")  # the map command's own flag, not --map
    code, out, _ = run_cli(monkeypatch, capsys, "check", toy6, str(plan), "--map", str(tmp_path / "check.html"))
    assert code == 1 and "wrote map" in out and (tmp_path / "check.html").exists()
    code, _, err = run_cli(monkeypatch, capsys, "check", toy6, str(plan), "--map", str(tmp_path / "check.png"))
    assert code == 2 and err.startswith("error: --map:") and "use .html, .htm" in err
    code, out, _ = run_cli(monkeypatch, capsys, "solve", toy6, "--quiet", "--map", str(tmp_path / "solved.html"))
    assert (
        code == 0
        and f"wrote map {tmp_path / 'solved.html'}" in out
        and '"feasible": true' in (tmp_path / "solved.html").read_text()
    )
    code, out, _ = run_cli(
        monkeypatch, capsys, "heuristic", toy6, "--max-iterations", "50", "--map", str(tmp_path / "h.html")
    )
    assert code == 0 and (tmp_path / "h.html").exists()
    save_route_plot(load_instance(toy6), BROKEN, tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 10_000


def test_matrix_only_instance_gets_one_line_and_no_solve(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json

    data = json.loads((ROOT / "instances" / "toy6.json").read_text())
    data["hub"] = {"id": "HUB"}
    data["dcs"] = [{"id": dc["id"], "demand": dc["demand"]} for dc in data["dcs"]]
    data["distances"] = {
        "ids": ["HUB", *(f"DC{k}" for k in range(1, 7))],
        "matrix": [[0 if i == j else 10 + abs(i - j) for j in range(7)] for i in range(7)],
    }
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(data))
    code, out, err = run_cli(monkeypatch, capsys, "solve", str(path), "--map", str(tmp_path / "m.html"))
    assert (
        code == 2
        and out == ""
        and err.strip() == "error: --map: instance toy6 has no coordinates (only a distance matrix) to draw"
    )
    assert not (tmp_path / "m.html").exists()
    for command in ("solve", "heuristic"):  # --plot too is refused before any search, and no plan is written
        code, out, err = run_cli(
            monkeypatch,
            capsys,
            command,
            str(path),
            "--plot",
            str(tmp_path / "m.png"),
            "--output",
            str(tmp_path / "p.json"),
        )
        assert code == 2 and out == "" and err.startswith("error: --plot: instance toy6 has no coordinates")
        assert not (tmp_path / "p.json").exists() and not (tmp_path / "m.png").exists()


def test_labels_never_cover_a_marker_and_are_readable() -> None:
    instance = load_instance(ROOT / "instances" / "ecom74.json")
    ax = plot_routes(instance, load_plan(ROOT / "instances" / "ecom74_plan13.json", instance))
    figure = ax.get_figure()
    figure.draw_without_rendering()
    labels = [t for t in ax.texts if t.get_text()]
    radius = {dc.id: routes_module.DC_RADIUS for dc in instance.dcs} | {
        d: routes_module.RING_RADIUS for d, _ in instance.forbidden
    }
    markers = [routes_module._marker_box(ax, (dc.x, dc.y), radius[dc.id] * figure.dpi / 72) for dc in instance.dcs]
    markers.append(
        routes_module._marker_box(ax, (instance.hub.x, instance.hub.y), routes_module.HUB_RADIUS * figure.dpi / 72)
    )
    assert not any(t.get_window_extent().overlaps(m) for t in labels for m in markers)
    assert all(t.get_fontsize() >= 8 for t in labels) and "km" not in ax.get_xlabel() and "degrees" in ax.get_xlabel()
    toy = plot_routes(load_instance(ROOT / "instances" / "toy6.json"), BROKEN)
    assert (toy.get_xlabel(), toy.get_ylabel()) == ("x (km)", "y (km)")


def test_ids_no_font_has_are_drawn_without_a_warning(tmp_path: Path) -> None:
    import json
    import warnings

    text = (ROOT / "instances" / "toy6.json").read_text()
    for k, new in enumerate(["中心一", "北京", "📦3"], start=1):
        text = text.replace(f'"DC{k}"', json.dumps(new))
    (tmp_path / "cjk.json").write_text(text)
    instance = load_instance(tmp_path / "cjk.json")
    plan = Plan.from_routes([("large-1", ["北京", "中心一", "📦3", "DC4"]), ("small-1", ["DC5", "DC6"])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph ... missing from font(s)" would fail the test
        save_route_plot(instance, plan, tmp_path / "cjk.png")
    assert (tmp_path / "cjk.png").stat().st_size > 10_000
