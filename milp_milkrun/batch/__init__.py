"""All hubs at once: ``milkrun batch`` over a manifest of hub instances, on a local process pool or a
Dask distributed cluster, resumable, with every result checked and written atomically
(docs/batch.md)."""

from milp_milkrun.batch.runner import (
    BatchReport,
    Progress,
    check_batch,
    check_engine,
    load_hubs,
    run_batch,
    summary_rows,
    write_summary,
)
from milp_milkrun.batch.tasks import BatchOptions, HubTask

__all__ = [
    "BatchOptions",
    "BatchReport",
    "HubTask",
    "Progress",
    "check_batch",
    "check_engine",
    "load_hubs",
    "run_batch",
    "summary_rows",
    "write_summary",
]
