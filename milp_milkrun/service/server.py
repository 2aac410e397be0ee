"""``milkrun serve``: the API on uvicorn, and its OpenAPI description written to a file."""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from milp_milkrun.io.files import write_text_atomically
from milp_milkrun.service.app import ServiceSettings, create_app

TOKEN_VARIABLE = "MILKRUN_API_TOKEN"


def serve(settings: ServiceSettings, *, host: str = "127.0.0.1", port: int = 8000, access_log: bool = False) -> None:
    """Serve the API until SIGINT or SIGTERM, then drain: no new job starts, running jobs get
    ``settings.drain_seconds`` to end and are then stopped with their best plan kept.

    Parameters
    ----------
    settings : ServiceSettings
        Data folder, workers, limits and token.
    host, port : str, int
        Where to listen (127.0.0.1: this machine only).
    access_log : bool
        Log a line per request (uvicorn's access log). Off by default: formatting and writing the line
        is about a seventh of the server's CPU time for a small emission request (docs/benchmarks.md).
    """
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        timeout_graceful_shutdown=10,
    )
    _Server(config).run()


class _Server(uvicorn.Server):
    """uvicorn's server, except that after SIGINT or SIGTERM and the drain the process ends normally (exit
    0, so the multiprocessing queues are released at exit) instead of being killed by the signal again."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Let SIGINT and SIGTERM start the graceful shutdown (a second one forces it), and re-raise neither.

        Yields
        ------
        None
            While the server runs.
        """
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def openapi_text(settings: ServiceSettings) -> str:
    """The OpenAPI description of the API (docs/openapi.json), as JSON text.

    Parameters
    ----------
    settings : ServiceSettings
        Settings of the application (its limits do not appear in the description).

    Returns
    -------
    str
        Indented JSON ending in a newline.
    """
    return json.dumps(create_app(settings).openapi(), indent=2, ensure_ascii=False) + "\n"


def write_openapi(path: str | Path, settings: ServiceSettings) -> None:
    """Write :func:`openapi_text` to ``path`` (atomically).

    Parameters
    ----------
    path : str or Path
        The file, e.g. ``docs/openapi.json``.
    settings : ServiceSettings
        Settings of the application.
    """
    write_text_atomically(path, openapi_text(settings))
