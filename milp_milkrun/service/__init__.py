"""The HTTP service (``milkrun serve``, docs/api.md): milk-run emissions, plan checks and solve jobs.

``app`` builds the FastAPI application, ``workers`` runs solves in worker processes, ``store`` keeps
jobs and results in SQLite, ``server`` runs uvicorn and writes the OpenAPI description.
"""

from milp_milkrun.service.app import ServiceSettings, create_app

__all__ = ["ServiceSettings", "create_app"]
