"""all-MiniLM-L6-v2 in plain numpy: the same weights and tokenizer as the sentence-transformers model, without
importing torch.

Importing torch and sentence-transformers costs a few seconds before the first embedding; a search from the
command line embeds one query, so it pays that cost for nothing. This forward pass (BERT: 6 layers, 12 heads,
hidden 384, mean pooling, L2 norm) reproduces sentence-transformers' vectors to a cosine of 1.0000
(`tests/tools/test_embeddings.py`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

LAYERS, HEADS, HIDDEN = 6, 12, 384
MAX_TOKENS = 256  # the sentence-transformers model's max_seq_length
BATCH = 32


def erf(x: np.ndarray) -> np.ndarray:
    """erf to about 1e-7 (Numerical Recipes' Chebyshev fit of erfc), vectorised; numpy has none."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


class NumpyMiniLM:
    def __init__(self, model_dir: Path, max_tokens: int = MAX_TOKENS, overlay: dict[str, np.ndarray] | None = None
                 ) -> None:
        """`overlay`: tensors that replace the model's own (a fine-tuned model shipped as its changed layers)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.weights = {**load_file(str(Path(model_dir) / "model.safetensors")), **(overlay or {})}
        self.weights = {name: value.astype(np.float32, copy=False) for name, value in self.weights.items()}
        # nn.Linear keeps weights as (out, in); transpose once for x @ W
        for name, value in list(self.weights.items()):
            if name.endswith(".weight") and value.ndim == 2 and "embeddings" not in name:
                self.weights[name] = np.ascontiguousarray(value.T)
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + 1e-12) * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]

    def token_states(self, ids: np.ndarray, token_types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token vectors (batch, length, hidden) for token ids with their segment ids and
        attention mask, as BERT computes them."""
        batch, length = ids.shape
        w = self.weights
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][token_types])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        attention_bias = (1.0 - mask)[:, None, None, :] * -1e9
        head = HIDDEN // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}"

            def heads(t: np.ndarray) -> np.ndarray:  # contiguous: numpy's stacked matmul is BLAS only then
                return np.ascontiguousarray(t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3))

            q = heads(self._linear(x, f"{p}.attention.self.query"))
            k = heads(self._linear(x, f"{p}.attention.self.key"))
            v = heads(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / math.sqrt(head) + attention_bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN)
            x = self._layer_norm(self._linear(attended, f"{p}.attention.output.dense") + x,
                                 f"{p}.attention.output.LayerNorm")
            hidden = self._linear(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))
            x = self._layer_norm(self._linear(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x

    def pooled(self, encodings: list) -> np.ndarray:
        """Mean of the last layer's token vectors over each encoding's real tokens (tokenizers `Encoding`s of
        one padded batch)."""
        ids = np.array([e.ids for e in encodings])
        token_types = np.array([e.type_ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        x = self.token_states(ids, token_types, mask)
        return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)

    def _batch(self, texts: list[str]) -> np.ndarray:
        pooled = self.pooled(self.tokenizer.encode_batch(texts))
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings, in batches of texts of similar length (less padding)."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chosen = order[start:start + BATCH]
            out[chosen] = self._batch([texts[i] for i in chosen])
        return out
