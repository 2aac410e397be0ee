"""The HTTP service against a real server: uvicorn on 127.0.0.1 at a free port in a subprocess, httpx
calling every endpoint; bad bodies; a cancelled job; SIGKILL mid-job and a restart; SIGTERM; concurrent
clients. Tiny instances and short limits keep it well under a minute (docs/api.md)."""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from cli_helpers import run_cli

from milp_milkrun.service import ServiceSettings
from milp_milkrun.service.app import MilkRunAnswer, SolveRequest
from milp_milkrun.service.server import openapi_text
from milp_milkrun.service.store import JobStore
from milp_milkrun.service.workers import WorkerPool

REPO = Path(__file__).resolve().parents[1]
TOY6 = json.loads((REPO / "instances" / "toy6.json").read_text())
ECOM74 = json.loads((REPO / "instances" / "ecom74.json").read_text())
TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEGREE_KM = 6371.0088 * math.pi / 180  # one degree of a great circle (the haversine radius of instance.py)

# The worked run of docs/api.md: A (0, 0), B (0, 1), C (0, 3) on the equator; s1 1 t from A to C, s2 0.5 t
# picked up at B for C; 0.2 l/km empty, 0.3 l/km full at 2 t, diesel.
STOPS = [{"id": "A", "lat": 0, "lon": 0}, {"id": "B", "lat": 0, "lon": 1}, {"id": "C", "lat": 0, "lon": 3}]
SHIPMENTS = [
    {"id": "s1", "mass_kg": 1000, "pickup": "A", "delivery": "C"},
    {"id": "s2", "mass_kg": 500, "pickup": "B", "delivery": "C"},
]
VEHICLE = {"fuel": "DIESEL", "empty_per_km": 0.2, "full_per_km": 0.3, "payload_kg": 2000}
WORKED_RUN = {"stops": STOPS, "shipments": SHIPMENTS, "vehicle": VEHICLE, "terminal": "unknown", "road_km": [120, 230]}


@dataclass
class Server:
    url: str
    data: Path
    process: subprocess.Popen[bytes]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=AUTH, timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, *extra: str, workers: int = 2) -> Server:
    port = free_port()
    env = os.environ | {"MILKRUN_API_TOKEN": TOKEN, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "milp_milkrun",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--data",
        str(data),
        "--max-body-bytes",
        "300000",
        "--max-time-limit",
        "60",
        "--drain-seconds",
        "1",
        *extra,
    ]
    with (data / "server.out").open("wb") as output:  # what the server logs (unbuffered: it may be killed)
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", data, process)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.url}/v1/health", timeout=1).json()["workers_alive"] == workers:
                return server
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the server exited at start-up"
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not come up within 40 s")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("service"))
    yield running
    stop(running)


def wait_for(client: httpx.Client, job: str, states: tuple[str, ...], seconds: float = 40) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view = client.get(f"/v1/jobs/{job}").json()
        if view["state"] in states:
            return view
        time.sleep(0.1)
    raise AssertionError(f"job {job} not in {states} within {seconds} s: {view}")


def submit(client: httpx.Client, instance: dict[str, Any], time_limit: float) -> str:
    response = client.post("/v1/solve", json={"instance": instance, "time_limit": time_limit})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_the_openapi_file_is_current_and_served(server: Server) -> None:
    current = openapi_text(ServiceSettings(data=Path("unused")))
    assert (REPO / "docs" / "openapi.json").read_text() == current, "run: milkrun serve --openapi docs/openapi.json"
    assert httpx.get(f"{server.url}/openapi.json").json() == json.loads(current)


@pytest.mark.parametrize(
    ("flags", "flag"),
    [
        (["--workers", "0"], "--workers"),
        (["--port", "70000"], "--port"),
        (["--max-time-limit", "inf"], "--max-time-limit"),
        (["--openapi", "api.txt"], "--openapi"),
    ],
)
def test_serve_refuses_bad_options_in_one_line(
    flags: list[str], flag: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "serve", *flags)
    assert code == 2 and out == "" and err.startswith(f"error: {flag}:") and len(err.strip().splitlines()) == 1, err


def test_health_is_open_and_everything_else_needs_the_token(server: Server) -> None:
    assert httpx.get(f"{server.url}/v1/health").json()["status"] == "ok"
    anonymous = httpx.post(f"{server.url}/v1/emissions/milk-run", json=WORKED_RUN)
    wrong = httpx.get(f"{server.url}/v1/jobs/x", headers={"Authorization": "Bearer nope"})
    assert anonymous.status_code == wrong.status_code == 401 and anonymous.json()["error"] == "unauthorized"


