"""The ``serve`` command: the HTTP API (docs/api.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from milp_milkrun.cli.app import app
from milp_milkrun.errors import InputError
from milp_milkrun.io.files import check_output_path


@app.command("serve", short_help="Serve the HTTP API: emissions, plan checks, solve jobs.")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(2, "--workers", help="Worker processes that run solve jobs (one job each at a time)."),
    data: Path = typer.Option(
        Path("milkrun-data"), "--data", help="DIR for the jobs and results (SQLite); kept across restarts."
    ),
    max_queue: int = typer.Option(100, "--max-queue", help="Queued jobs beyond this get 429."),
    max_time_limit: float = typer.Option(300.0, "--max-time-limit", help="Seconds a solve job may ask for."),
    max_bound_seconds: float = typer.Option(
        30.0, "--max-bound-seconds", help="Seconds a plan check may spend on a certified bound."
    ),
    max_body_bytes: int = typer.Option(5_000_000, "--max-body-bytes", help="Request bodies above this get 413."),
    drain_seconds: float = typer.Option(
        30.0, "--drain-seconds", help="On SIGTERM, how long running jobs may go on before they are stopped."
    ),
    access_log: bool = typer.Option(
        False,
        "--access-log",
        help="Log a line per request (uvicorn's access log); off by default, it costs server time.",
    ),
    openapi: Path | None = typer.Option(
        None, "--openapi", help="Write the OpenAPI description to this .json file and exit."
    ),
) -> None:
    """Serve the HTTP API (docs/api.md): milk-run emissions, plan checks, solve jobs. Set MILKRUN_API_TOKEN to require a bearer token."""
    import os

    from milp_milkrun.service import ServiceSettings
    from milp_milkrun.service.server import TOKEN_VARIABLE, serve, write_openapi

    if not 0 <= port <= 65535:
        raise InputError("--port", f"must be in 0..65535, got {port}")
    try:
        settings = ServiceSettings(
            data=data,
            workers=workers,
            max_queue=max_queue,
            max_time_limit=max_time_limit,
            max_bound_seconds=max_bound_seconds,
            max_body_bytes=max_body_bytes,
            drain_seconds=drain_seconds,
            token=os.environ.get(TOKEN_VARIABLE) or None,
        )
    except InputError as error:
        raise InputError("--" + error.field.replace("_", "-"), error.message) from None
    if openapi is not None:
        write_openapi(check_output_path(openapi, field="--openapi", suffixes=(".json",)), settings)
        typer.echo(f"wrote {openapi}", err=True)
        return
    serve(settings, host=host, port=port, access_log=access_log)
