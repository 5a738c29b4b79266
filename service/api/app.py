"""`create_app(settings) -> FastAPI`: the assistant as an HTTP service.

The web UI is not part of this app: `ui` mounts itself on it (service never imports ui, nor gradio).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import APIRouter, FastAPI

from service.api import routes_citizen, routes_ops, routes_staff
from service.api.context import ServiceContext
from service.api.errors import install_error_handlers
from service.api.limits import BodySizeLimit
from service.api.metrics import MetricsMiddleware
from service.settings import Settings, load_settings

log = logging.getLogger(__name__)

DESCRIPTION = """政策解读助手 HTTP API. Citizen endpoints are open and rate-limited per client; staff endpoints need
`Authorization: Bearer <POLICY_STAFF_TOKEN>`. Every answer is recorded in the audit log with personal data
redacted. Errors are `{"error": {"code": ..., "message": ...}}`."""

# Features that bring their own routes: module, factory(context) -> APIRouter | None (None = not configured).
OPTIONAL_ROUTERS: list[tuple[str, str]] = [
    ("service.wechat.router", "create_router"),
    ("service.drafting.router", "create_router"),
]


def create_app(settings: Settings, assistant: Any = None, context: ServiceContext | None = None) -> FastAPI:
    """The FastAPI app. Pass `assistant` (or a whole `context`) to reuse one already built, e.g. in tests.

    Raises ConfigurationError when the staff token is a placeholder outside dev mode, and ProviderError
    when the index cannot be opened.
    """
    ctx = context or ServiceContext(settings, assistant)
    app = FastAPI(title="政策解读助手 Policy Assistant", version="0.1.0", description=DESCRIPTION)
    app.state.context = ctx
    install_error_handlers(app)
    app.include_router(routes_citizen.router)
    app.include_router(routes_staff.router)
    app.include_router(routes_ops.router)
    for router in optional_routers(ctx):
        app.include_router(router)
    # Added last = outermost: metrics also count the 413s the size limit sends.
    app.add_middleware(BodySizeLimit, upload_limit=ctx.max_upload_bytes)
    app.add_middleware(MetricsMiddleware, metrics=ctx.metrics)
    return app


def optional_routers(ctx: ServiceContext) -> list[APIRouter]:
    routers = []
    for module_name, factory_name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # the feature is not installed in this tree
            log.warning("optional routes unavailable", extra={"feature": module_name, "error": str(exc)})
            continue
        factory = getattr(module, factory_name, None)
        router = factory(ctx) if callable(factory) else None
        if router is not None:
            routers.append(router)
            log.info("mounted optional routes", extra={"feature": module_name})
    return routers


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from POLICY_* variables."""
    return create_app(load_settings())
