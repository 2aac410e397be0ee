"""The HTTP API (FastAPI): milk-run emissions, plan checks, solve jobs and their plans and maps.

Every endpoint but ``/v1/health`` needs the bearer token when one is set (checked in the event loop:
no thread hop). Handlers are plain functions, so FastAPI runs them in its thread pool, never in the
event loop (a small milk run, well under a millisecond of work, is answered in the loop itself);
solves run in the worker processes of :class:`~milp_milkrun.service.workers.WorkerPool`. Bad input gets 422 with the field named
(``{"error", "field", "message"}``), never a traceback; a body above the size limit gets 413
(FastAPI's ``max_body_size``), a full queue 429. Every plan the service returns passed the independent
checker (a solve's result is built by ``make_result``; a stored plan is checked again before it is sent).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from milp_milkrun.bounds import bound_plan
from milp_milkrun.checker import CheckReport, check_plan
from milp_milkrun.emissions import EmissionFactors, MilkRun, factors_from_dict, load_factors, run_emissions, run_report
from milp_milkrun.emissions.runs import field_path
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict
from milp_milkrun.io.plans import without_hub_at_the_ends
from milp_milkrun.io.schema import validate
from milp_milkrun.plan import Plan
from milp_milkrun.plotting.web_map import map_html
from milp_milkrun.service.store import JobStore
from milp_milkrun.service.workers import WorkerPool, prepare
from milp_milkrun.solve import DEFAULT_SEED

LOG = logging.getLogger(__name__)
API_VERSION = "1"
# A run this small takes well under a millisecond: answered in the event loop (no thread hop); a larger
# one, or one with its own factors document, in the thread pool so that it never holds the loop up.
INLINE_STOPS = 50
INLINE_SHIPMENTS = 200
T = TypeVar("T")


@dataclass(frozen=True)
class ServiceSettings:
    """What ``milkrun serve`` is told: where jobs are stored, how many workers, and the limits."""

    data: Path
    workers: int = 2
    max_queue: int = 100  # queued jobs beyond this get 429
    max_time_limit: float = 300.0  # seconds a solve job may ask for
    max_bound_seconds: float = 30.0  # seconds a plan check may spend on a certified bound
    max_body_bytes: int = 5_000_000
    drain_seconds: float = 30.0  # on SIGTERM, how long running jobs may go on before they are stopped
    token: str | None = None  # MILKRUN_API_TOKEN: every endpoint but health needs it when set

    def __post_init__(self) -> None:
        """Refuse limits that make no sense, naming the option."""
        for name in ("workers", "max_queue", "max_body_bytes"):
            if getattr(self, name) < 1:
                raise InputError(name, f"must be at least 1, got {getattr(self, name)}")
        for name in ("max_time_limit", "max_bound_seconds"):
            if not 0 < getattr(self, name) < float("inf"):
                raise InputError(name, f"must be a positive number of seconds, got {getattr(self, name)}")
        if self.drain_seconds < 0:
            raise InputError("drain_seconds", f"must be >= 0, got {self.drain_seconds}")


# ---- request bodies ------------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MilkRunRequest(MilkRun):
    """A milk run, optionally with a factors document laid over the defaults (docs/emissions.md)."""

    factors: dict[str, Any] | None = None


class CheckRequest(_Body):
    """An instance (the JSON instance format), a plan of it, and optionally seconds for a certified bound."""

    instance: dict[str, Any]
    plan: dict[str, Any]
    bound_seconds: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None


class SolveRequest(_Body):
    """An instance and how to solve it; ``time_limit`` is capped by the server (``--max-time-limit``)."""

    instance: dict[str, Any]
    model: Literal["auto", "routes", "strong", "exact"] = "auto"
    time_limit: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 10.0
    gap: Annotated[float, Field(ge=0, lt=1)] = 1e-4
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = DEFAULT_SEED
    objective: Literal["distance", "cost", "emissions"] | None = None
    factors: dict[str, Any] | None = None


# ---- the answer of /v1/emissions/milk-run, for the OpenAPI description (it is sent as built) ----
class FuelOut(_Body):
    name: str
    unit: str
    ttw_kg_co2e_per_unit: float
    wtw_kg_co2e_per_unit: float
    source: str


class LegOut(_Body):
    origin: str
    destination: str
    km: float
    basis: str = Field(description="road, or great circle +15% (the distance adjustment factor)")
    load_kg: float
    loaded: bool
    fuel: float
    kg_co2e_ttw: float
    kg_co2e_wtw: float


class ShipmentOut(_Body):
    shipment: str
    pickup: str
    delivery: str
    mass_kg: float
    allocation_km: float = Field(description="great-circle km from pickup to delivery")
    tonne_km: float = Field(description="transport activity: tonnes x allocation_km")
    share: float
    kg_co2e_ttw: float
    kg_co2e_wtw: float
    g_co2e_per_tonne_km: float | None


class TotalsOut(_Body):
    km: float
    loaded_km: float
    empty_km: float
    tonne_km: float = Field(description="load on board x km, summed over the legs")
    fuel: float
    fuel_unit: str
    kg_co2e_ttw: float
    kg_co2e_wtw: float
    g_co2e_per_tonne_km: float | None


class MilkRunAnswer(_Body):
    terminal: Literal["known", "unknown", "open"]
    virtual_terminal: dict[str, float] | None = Field(
        description="lat and lon of the virtual terminal (terminal unknown)"
    )
    fuel: FuelOut
    legs: list[LegOut]
    shipments: list[ShipmentOut]
    totals: TotalsOut


# ---- the application -----------------------------------------------------------------------
def create_app(settings: ServiceSettings) -> FastAPI:
    """The API application; its worker processes start with the application and stop with it.

    Parameters
    ----------
    settings : ServiceSettings
        Data folder, workers, limits and the token.

    Returns
    -------
    FastAPI
        The application (serve it with uvicorn: :func:`milp_milkrun.service.server.serve`).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore(settings.data)
        interrupted = store.recover()
        if interrupted:
            LOG.warning("%d job(s) were running when the server last stopped: marked interrupted", interrupted)
        app.state.store, app.state.pool = store, WorkerPool(store, settings.workers)
        yield
        app.state.pool.shutdown(settings.drain_seconds)
        store.close()

    app = FastAPI(
        title="milp-milkrun",
        version=API_VERSION,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        description="Milk-run emissions (ISO 14083), plan checks with certified bounds, and solve jobs (docs/api.md).",
    )
    app.state.settings = settings
    app.state.factors = load_factors()
    _add_error_handlers(app)
    guarded = APIRouter(dependencies=[Depends(_bearer_check(settings.token))])
    _add_emissions(guarded)
    _add_checks(guarded)
    _add_jobs(guarded)
    app.include_router(guarded)

    @app.get("/v1/health", tags=["service"])
    def health(request: Request) -> dict[str, Any]:
        """Whether the service is up, its workers and its queue (no token needed)."""
        pool, store = request.app.state.pool, request.app.state.store
        return {
            "status": "ok",
            "version": API_VERSION,
            "workers": settings.workers,
            "workers_alive": pool.alive,
            "queued": store.count("queued"),
            "running": store.count("running"),
        }

    return app


