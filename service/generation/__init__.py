"""Language-model answers with checked citations, and conversations (issue #3).

`build_answerer` and `build_rewriter` turn settings into the pieces the assistant uses; model backends are
imported only when the `generator` setting chooses them.
"""

from __future__ import annotations

from service.extractive import ExtractiveAnswerer
from service.generation.base import Generator
from service.generation.conversation import CarryOverRewriter, ModelRewriter
from service.generation.grounded import GroundedAnswerer
from service.generation.providers import make_generator
from service.generation.verify import CitationVerifier
from service.settings import Settings


def build_generator(settings: Settings, spec: str | None = None) -> Generator | None:
    """The generator `spec` (default: the `generator` setting) names; None for extractive. Raises ProviderError."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return make_generator(
        spec or settings.generator, base_url=settings.openai_base_url, api_key=key, timeout=settings.llm_timeout,
        max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
    )


def build_answerer(settings: Settings, extractive: ExtractiveAnswerer, generator: Generator | None) -> GroundedAnswerer:
    return GroundedAnswerer(
        extractive, generator, verifier=CitationVerifier(settings.verify_min_overlap), mode=settings.verify_mode,
        timeout=settings.llm_timeout, max_tokens=settings.llm_max_tokens, retries=settings.llm_retries,
        sources_budget=settings.llm_source_chars, on_unverified=settings.verify_fallback,
    )


def build_rewriter(settings: Settings, generator: Generator | None) -> CarryOverRewriter | ModelRewriter:
    if generator is None:
        return CarryOverRewriter()
    return ModelRewriter(generator, timeout=min(settings.llm_timeout, 30.0), retries=settings.llm_retries)


__all__ = ["GroundedAnswerer", "CitationVerifier", "build_answerer", "build_generator", "build_rewriter"]
