"""Staff authentication: one bearer token from settings, refused when it is a placeholder outside dev mode."""

from __future__ import annotations

import logging
import secrets

from fastapi import Request

from service.api.errors import ApiError, ConfigurationError
from service.settings import Settings

log = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16
PLACEHOLDERS = frozenset({
    "", "changeme", "change-me", "change_me", "changethis", "change-this", "secret", "password", "token",
    "staff", "staff-token", "test", "dev", "admin", "example", "placeholder", "xxx", "todo", "none", "null",
})
_HINT = "set POLICY_STAFF_TOKEN to a long random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def is_placeholder(token: str | None) -> bool:
    """True for a missing token, a well-known placeholder, or one too short to resist guessing."""
    if token is None:
        return True
    value = token.strip()
    return value.lower() in PLACEHOLDERS or len(value) < MIN_TOKEN_CHARS or len(set(value)) < 4


def resolve_staff_token(settings: Settings) -> str:
    """The staff token to require. Raises ConfigurationError for a placeholder unless `settings.dev_mode`.

    In dev mode a placeholder is replaced by a random token for this process, logged once, so that
    development never runs with a guessable token either.
    """
    token = settings.staff_token.get_secret_value() if settings.staff_token else None
    if not is_placeholder(token):
        return str(token).strip()
    if not settings.dev_mode:
        state = "is not set" if not token else "is a placeholder or shorter than 16 characters"
        raise ConfigurationError(f"POLICY_STAFF_TOKEN {state}: {_HINT}; or start with --dev for local development")
    generated = secrets.token_urlsafe(24)
    log.warning("dev mode: generated a staff token for this run", extra={"staff_token": generated})
    return generated


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def check_staff(request: Request, expected: str) -> None:
    """Raises ApiError 401 without a bearer token and 403 with a wrong one."""
    given = bearer_token(request)
    if given is None:
        raise ApiError(401, "missing_token", "staff endpoints need the header 'Authorization: Bearer <POLICY_STAFF_TOKEN>'",
                       headers={"WWW-Authenticate": "Bearer"})
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise ApiError(403, "invalid_token", "the staff token is wrong; use the value of POLICY_STAFF_TOKEN",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
