"""The errors the service raises. The CLI and the HTTP API turn them into messages a person can act on."""

from __future__ import annotations


class PolicyAssistantError(Exception):
    """Base class: `str(error)` is a message for the user, with what to do about it."""


class UserInputError(PolicyAssistantError):
    """The request itself is wrong (empty or too long question, unknown document, bad filter)."""


class ProviderError(PolicyAssistantError):
    """A configured backend (embedder, vector store, language model) is missing or failed."""
