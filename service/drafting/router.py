"""The hook `service.api.app` calls (`OPTIONAL_ROUTERS`): the drafting routes for staff, on the app's context."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.drafting.api import make_router
from service.drafting.service import DraftingService


def create_router(context: Any) -> APIRouter:
    """Drafting routes behind the staff token, sharing the app's assistant, database and index write lock."""
    from service.api.deps import Staff  # the app's staff authentication

    service: list[DraftingService] = []

    def get_service() -> DraftingService:
        if not service:
            service.append(DraftingService(context.settings, context.assistant, context.db))
        return service[0]

    return make_router(get_service, dependencies=[Staff], write_lock=context.writer.hold)
