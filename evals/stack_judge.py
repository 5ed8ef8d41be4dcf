"""Stack the LLM's label probabilities with the cross-encoder's, and measure the three judges side by side.

    python -m evals.stack_judge [--oof runs/train-judge/all/oof.jsonl] [--scifact-claims 60] [--write]

Judgments (claim, one cited abstract, gold label): the arXiv dev suite and SciFact claims of the tuning folds
0-2 to fit on; the arXiv test suite, SciFact claims of the held-out folds 3-4 and the table-claims suite to
measure on. The
cross-encoder's SciFact probabilities are its out-of-fold ones from `agent eval train-judge --cv` (a model that
never saw the claim); on the arXiv suites, the shipped model's (never trained on them). The LLM's raw
probabilities are cached in `OUT/llm.jsonl` (the embedded model: about 3-8 s a judgment on 2 cores). The stack
is a multinomial logistic regression over both judges' log-probabilities (7 features a label, L2 0.01), fitted
by maximum likelihood, so its probabilities are calibrated on the fitting distribution; `--write` ships it as
`<provider>__<model>.stack.json`, which makes it the embedded model's default judge (`Settings.judge=auto`).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from agent.claims.judging import StackMap, stack_path
from agent.records import VERDICTS
from agent.services import Services
from agent.settings import load_settings
from evals.judge_data import TABLE_CLAIMS, JudgePair, arxiv_suite_pairs, fold_of, scifact_pairs, suite_pairs
from evals.metrics import summarize
from prompts import render

L2 = 0.01


def _features(cross_encoder: np.ndarray, llm: np.ndarray) -> np.ndarray:
    logs = np.log(np.clip(np.hstack([cross_encoder, llm]), 1e-6, 1.0))
    return np.hstack([logs, np.ones((len(logs), 1))])


def fit_stack(cross_encoder: np.ndarray, llm: np.ndarray, gold: list[int]) -> np.ndarray:
    """W (3 x 7) minimising the mean negative log-likelihood plus L2 on the non-bias weights; starts at
    'trust the cross-encoder' (identity on its log-probabilities)."""
    x, y = _features(cross_encoder, llm), np.array(gold)
    start = np.zeros((3, 7))
    start[:, :3] = np.eye(3)

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(3, 7)
        logits = x @ w.T
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        nll = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
        grad = (p - np.eye(3)[y]).T @ x / len(y)
        penalty = w.copy()
        penalty[:, -1] = 0
        return nll + L2 * float((penalty ** 2).sum()), (grad + 2 * L2 * penalty).ravel()

    return minimize(loss, start.ravel(), jac=True, method="L-BFGS-B").x.reshape(3, 7)


def apply_stack(weights: np.ndarray, cross_encoder: np.ndarray, llm: np.ndarray) -> np.ndarray:
    logits = _features(cross_encoder, llm) @ weights.T
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True)


def llm_probabilities(pairs: list[JudgePair], services: Services, cache: Path, log=print) -> np.ndarray:
    """The LLM's raw first-token probabilities per pair, as the verifier asks (`prompts/judge.j2`), cached."""
    from agent.graphs.verifier.passages import prepare
    from agent.graphs.verifier.state import Passage

    def key(pair: JudgePair) -> str:
        return json.dumps([pair.claim, pair.passage])

    done = {}
    if cache.exists():
        done = {row["key"]: row["raw"] for row in map(json.loads, cache.read_text(encoding="utf-8").splitlines())}
    cache.parent.mkdir(parents=True, exist_ok=True)
    started, fresh = time.time(), 0
    with cache.open("a", encoding="utf-8") as out:
        for pair in pairs:
            if key(pair) in done:
                continue
            # as the verifier shows it: screened, and windowed when long (the most decisive window counts)
            windows = prepare([Passage(paper_id="", title="", text=pair.passage, is_source=True)])
            judged = [services.provider.label_probs(render("judge", claim=pair.claim, title="", passage=w["text"]),
                                                    VERDICTS)[0] for w in windows]
            raw = max(judged, key=lambda p: max(p["SUPPORTED"], p["REFUTED"]))
            done[key(pair)] = raw
            out.write(json.dumps({"key": key(pair), "raw": raw}) + "\n")
            out.flush()
            fresh += 1
            if fresh % 20 == 0:
                log(f"    LLM: {fresh} judged ({(time.time() - started) / fresh:.1f} s each)")
    return np.array([[done[key(p)][v] for v in VERDICTS] for p in pairs])