def test_the_worked_run_of_docs_api_md_by_hand(server: Server) -> None:
    with server.client() as client:
        answer = client.post("/v1/emissions/milk-run", json=WORKED_RUN).json()
    MilkRunAnswer.model_validate(answer)  # the answer is what the OpenAPI description says
    terminal_km = 1.5 * DEGREE_KM * 1.15  # the virtual terminal at (0, 1.5): 1.5 degrees from A and from C, +15%
    fuel = terminal_km * 0.2 + 120 * (0.2 + 0.1 * 1000 / 2000) + 230 * (0.2 + 0.1 * 1500 / 2000) + terminal_km * 0.2
    assert answer["virtual_terminal"] == pytest.approx({"lat": 0, "lon": 1.5})
    assert [leg["km"] for leg in answer["legs"]] == pytest.approx([terminal_km, 120, 230, terminal_km])
    assert [leg["load_kg"] for leg in answer["legs"]] == [0, 1000, 1500, 0]
    assert answer["totals"]["fuel"] == pytest.approx(fuel) and answer["totals"]["kg_co2e_wtw"] == pytest.approx(
        fuel * 3.24
    )
    assert answer["totals"]["empty_km"] == pytest.approx(2 * terminal_km)
    # allocation: s1 1 t x 3 degrees, s2 0.5 t x 2 degrees (great circle, pickup to delivery): 3/4 and 1/4
    assert [s["share"] for s in answer["shipments"]] == pytest.approx([0.75, 0.25])
    assert sum(s["kg_co2e_wtw"] for s in answer["shipments"]) == pytest.approx(fuel * 3.24)


def test_an_open_loop_a_blend_and_electricity(server: Server) -> None:
    with server.client() as client:
        open_run = client.post("/v1/emissions/milk-run", json=WORKED_RUN | {"terminal": "open", "road_km": None}).json()
        b7 = client.post("/v1/emissions/milk-run", json=WORKED_RUN | {"vehicle": VEHICLE | {"fuel": "b7"}}).json()
        diesel = client.post("/v1/emissions/milk-run", json=WORKED_RUN).json()
        elec_vehicle = {"fuel": "ELEC", "empty_per_km": 0.8, "full_per_km": 1.1, "payload_kg": 2000}
        no_grid = client.post("/v1/emissions/milk-run", json=WORKED_RUN | {"vehicle": elec_vehicle})
        elec = client.post(
            "/v1/emissions/milk-run", json=WORKED_RUN | {"vehicle": elec_vehicle, "grid_kg_co2e_per_kwh": 0.5}
        ).json()
        fuels = {f["name"]: f for f in client.get("/v1/emissions/fuels").json()["fuels"]}
    fuel = DEGREE_KM * 1.15 * 0.25 + 2 * DEGREE_KM * 1.15 * 0.275
    assert (
        open_run["totals"]["fuel"] == pytest.approx(fuel)
        and open_run["virtual_terminal"] is None
        and len(open_run["legs"]) == 2
    )
    assert b7["fuel"]["wtw_kg_co2e_per_unit"] == pytest.approx(0.93 * 3.24 + 0.07 * 1.92)
    assert (
        b7["totals"]["fuel"] == pytest.approx(diesel["totals"]["fuel"])
        and b7["totals"]["kg_co2e_wtw"] < diesel["totals"]["kg_co2e_wtw"]
    )
    assert no_grid.status_code == 422 and no_grid.json()["field"] == "grid_kg_co2e_per_kwh"
    assert elec["totals"]["kg_co2e_ttw"] == 0 and elec["totals"]["kg_co2e_wtw"] == pytest.approx(
        0.5 * elec["totals"]["fuel"]
    )
    names = {
        "DIESEL",
        "CNG",
        "LNG",
        "PETROL",
        "HVO",
        "LPG",
        "BIOLNG",
        "BIOCNG",
        "BIODIESEL",
        "HYDROGEN_GASEOUS_FCV",
        "B1",
        "B2",
        "B5",
        "B7",
        "B10",
        "B20",
        "B30",
        "B50",
    }
    assert names <= set(fuels) and all(
        f["source"] and f["wtw_kg_co2e_per_unit"] >= f["ttw_kg_co2e_per_unit"] for f in fuels.values()
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (WORKED_RUN | {"shipments": [SHIPMENTS[0] | {"mass_kg": -5}]}, "shipments[0].mass_kg"),
        (WORKED_RUN | {"shipments": [SHIPMENTS[0] | {"mass_kg": "heavy"}]}, "shipments[0].mass_kg"),
        (WORKED_RUN | {"vehicle": VEHICLE | {"fuel": "KEROSENE"}}, "vehicle.fuel"),
        (WORKED_RUN | {"shipments": [SHIPMENTS[0] | {"delivery": "Z"}]}, "shipments[0].delivery"),
        (WORKED_RUN | {"shipments": [SHIPMENTS[0] | {"pickup": "C", "delivery": "A"}]}, "shipments[0].delivery"),
        (WORKED_RUN | {"road_km": [1.0]}, "road_km"),
        (WORKED_RUN | {"stops": "A,B,C"}, "stops"),
        (WORKED_RUN | {"speed": 3}, "speed"),
        (
            WORKED_RUN
            | {
                "factors": {
                    "fuels": {
                        "DIESEL": {"unit": "l", "ttw_kg_co2e_per_unit": 3.5, "wtw_kg_co2e_per_unit": 3.2, "source": "x"}
                    }
                }
            },
            "factors.fuels.DIESEL.wtw_kg_co2e_per_unit",
        ),
    ],
)
def test_bad_runs_get_422_naming_the_field(server: Server, body: dict[str, Any], field: str) -> None:
    with server.client() as client:
        response = client.post("/v1/emissions/milk-run", json=body)
    assert response.status_code == 422 and response.json()["field"] == field, response.text
    assert "Traceback" not in response.text


