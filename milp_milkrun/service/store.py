"""The service's jobs and their results in SQLite (``jobs.sqlite`` under the data folder).

A job is ``queued``, ``running``, then ``done``, ``failed``, ``cancelled`` (DELETE; its best plan so far
is kept) or ``interrupted`` (the server stopped while it ran). Every change is committed at once, so a
server killed at any moment loses no finished job; at the next start, :meth:`JobStore.recover` marks
the jobs that were running as interrupted, and the queued ones run.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

FINAL_STATES = ("done", "failed", "cancelled", "interrupted")
SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    request TEXT NOT NULL,
    result TEXT,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
)
"""


class JobStore:
    """Jobs in one SQLite file, safe to use from several threads of one process."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(folder / "jobs.sqlite", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def create(self, request: dict[str, Any]) -> str:
        """Store a new queued job.

        Parameters
        ----------
        request : dict
            What the worker needs: the instance document and the solve options.

        Returns
        -------
        str
            The job's id.
        """
        job_id = uuid.uuid4().hex
        self._run(
            "INSERT INTO jobs (id, state, created, request) VALUES (?, 'queued', ?, ?)",
            (job_id, time.time(), json.dumps(request)),
        )
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job's row (request and result parsed), or None for an unknown id.

        Parameters
        ----------
        job_id : str
            A job id.

        Returns
        -------
        dict or None
            The row as a dict.
        """
        rows = self._run("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            return None
        row = dict(rows[0])
        row["request"] = json.loads(row["request"])
        row["result"] = json.loads(row["result"]) if row["result"] else None
        return row

    def newest(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` newest jobs, newest first.

        Parameters
        ----------
        limit : int
            How many.

        Returns
        -------
        list[dict]
            Rows as :meth:`get` returns them.
        """
        rows = self._run("SELECT id FROM jobs ORDER BY created DESC LIMIT ?", (limit,))
        return [job for job in (self.get(row["id"]) for row in rows) if job is not None]

    def count(self, state: str) -> int:
        """How many jobs are in ``state``.

        Parameters
        ----------
        state : str
            A job state.

        Returns
        -------
        int
            The number of jobs.
        """
        return int(self._run("SELECT COUNT(*) FROM jobs WHERE state = ?", (state,))[0][0])

    def start_next(self) -> tuple[str, dict[str, Any]] | None:
        """Mark the oldest queued job running and return it (None when none is queued).

        Returns
        -------
        tuple or None
            The job's id and request.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT id, request FROM jobs WHERE state = 'queued' ORDER BY created LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE jobs SET state = 'running', started = ? WHERE id = ?", (time.time(), row["id"]))
        return row["id"], json.loads(row["request"])

    def finish(
        self, job_id: str, state: str, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        """Record a job's end (a job already ended keeps its first end).

        Parameters
        ----------
        job_id : str
            The job.
        state : str
            One of :data:`FINAL_STATES`.
        result : dict, optional
            The solve's result and plan.
        error : str, optional
            Why it failed or stopped.
        """
        placeholders = ", ".join("?" for _ in FINAL_STATES)
        self._run(
            f"UPDATE jobs SET state = ?, finished = ?, result = ?, error = ? WHERE id = ? AND state NOT IN ({placeholders})",
            (state, time.time(), json.dumps(result) if result is not None else None, error, job_id, *FINAL_STATES),
        )

    def request_cancel(self, job_id: str) -> None:
        """Note that the client asked to stop the job (its result is then ``cancelled``).

        Parameters
        ----------
        job_id : str
            The job.
        """
        self._run("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))

    def recover(self) -> int:
        """At start-up: the jobs a stopped server left running are interrupted.

        Returns
        -------
        int
            How many jobs were marked interrupted.
        """
        rows = self._run("SELECT id FROM jobs WHERE state = 'running'")
        for row in rows:
            self.finish(row["id"], "interrupted", error="the server stopped while the job ran; submit it again")
        return len(rows)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