def _claim_metrics(pairs: list[JudgePair], probabilities: np.ndarray) -> dict:
    from evals.train_judge import claim_level

    return summarize(*claim_level(pairs, probabilities))


def _sample_claims(pairs: list[JudgePair], folds: tuple[int, ...], n: int) -> list[JudgePair]:
    """The cited pairs of the first n claims (by stable hash order) of the given folds, stratified by label."""
    by_label: dict[str, list[str]] = {}
    groups = {}
    for pair in pairs:
        if fold_of(pair.group) in folds and pair.role == "cited":
            groups.setdefault(pair.group, []).append(pair)
    for group, members in sorted(groups.items(), key=lambda kv: fold_of(kv[0], 10_007)):
        labels = {m.label for m in members}
        label = "REFUTED" if "REFUTED" in labels else "SUPPORTED" if "SUPPORTED" in labels else "NOT_ENOUGH_INFO"
        by_label.setdefault(label, []).append(group)
    chosen = []
    for label in VERDICTS:
        chosen += by_label.get(label, [])[: n // 3]
    return [p for g in chosen for p in groups[g]]


def _balanced(pairs: list[JudgePair], n: int | None) -> list[JudgePair]:
    """The first n // 3 pairs of each label (all when n is None), in suite order."""
    if n is None:
        return pairs
    return [p for label in VERDICTS for p in [q for q in pairs if q.label == label][: n // 3]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oof", type=Path, default=Path("runs/train-judge/all/oof.jsonl"))
    parser.add_argument("--scifact-claims", type=int, default=60, help="SciFact claims per half (stratified)")
    parser.add_argument("--per-suite", type=int, default=None,
                        help="Judgments per arXiv and table suite (label-balanced; default all)")
    parser.add_argument("--out", type=Path, default=Path("runs/stack-judge"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    services = Services(settings=load_settings(offline=True))
    oof: dict[str, list] = {}
    for row in map(json.loads, args.oof.read_text(encoding="utf-8").splitlines()):
        oof.setdefault(row["group"], []).append(row)
    scifact = scifact_pairs(augment=False)
    n = args.per_suite
    sets = {"fit": _balanced(arxiv_suite_pairs("dev"), n) + _sample_claims(scifact, (0, 1, 2), args.scifact_claims),
            "held_out": _balanced(arxiv_suite_pairs("test"), n) + _sample_claims(scifact, (3, 4), args.scifact_claims)
            + _balanced(suite_pairs(TABLE_CLAIMS, "table-claims"), n)}
    judge = services.cross_encoder
    report: dict = {"model": services.provider.model}
    probabilities = {}
    for half, pairs in sets.items():
        rows_of: dict[str, list] = {}
        cross = []
        for pair in pairs:
            if pair.source == "scifact":
                row = rows_of.setdefault(pair.group, list(oof[pair.group])).pop(0)
                cross.append([row["probabilities"][v] for v in VERDICTS])
            else:
                cross.append([judge.probabilities(pair.claim, [pair.passage])[0][v] for v in VERDICTS])
        probabilities[half] = (np.array(cross), llm_probabilities(pairs, services, args.out / "llm.jsonl"))
    gold_fit = [VERDICTS.index(p.label) for p in sets["fit"]]
    weights = fit_stack(*probabilities["fit"], gold_fit)
    for half, pairs in sets.items():
        cross, llm = probabilities[half]
        for source in ("arxiv", "scifact", "table-claims"):
            chosen = [i for i, p in enumerate(pairs) if p.source == source]
            if not chosen:
                continue
            subset = [pairs[i] for i in chosen]
            for name, probs in (("llm", llm), ("cross-encoder", cross),
                                ("stack", apply_stack(weights, cross, llm))):
                metrics = _claim_metrics(subset, probs[chosen])
                report[f"{half} · {source} · {name}"] = metrics
                print(f"{half:<9} {source:<8} {name:<14} macro-F1 {metrics['macro_f1']:.3f}  "
                      f"R-F1 {metrics['per_class']['REFUTED']['f1']:.3f}  ECE {metrics['ece']:.3f}  n={metrics['n']}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.write:
        stack = StackMap(provider=services.provider.name, model=services.provider.model, weights=weights.tolist(),
                         fitted_on="arxiv-claims/dev + SciFact train folds 0-2 (cross-encoder out of fold)",
                         n=len(gold_fit))
        path = stack_path(services.provider.name, services.provider.model)
        path.write_text(stack.model_dump_json(indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