def test_malformed_and_oversized_bodies(server: Server) -> None:
    with server.client() as client:
        malformed = client.post(
            "/v1/emissions/milk-run", content=b'{"stops": [', headers={"Content-Type": "application/json"}
        )
        oversized = client.post(
            "/v1/emissions/milk-run", content=b" " * 400_000, headers={"Content-Type": "application/json"}
        )
        bad_solve = client.post(
            "/v1/solve", json={"instance": TOY6 | {"dcs": [{"id": "DC1", "demand": -1, "x": 0, "y": 0}]}}
        )
        too_long = client.post("/v1/solve", json={"instance": TOY6, "time_limit": 1000})
        arc_emissions = client.post("/v1/solve", json={"instance": TOY6, "model": "exact", "objective": "emissions"})
        stray_factors = client.post("/v1/solve", json={"instance": TOY6, "factors": {}})
        unknown = client.get("/v1/jobs/nope")
    assert (
        malformed.status_code == 422
        and malformed.json()["field"] == "body"
        and "malformed JSON" in malformed.json()["message"]
    )
    assert oversized.status_code == 413
    assert bad_solve.status_code == 422 and bad_solve.json()["field"].startswith("instance.dcs[0]")
    assert too_long.status_code == 422 and too_long.json()["field"] == "time_limit"
    assert arc_emissions.status_code == 422 and arc_emissions.json()["field"] == "objective"
    assert stray_factors.status_code == 422 and stray_factors.json()["field"] == "factors"
    assert unknown.status_code == 404


def test_a_plan_check_with_violations_and_a_certified_bound(server: Server) -> None:
    good = {
        "routes": [
            {"vehicle": "large-1", "stops": ["DC1", "DC2", "DC3"]},
            {"vehicle": "small-1", "stops": ["DC4"]},
            {"vehicle": "small-2", "stops": ["DC6", "DC5"]},
        ]
    }
    broken = {"routes": [{"vehicle": "large-1", "stops": ["DC1", "DC2", "DC3", "DC4", "DC5", "DC6"]}]}
    with server.client() as client:
        verdict = client.post("/v1/plans/check", json={"instance": TOY6, "plan": good, "bound_seconds": 10}).json()
        breaks = client.post("/v1/plans/check", json={"instance": TOY6, "plan": broken}).json()
    assert verdict["feasible"] and verdict["distance"] == 94 and len(verdict["routes"]) == 3
    assert verdict["bound"]["bound"] <= 94 + 1e-9 and verdict["bound"]["gap"] == pytest.approx(0, abs=1e-6)
    assert not breaks["feasible"] and breaks["bound"] is None and all(v["equation"] for v in breaks["violations"])


def test_a_solve_job_its_plan_and_its_map(server: Server) -> None:
    with server.client() as client:
        job = submit(client, TOY6, 10)
        view = wait_for(client, job, ("done", "failed"))
        plan = client.get(f"/v1/jobs/{job}/plan").json()
        page = client.get(f"/v1/jobs/{job}/map")
    assert view["state"] == "done" and view["status"] == "optimal" and view["objective"] == 94 and view["gap"] == 0
    with server.client() as client:
        assert job in [j["id"] for j in client.get("/v1/jobs").json()["jobs"]]
    assert view["elapsed_s"] > 0 and plan["feasible"] and len(plan["plan"]["routes"]) == len(plan["routes"]) == 3
    assert page.status_code == 200 and page.text.lstrip().lower().startswith("<!doctype html") and "toy6" in page.text


