"""``/api/v1/``: the routers of every resource on one NinjaAPI (OpenAPI at ``openapi.json``, docs at ``docs``)."""

from . import bulletins, campaigns, findings, items, problems, reports, scores
from .core import api

api.add_router("/", campaigns.router)
api.add_router("/", items.router)
api.add_router("/", reports.router)
api.add_router("/", problems.router)
api.add_router("/", findings.router)
api.add_router("/", scores.router)
api.add_router("/", bulletins.router)

__all__ = ["api"]
