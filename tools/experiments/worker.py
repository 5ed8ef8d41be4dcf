"""The experiment worker: fine-tune a multilingual encoder on the train language, evaluate zero-shot on the others.

    python -m tools.experiments.worker --spec SPEC.json --out DIR [--cache-dir DIR]

The same contract on every backend: the spec in; `DIR/metrics.json` (written atomically) and one final log
line `EXPERIMENT_METRICS {json}` out, so a backend with no shared filesystem can still collect the result
from the job's log. Exit status 0 on success, 1 on a failure (with the reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

from tools.experiments.jobs import METRICS_PREFIX


def _log(message: str) -> None:
    print(f"[worker {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _batches(examples, size: int, shuffle_seed: int | None = None):
    order = list(range(len(examples)))
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(order)
    for start in range(0, len(order), size):
        yield [examples[i] for i in order[start:start + size]]


def _encode(tokenizer, batch, max_length: int, device):
    # dynamic padding: each batch is padded to its own longest pair, not to max_length
    encoded = tokenizer([e.text_a for e in batch], [e.text_b for e in batch], truncation=True,
                        max_length=max_length, padding=True, return_tensors="pt")
    return {k: v.to(device) for k, v in encoded.items()}


def _evaluate(model, tokenizer, examples, max_length: int, device, autocast) -> list[bool]:
    """Whether each example was labelled right, in order (the same items in every language)."""
    import torch

    model.eval()
    outcomes: list[bool] = []
    with torch.no_grad():
        for batch in _batches(examples, 64):
            with autocast():
                logits = model(**_encode(tokenizer, batch, max_length, device)).logits
            predictions = logits.argmax(dim=-1).tolist()
            outcomes += [p == e.label for p, e in zip(predictions, batch)]
    return outcomes


def _mean_pooling_classifier(model_path, num_labels: int):
    """The encoder with a linear head on its mean-pooled token states.

    e5 models were trained to be read out by mean pooling and ship no pooler; a CLS pooler would start random
    and needs far more steps than a CPU run has."""
    import torch
    from transformers import AutoModel

    class MeanPoolingClassifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(model_path, add_pooling_layer=False)
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(getattr(self.encoder.config, "hidden_dropout_prob", 0.1))
            self.head = torch.nn.Linear(hidden, num_labels)

        def get_input_embeddings(self):
            return self.encoder.get_input_embeddings()

        def forward(self, input_ids, attention_mask, labels=None, **rest):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **rest).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1)
            logits = self.head(self.dropout(pooled))
            loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
            return type("Output", (), {"logits": logits, "loss": loss})()

    return MeanPoolingClassifier()


def run_seed(spec, data, model_path, seed: int, device) -> dict:
    import contextlib

    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    from tools.experiments.spec import TASK_LABELS

    _seed_everything(seed)
    hp = spec.hyper_parameters
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = _mean_pooling_classifier(model_path, len(TASK_LABELS[spec.task]))
    model.to(device)
    if hp.freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    use_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()

    def autocast():
        return torch.autocast("cuda", dtype=torch.bfloat16) if use_bf16 else contextlib.nullcontext()

    accumulation = hp.batch_size // hp.per_device_batch_size
    steps_per_epoch = max(1, -(-len(data.train) // hp.batch_size))
    total_steps = max(1, round(steps_per_epoch * hp.epochs))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=spec.learning_rate, weight_decay=hp.weight_decay)
    schedule = get_linear_schedule_with_warmup(optimizer, round(hp.warmup_ratio * total_steps), total_steps)
    _log(f"seed {seed}: {len(data.train)} train examples, {total_steps} steps of batch {hp.batch_size}, "
         f"learning rate {spec.learning_rate:g}, on {device}")
    step, epoch, losses = 0, 0, []
    model.train()
    while step < total_steps:
        micro = list(_batches(data.train, hp.per_device_batch_size, shuffle_seed=seed * 1000 + epoch))
        for start in range(0, len(micro), accumulation):
            group = micro[start:start + accumulation]
            for batch in group:
                with autocast():
                    loss = model(**_encode(tokenizer, batch, hp.max_length, device),
                                 labels=torch.tensor([e.label for e in batch], device=device)).loss
                (loss * len(batch) / sum(len(b) for b in group)).backward()
                losses.append(loss.item())
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 10 == 0 or step == total_steps:
                _log(f"seed {seed}: step {step}/{total_steps} loss {sum(losses[-20:]) / len(losses[-20:]):.4f}")
            if step >= total_steps:
                break
        epoch += 1
    per_language, correct = {}, {}
    for language, examples in data.eval.items():
        outcomes = _evaluate(model, tokenizer, examples, hp.max_length, device, autocast)
        per_language[language] = round(sum(outcomes) / len(outcomes), 4)
        correct[language] = "".join("1" if right else "0" for right in outcomes)  # for paired tests over items
        _log(f"seed {seed}: {language} accuracy {per_language[language]:.4f} on {len(examples)} examples")
    return {"seed": seed, "per_language": per_language, "correct": correct,
            "train_loss": round(sum(losses[-20:]) / len(losses[-20:]), 4)}


def _versions() -> dict[str, str]:
    import torch
    import transformers

    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__}


def run(spec, out_dir: Path, cache_dir: Path) -> dict:
    import torch

    from tools.experiments.data import load_transfer_data
    from tools.experiments.encoder import resolve_model
    from tools.files import write_json_atomically

    started = time.monotonic()
    torch.set_num_threads(max(1, spec.resources.cpus))
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data = load_transfer_data(spec)
    for note in data.notes:
        _log(note)
    model_path = resolve_model(spec.model, cache_dir)
    runs = [run_seed(spec, data, model_path, seed, device) for seed in spec.seeds]
    per_language = {lang: round(sum(r["per_language"][lang] for r in runs) / len(runs), 4) for lang in data.eval}
    majority = {lang: round(max(Counter(e.label for e in examples).values()) / len(examples), 4)
                for lang, examples in data.eval.items()}
    metrics = {
        "job_id": spec.job_id, "spec_hash": spec.job_id.split("-")[-1], "task": spec.task, "model": spec.model,
        "train_language": spec.train_language, "learning_rate": spec.learning_rate, "per_language": per_language,
        "average": round(sum(per_language.values()) / len(per_language), 4), "majority_class": majority,
        "per_seed": runs, "examples": {"train": len(data.train), "eval": {k: len(v) for k, v in data.eval.items()}},
        "device": str(device), "wall_seconds": round(time.monotonic() - started, 1), "versions": _versions(),
        "notes": data.notes,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomically(out_dir / "metrics.json", metrics)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, required=True, help="the spec as JSON")
    parser.add_argument("--out", type=Path, required=True, help="directory for metrics.json")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "research-agent" / "models")
    args = parser.parse_args(argv)
    from tools.experiments.spec import parse_spec

    try:
        spec = parse_spec(json.loads(args.spec.read_text(encoding="utf-8")))
        metrics = run(spec, args.out, args.cache_dir)
    except Exception as exc:  # the backend reports the stderr tail; one clear line is the useful part
        print(f"experiment failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    print(METRICS_PREFIX + json.dumps(metrics, separators=(",", ":")), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
