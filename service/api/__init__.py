"""The HTTP API: `create_app(settings) -> FastAPI` (routers, auth, limits, metrics, errors)."""

from service.api.app import create_app

__all__ = ["create_app"]
