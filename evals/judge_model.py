"""The cross-encoder judge in torch, for training: the same arithmetic as the numpy forward pass the verifier
runs (`tools/minilm.py`), so the trained tensors mean the same thing in both (`tests/evals/test_judge_model.py`).

The bottom layers stay as the embedding model has them and are run once per pair (`bottom_states`); only the
top layers and the head are trained (`TopLayers`), which is what makes training fit on 2 CPU cores.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from tools.minilm import HEADS, HIDDEN, LAYERS

LABEL_COUNT = 3


def _layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, (HIDDEN,), weight, bias, eps=1e-12)


def bert_layer(x: torch.Tensor, mask_bias: torch.Tensor, p: dict[str, torch.Tensor]) -> torch.Tensor:
    """One BERT encoder layer; `p` maps the layer's tensor names (without `encoder.layer.i.`) to tensors in
    nn.Linear's (out, in) layout."""
    batch, length, _ = x.shape
    head = HIDDEN // HEADS

    def heads(t: torch.Tensor) -> torch.Tensor:
        return t.view(batch, length, HEADS, head).transpose(1, 2)

    q = heads(F.linear(x, p["attention.self.query.weight"], p["attention.self.query.bias"]))
    k = heads(F.linear(x, p["attention.self.key.weight"], p["attention.self.key.bias"]))
    v = heads(F.linear(x, p["attention.self.value.weight"], p["attention.self.value.bias"]))
    scores = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(head) + mask_bias, dim=-1)
    attended = (scores @ v).transpose(1, 2).reshape(batch, length, HIDDEN)
    x = _layer_norm(F.linear(attended, p["attention.output.dense.weight"], p["attention.output.dense.bias"]) + x,
                    p["attention.output.LayerNorm.weight"], p["attention.output.LayerNorm.bias"])
    hidden = F.gelu(F.linear(x, p["intermediate.dense.weight"], p["intermediate.dense.bias"]))
    return _layer_norm(F.linear(hidden, p["output.dense.weight"], p["output.dense.bias"]) + x,
                       p["output.LayerNorm.weight"], p["output.LayerNorm.bias"])


def layer_tensors(weights: dict[str, torch.Tensor], index: int) -> dict[str, torch.Tensor]:
    prefix = f"encoder.layer.{index}."
    return {name[len(prefix):]: value for name, value in weights.items() if name.startswith(prefix)}


def mask_bias(mask: torch.Tensor) -> torch.Tensor:
    return (1.0 - mask)[:, None, None, :] * -1e9


@torch.no_grad()
def bottom_states(weights: dict[str, torch.Tensor], ids: torch.Tensor, token_types: torch.Tensor,
                  mask: torch.Tensor, upto: int) -> torch.Tensor:
    """Token vectors after the embeddings and layers 0 … upto-1 (the frozen part)."""
    length = ids.shape[1]
    x = (weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][:length]
         + weights["embeddings.token_type_embeddings.weight"][token_types])
    x = _layer_norm(x, weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
    bias = mask_bias(mask)
    for index in range(upto):
        x = bert_layer(x, bias, layer_tensors(weights, index))
    return x


class TopLayers(nn.Module):
    """The trained part: layers `first` … 5, initialised from the embedding model, mean pooling, a 3-way head."""

    def __init__(self, weights: dict[str, torch.Tensor], first: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.first = first
        self.layers = nn.ModuleList()
        for index in range(first, LAYERS):
            module = nn.ParameterDict({name.replace(".", "__"): nn.Parameter(value.clone())
                                       for name, value in layer_tensors(weights, index).items()})
            self.layers.append(module)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(HIDDEN, LABEL_COUNT)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bias = mask_bias(mask)
        for module in self.layers:
            x = bert_layer(x, bias, {name.replace("__", "."): value for name, value in module.items()})
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return self.head(self.dropout(pooled))

    def exported(self) -> dict[str, torch.Tensor]:
        """The tensors to ship, under the embedding model's names (what `tools/judge` overlays), float16."""
        out = {}
        for offset, module in enumerate(self.layers):
            for name, value in module.items():
                out[f"encoder.layer.{self.first + offset}.{name.replace('__', '.')}"] = value.detach().half()
        out["head.weight"] = self.head.weight.detach().half()
        out["head.bias"] = self.head.bias.detach().half()
        return {name: value.contiguous() for name, value in out.items()}