def _bearer_check(token: str | None) -> Callable[..., Awaitable[None]]:
    bearer = HTTPBearer(auto_error=False)

    # async although it awaits nothing: FastAPI runs a plain ``def`` dependency in its thread pool, and
    # that hop was a sixth of the server's CPU time for a small emission request (docs/benchmarks.md)
    async def require_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:  # noqa: B008 - FastAPI's idiom
        if token is None:
            return
        if credentials is None or not secrets.compare_digest(credentials.credentials.encode(), token.encode()):
            raise HTTPException(
                401,
                "a valid bearer token is needed (Authorization: Bearer ...)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return require_token


def _within(prefix: str, build: Callable[[], T]) -> T:
    """Run ``build``; an InputError it raises names its field under ``prefix`` (``instance.dcs[3].demand``)."""
    try:
        return build()
    except InputError as error:
        raise InputError(f"{prefix}.{error.field}", error.message) from None


def _factors(request: Request, document: dict[str, Any] | None) -> EmissionFactors:
    defaults: EmissionFactors = request.app.state.factors
    return defaults if document is None else _within("factors", lambda: factors_from_dict(document))


def _add_emissions(router: APIRouter) -> None:
    @router.post(
        "/v1/emissions/milk-run",
        tags=["emissions"],
        response_class=JSONResponse,
        responses={200: {"model": MilkRunAnswer}},
    )
    async def milk_run(body: MilkRunRequest, request: Request) -> JSONResponse:
        """TTW and WTW emissions of a milk run: per leg (load on board), per shipment (allocated by mass x
        great-circle distance from pickup to delivery) and in total, with the intensity per tonne-km."""

        def answer() -> JSONResponse:
            return JSONResponse(run_report(body, run_emissions(body, _factors(request, body.factors))))

        small = len(body.stops) <= INLINE_STOPS and len(body.shipments) <= INLINE_SHIPMENTS and body.factors is None
        return answer() if small else await run_in_threadpool(answer)

    @router.get("/v1/emissions/fuels", tags=["emissions"])
    def fuels(request: Request) -> dict[str, Any]:
        """Every fuel with its TTW and WTW factors per unit and the source of each (blends computed)."""
        factors: EmissionFactors = request.app.state.factors
        return {
            "fuels": [vars(f) for f in sorted(factors.fuels.values(), key=lambda f: f.name)],
            "electricity": "ELEC: per kWh at the grid factor each request sets (grid_kg_co2e_per_kwh)",
            "profiles": [vars(p) for p in factors.profiles.values()],
            "distance_adjustment_factor": factors.distance_adjustment_factor,
        }


def _parse_plan(document: dict[str, Any], instance: Instance) -> Plan:
    validate(document, "plan")
    return without_hub_at_the_ends(Plan.from_dict(document), instance.hub.id)


def _route_table(report: CheckReport) -> list[dict[str, Any]]:
    return [
        {
            "vehicle": r.vehicle,
            "type": r.vehicle_type,
            "stops": list(r.stops),
            "n_stops": r.n_stops,
            "load": r.load,
            "capacity": r.capacity,
            "utilisation": r.utilisation,
            "distance": r.distance,
            "max_distance": r.max_distance,
            "max_stops": r.max_stops,
            "cost": r.cost,
        }
        for r in report.routes
    ]


def _add_checks(router: APIRouter) -> None:
    @router.post("/v1/plans/check", tags=["plans"])
    def check(body: CheckRequest, request: Request) -> dict[str, Any]:
        """The checker's verdict on a plan: every violation with its equation, the per-route table, and
        (with ``bound_seconds``) a certified lower bound on the optimum and the plan's proven gap."""
        settings: ServiceSettings = request.app.state.settings
        if body.bound_seconds is not None and body.bound_seconds > settings.max_bound_seconds:
            raise InputError(
                "bound_seconds", f"at most {settings.max_bound_seconds:g} s on this server, got {body.bound_seconds:g}"
            )
        instance = _within("instance", lambda: instance_from_dict(body.instance))
        plan = _within("plan", lambda: _parse_plan(body.plan, instance))
        report = check_plan(instance, plan)
        answer = report.to_dict() | {"instance": instance.name, "routes": _route_table(report), "bound": None}
        if body.bound_seconds is not None and report.feasible:
            bound = bound_plan(instance, plan, body.bound_seconds)
            answer["bound"] = {
                "objective": bound.objective,
                "bound": bound.bound,
                "gap": bound.gap,
                "how": bound.how,
                "line": bound.line(),
            }
        return answer


def _job(request: Request, job_id: str) -> dict[str, Any]:
    job = request.app.state.store.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


def _job_view(job: dict[str, Any]) -> dict[str, Any]:
    result = (job["result"] or {}).get("result") or {}
    started, finished = job["started"], job["finished"]
    elapsed = ((finished or time.time()) - started) if started else None
    return {
        "id": job["id"],
        "state": job["state"],
        "created": job["created"],
        "started": started,
        "finished": finished,
        "elapsed_s": elapsed,
        "model": job["request"]["model"],
        "time_limit": job["request"]["time_limit"],
        "status": result.get("status"),
        "objective_kind": result.get("objective_kind"),
        "objective": result.get("objective"),
        "bound": result.get("bound"),
        "gap": result.get("gap"),
        "message": result.get("message"),
        "error": job["error"],
        "has_plan": bool(job["result"] and job["result"].get("plan")),
    }


def _checked_plan(job: dict[str, Any]) -> tuple[Instance, Plan, CheckReport]:
    """The job's plan, checked again against its instance (409 when the job has none)."""
    if not (job["result"] and job["result"].get("plan")):
        raise HTTPException(409, f"job {job['id']} has no plan ({job['state']})")
    instance = instance_from_dict(job["request"]["instance"])
    plan = Plan.from_dict(job["result"]["plan"])
    report = check_plan(instance, plan)
    if not report.feasible:
        raise CheckFailedError(f"the stored plan of job {job['id']} fails the checker")
    return instance, plan, report


def _add_jobs(router: APIRouter) -> None:
    @router.post("/v1/solve", status_code=202, tags=["jobs"])
    def submit(body: SolveRequest, request: Request) -> JSONResponse:
        """Queue a solve; 202 with the job's id (``Location``: the job). 429 when the queue is full."""
        settings: ServiceSettings = request.app.state.settings
        store: JobStore = request.app.state.store
        if body.time_limit > settings.max_time_limit:
            raise InputError(
                "time_limit", f"at most {settings.max_time_limit:g} s on this server, got {body.time_limit:g}"
            )
        prepare(body.model_dump())
        if store.count("queued") >= settings.max_queue:
            raise HTTPException(
                429,
                f"the queue is full ({settings.max_queue} jobs waiting); try again later",
                headers={"Retry-After": "10"},
            )
        job_id = store.create(body.model_dump())
        return JSONResponse(
            {"id": job_id, "state": "queued"}, status_code=202, headers={"Location": f"/v1/jobs/{job_id}"}
        )

    @router.get("/v1/jobs", tags=["jobs"])
    def jobs(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        """The newest jobs first, each as ``GET /v1/jobs/{id}`` shows it."""
        store: JobStore = request.app.state.store
        return {"jobs": [_job_view(job) for job in store.newest(limit)]}

    @router.get("/v1/jobs/{job_id}", tags=["jobs"])
    def job_status(job_id: str, request: Request) -> dict[str, Any]:
        """State, best plan value, bound, gap and elapsed seconds of a job."""
        return _job_view(_job(request, job_id))

    @router.get("/v1/jobs/{job_id}/plan", tags=["jobs"])
    def job_plan(job_id: str, request: Request) -> dict[str, Any]:
        """The job's plan (checked again by the independent checker) with its per-route table."""
        job = _job(request, job_id)
        _, plan, report = _checked_plan(job)
        return _job_view(job) | {
            "plan": plan.to_dict(),
            "feasible": report.feasible,
            "distance": report.distance,
            "cost": report.cost,
            "routes": _route_table(report),
        }

    @router.get("/v1/jobs/{job_id}/map", response_class=HTMLResponse, tags=["jobs"])
    def job_map(job_id: str, request: Request) -> HTMLResponse:
        """The job's plan on an interactive map: one HTML page that works offline."""
        instance, plan, report = _checked_plan(_job(request, job_id))
        if instance.coordinates == "none":
            raise InputError(
                "instance", f"instance {instance.name} has no coordinates (only a distance matrix) to draw a map of"
            )
        return HTMLResponse(map_html(instance, plan, report))

    @router.delete("/v1/jobs/{job_id}", status_code=202, tags=["jobs"])
    def cancel(job_id: str, request: Request) -> JSONResponse:
        """Stop a job: a queued one never runs; a running one stops and keeps its best plan so far."""
        job = _job(request, job_id)
        stopping = request.app.state.pool.cancel(job_id)
        state = request.app.state.store.get(job_id)["state"]
        return JSONResponse(
            {"id": job["id"], "state": state, "stopping": stopping and state == "running"},
            status_code=202 if stopping else 200,
        )


# ---- errors -----------------------------------------------------------------------
def _error(
    status: int, error: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "field": field, "message": message}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        if first.get("type") == "json_invalid":  # loc is ("body", character offset)
            reason = first.get("ctx", {}).get("error", "invalid JSON")
            return _error(422, "invalid_request", f"malformed JSON: {reason} at character {loc[-1]}", "body")
        field = field_path(loc[1:]) if loc[:1] == ("body",) and len(loc) > 1 else field_path(loc) or "body"
        return _error(422, "invalid_request", str(first.get("msg", "invalid request")), field)

    @app.exception_handler(InputError)
    async def invalid_input(_: Request, exc: InputError) -> JSONResponse:
        return _error(422, "invalid_input", exc.message, exc.field)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        codes = {401: "unauthorized", 404: "not_found", 409: "conflict", 413: "too_large", 429: "queue_full"}
        return _error(
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        LOG.exception("internal error", exc_info=exc)
        return _error(500, "internal", "internal error (please report); the details are in the server's log")