def test_a_cancelled_job_keeps_its_best_plan(server: Server) -> None:
    with server.client() as client:
        job = submit(client, ECOM74, 50)
        wait_for(client, job, ("running",))
        time.sleep(3)  # into the heuristic start
        assert client.delete(f"/v1/jobs/{job}").status_code == 202
        view = wait_for(client, job, ("cancelled", "done", "failed"), seconds=20)
        queued = submit(client, TOY6, 5)
        client.delete(f"/v1/jobs/{queued}")
        assert wait_for(client, queued, ("cancelled", "done"))["state"] in ("cancelled", "done")
        plan = client.get(f"/v1/jobs/{job}/plan")
    assert view["state"] == "cancelled" and view["elapsed_s"] < 20
    if view["has_plan"]:
        assert plan.status_code == 200 and plan.json()["feasible"]
    else:
        assert plan.status_code == 409


def test_concurrent_clients(server: Server) -> None:
    def emissions(_: int) -> int:
        with server.client() as client:
            return max(client.post("/v1/emissions/milk-run", json=WORKED_RUN).status_code for _ in range(10))

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(emissions, range(8)))
        with server.client() as client:
            jobs = list(pool.map(lambda _: submit(client, TOY6, 10), range(4)))
            views = [wait_for(client, job, ("done", "failed")) for job in jobs]
    assert codes == [200] * 8 and all(v["state"] == "done" and v["objective"] == 94 for v in views)


def test_requests_are_logged_only_with_access_log(server: Server, tmp_path: Path) -> None:
    request_line = '"POST /v1/emissions/milk-run HTTP/1.1" 200'
    logged = start_server(tmp_path, "--access-log", workers=1)
    try:
        for running in (server, logged):
            with running.client() as client:
                assert client.post("/v1/emissions/milk-run", json=WORKED_RUN).status_code == 200
    finally:
        stop(logged)
    assert request_line in (tmp_path / "server.out").read_text()
    quiet = (server.data / "server.out").read_text()
    assert "Application startup complete" in quiet and "POST /v1/emissions/milk-run" not in quiet


def test_a_full_queue_gets_429(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--max-queue", "1", workers=1)
    try:
        with server.client() as client:
            first = submit(client, ECOM74, 30)
            wait_for(client, first, ("running",))
            second = submit(client, TOY6, 5)
            third = client.post("/v1/solve", json={"instance": TOY6, "time_limit": 5})
            assert third.status_code == 429 and third.json()["error"] == "queue_full"
            client.delete(f"/v1/jobs/{second}")
            client.delete(f"/v1/jobs/{first}")
    finally:
        stop(server)


def test_sigkill_mid_job_then_restart_then_sigterm(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    with server.client() as client:
        finished = submit(client, TOY6, 10)
        wait_for(client, finished, ("done",))
        running = submit(client, ECOM74, 50)
        wait_for(client, running, ("running",))
    workers = psutil.Process(server.process.pid).children(recursive=True)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "a worker outlived the killed server"
    server = start_server(tmp_path)
    try:
        with server.client() as client:
            done, interrupted = client.get(f"/v1/jobs/{finished}").json(), client.get(f"/v1/jobs/{running}").json()
            assert (
                done["state"] == "done"
                and done["objective"] == 94
                and client.get(f"/v1/jobs/{finished}/plan").json()["feasible"]
            )
            assert interrupted["state"] == "interrupted" and "stopped" in interrupted["error"]
            draining = submit(client, ECOM74, 50)
            wait_for(client, draining, ("running",))
        server.process.send_signal(signal.SIGTERM)  # drains: the job is stopped, its best plan kept
        assert server.process.wait(30) == 0
    finally:
        stop(server)
    store = JobStore(tmp_path)
    assert store.get(draining)["state"] == "interrupted" and store.get(finished)["state"] == "done"
    store.close()


def test_a_job_cancelled_as_a_fresh_worker_takes_it_is_cancelled_not_failed(tmp_path: Path) -> None:
    """A job goes only to a worker that takes SIGINT as a cancel: one handed to a worker whose
    interpreter is still starting was killed by the cancel's SIGINT ("the worker process died")."""
    store = JobStore(tmp_path)
    job = store.create(SolveRequest.model_validate({"instance": TOY6, "time_limit": 5}).model_dump())
    pool = WorkerPool(store, 1)
    try:
        deadline = time.monotonic() + 30
        while store.get(job)["state"] == "queued" and time.monotonic() < deadline:
            time.sleep(0.005)
        pool.cancel(job)  # at once: before the fix, while the spawned interpreter was still importing
        while store.get(job)["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.get(job)["state"] in ("cancelled", "done"), store.get(job)
    finally:
        pool.shutdown(5)
        store.close()
