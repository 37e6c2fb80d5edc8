"""``/api/v1/``: the routers of every resource on one NinjaAPI (OpenAPI at ``openapi.json``, docs at ``docs``)."""

from . import items
from .core import api

api.add_router("/", items.router)

__all__ = ["api"]
