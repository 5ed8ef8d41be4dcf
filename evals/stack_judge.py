"""Fit the judge stack and measure it beside the judges it combines.

    python -m evals.stack_judge [--variant llm+ce+signals] [--write]

Inputs per labelled pair (`evals/judge_inputs.py`): the LLM's raw probabilities on the passage's closest sentences
(`window` view) and on the whole passage as the shipped verifier asks (`passage` view, where judged), the
cross-encoder's probabilities (out of fold on SciFact), and the program's signals (`tools/judge/signals.py`).

A stack is a multinomial logistic regression over a named set of those features (standardised, L2 1e-2, each
source weighted), fitted by maximum likelihood. Protocol, so that no figure comes from a fit that saw its items:
- SciFact train by 5-fold cross-validation over claim families (claims citing one abstract stay together): each
  fold is predicted by a stack fitted on the other four folds, the arXiv dev suite and the tune half of the
  written table claims. Folds 0-2 are the tuning folds (variants are chosen on them), 3-4 are held out.
- The final stack, fitted on all of SciFact, arXiv dev and the table tune half, is measured on the arXiv test
  suite, the real-run pairs (the cross-encoder trained on their fit half, so the held-out half is the fair one),
  the templated table-claims suite (never tuned on) and the held-out half of the written table claims.
Baselines in the same run: the LLM as shipped (`passage` view through the shipped calibration map) and the
cross-encoder alone. Each variant's predictions per set go to OUT/<variant>/<set>/ for `agent eval compare`.
`--write` ships the chosen variant as `<provider>__<model>.stack.json` (the embedded model's default judge under
`AGENT_JUDGE=auto`) and the same without the LLM as `cross-encoder__judge-minilm.stack.json`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from agent.claims.calibration import CalibrationMap, calibration_path, load_calibration
from agent.claims.judging import CROSS_ENCODER, INTERACTIONS, StackMap, stack_features, stack_path
from agent.records import VERDICTS
from evals.judge_data import FOLDS, TABLE_CLAIMS_WRITTEN, JudgePair, judgment_sets, real_pairs
from evals.judge_inputs import DEFAULT_OOF, PairInputs, gather_inputs
from evals.llm_judgments import DEFAULT_CACHE
from evals.metrics import summarize
from tools.judge.signals import SIGNAL_NAMES

L2 = 1e-2
TUNING_FOLDS = (0, 1, 2)
SOURCE_WEIGHTS = {"scifact": 1.0, "arxiv": 1.0, "table-written": 3.0}
_JUDGE = {"llm": [f"llm:{s}" for s in "SRN"], "ce": [f"ce:{s}" for s in "SRN"]}
_SIGNALS = [*SIGNAL_NAMES, *(f"{name}*overlap" for name in INTERACTIONS)]
VARIANTS = {
    "llm": _JUDGE["llm"],
    "ce": _JUDGE["ce"],
    "llm+ce": _JUDGE["llm"] + _JUDGE["ce"],
    "llm+signals": _JUDGE["llm"] + _SIGNALS,
    "ce+signals": _JUDGE["ce"] + _SIGNALS,
    "llm+ce+signals": _JUDGE["llm"] + _JUDGE["ce"] + _SIGNALS,
}
DEFAULT_VARIANT = "llm+ce+signals"


def fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float = L2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(center, scale, W) of a multinomial logistic regression on standardised features, W: 3 x (d + 1)."""
    center = np.average(x, axis=0, weights=weights)
    scale = np.sqrt(np.average((x - center) ** 2, axis=0, weights=weights))
    scale = np.where(scale < 1e-3, 1.0, scale)
    z = np.hstack([(x - center) / scale, np.ones((len(x), 1))])
    onehot = np.eye(3)[y]
    w_sum = weights.sum()

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(3, z.shape[1])
        logits = z @ w.T
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        nll = -np.sum(weights * np.log(p[np.arange(len(y)), y] + 1e-12)) / w_sum
        grad = ((p - onehot) * weights[:, None]).T @ z / w_sum
        penalty = w.copy()
        penalty[:, -1] = 0
        return nll + l2 * float((penalty ** 2).sum()), (grad + 2 * l2 * penalty).ravel()

    result = minimize(loss, np.zeros(3 * z.shape[1]), jac=True, method="L-BFGS-B")
    return center, scale, result.x.reshape(3, z.shape[1])


def predict(center: np.ndarray, scale: np.ndarray, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = np.hstack([(x - center) / scale, np.ones((len(x), 1))])
    logits = z @ w.T
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True)


def feature_matrix(inputs: list[PairInputs], names: list[str], view: str = "window") -> np.ndarray:
    rows = [stack_features(i.cross_encoder, i.llm.get(view), i.signals) for i in inputs]
    return np.array([[row.get(name, np.nan) for name in names] for row in rows], dtype=np.float64)


def _labels(pairs: list[JudgePair]) -> np.ndarray:
    return np.array([VERDICTS.index(p.label) for p in pairs])


def claim_predictions(pairs: list[JudgePair], probabilities: np.ndarray, claim_level: bool) -> list[dict]:
    """Rows as `agent eval compare` reads them: per claim (the verifier's aggregation) or per pair."""
    from evals.train_judge import claim_level as aggregate

    if not claim_level:
        return [{"id": f"pair-{i}", "gold": p.label, "predicted": VERDICTS[int(row.argmax())],
                 "confidence": float(row.max()), "correct": VERDICTS[int(row.argmax())] == p.label}
                for i, (p, row) in enumerate(zip(pairs, probabilities, strict=True))]
    groups = list(dict.fromkeys(p.group for p in pairs))
    gold, predicted, confidence = aggregate(pairs, probabilities)
    return [{"id": g, "gold": a, "predicted": b, "confidence": c, "correct": a == b}
            for g, a, b, c in zip(groups, gold, predicted, confidence, strict=True)]


def _metrics(rows: list[dict]) -> dict:
    return summarize([r["gold"] for r in rows], [r["predicted"] for r in rows], [r["confidence"] for r in rows])


def _brief(m: dict) -> str:
    c = m["per_class"]
    return (f"macro-F1 {m['macro_f1']:.3f}  acc {m['accuracy']:.3f}  F1 S/R/N {c['SUPPORTED']['f1']:.2f}/"
            f"{c['REFUTED']['f1']:.2f}/{c['NOT_ENOUGH_INFO']['f1']:.2f}  ECE {m['ece']:.3f}  n={m['n']}")


def _complete_groups(pairs: list[JudgePair], x: np.ndarray) -> np.ndarray:
    """Pairs whose claim has every feature for every one of its pairs (an LLM view not yet judged leaves a hole)."""
    missing = {p.group for p, row in zip(pairs, x, strict=True) if np.isnan(row).any()}
    return np.array([p.group not in missing for p in pairs])


def shipped_llm(inputs: list[PairInputs], provider: str, model: str) -> np.ndarray:
    """The LLM judge as shipped: its whole-passage probabilities through the shipped calibration map."""
    calibration = load_calibration(provider, model)
    rows = []
    for i in inputs:
        raw = i.llm.get("passage")
        rows.append([np.nan] * 3 if raw is None else [(calibration.apply(raw) if calibration else raw)[v]
                                                     for v in VERDICTS])
    return np.array(rows)


def run(out: Path, llm_cache: Path, oof: Path, chosen: str, write: bool, provider: str, model: str,
        log=print) -> dict:
    sets = judgment_sets()
    real_fit, real_held_out = real_pairs()
    written_split = {f"table-written:{row['id']}": row.get("split", "held_out") for row in
                     map(json.loads, (TABLE_CLAIMS_WRITTEN / "claims.jsonl").read_text(encoding="utf-8").splitlines())}
    sets["real-fit"], sets["real-held-out"] = real_fit, real_held_out
    sets.pop("real")
    inputs = gather_inputs(sets, out, llm_cache, oof, log)
    tune = [i for i, p in enumerate(sets["table-written"]) if written_split[p.group] == "tune"]
    held = [i for i, p in enumerate(sets["table-written"]) if written_split[p.group] != "tune"]
    sets["table-written-tune"] = [sets["table-written"][i] for i in tune]
    inputs["table-written-tune"] = [inputs["table-written"][i] for i in tune]
    sets["table-written"] = [sets["table-written"][i] for i in held]
    inputs["table-written"] = [inputs["table-written"][i] for i in held]
    # the real-run pairs' fit half: the cross-encoder trained on it, so it fits only the calibration per kind
    fit_sources = {"arxiv-dev": "arxiv", "table-written-tune": "table-written"}
    report: dict = {"provider": provider, "model": model, "variants": {}}
    predictions: dict[str, dict[str, list[dict]]] = {}

    def record(variant: str, name: str, rows: list[dict]) -> None:
        predictions.setdefault(variant, {})[name] = rows
        metrics = _metrics(rows)
        report["variants"].setdefault(variant, {})[name] = metrics
        log(f"{name:<22} {variant:<16} {_brief(metrics)}")

    scifact = sets["scifact"]
    folds = np.array([p.fold for p in scifact])
    for variant, names in VARIANTS.items():
        x = {name: feature_matrix(inputs[name], names) for name in sets}
        usable = {name: _complete_groups(sets[name], x[name]) for name in sets}
        fit_x = np.vstack([x[name][usable[name]] for name in fit_sources])
        fit_y = np.concatenate([_labels(sets[name])[usable[name]] for name in fit_sources])
        fit_w = np.concatenate([np.full(usable[name].sum(), SOURCE_WEIGHTS[source])
                                for name, source in fit_sources.items()])
        oof_probabilities = np.full((len(scifact), 3), np.nan)
        for fold in range(FOLDS):
            train = usable["scifact"] & (folds != fold)
            test = usable["scifact"] & (folds == fold)
            params = fit(np.vstack([fit_x, x["scifact"][train]]),
                         np.concatenate([fit_y, _labels(scifact)[train]]),
                         np.concatenate([fit_w, np.full(train.sum(), SOURCE_WEIGHTS["scifact"])]))
            oof_probabilities[test] = predict(*params, x["scifact"][test])
        for label, chosen_folds in (("scifact-cv-tuning", TUNING_FOLDS), ("scifact-cv-held-out", (3, 4)),
                                    ("scifact-cv", tuple(range(FOLDS)))):
            keep = usable["scifact"] & np.isin(folds, chosen_folds)
            record(variant, label, claim_predictions([p for p, k in zip(scifact, keep, strict=True) if k],
                                                     oof_probabilities[keep], True))
        all_usable = usable["scifact"]
        params = fit(np.vstack([fit_x, x["scifact"][all_usable]]),
                     np.concatenate([fit_y, _labels(scifact)[all_usable]]),
                     np.concatenate([fit_w, np.full(all_usable.sum(), SOURCE_WEIGHTS["scifact"])]))
        for name in ("arxiv-test", "real-held-out", "table-claims", "table-written"):
            keep = usable[name]
            pairs = [p for p, k in zip(sets[name], keep, strict=True) if k]
            record(variant, name, claim_predictions(pairs, predict(*params, x[name][keep]),
                                                    not name.startswith("real")))
        report.setdefault("fitted", {})[variant] = {"features": names, "center": params[0].tolist(),
                                                   "scale": params[1].tolist(), "weights": params[2].tolist(),
                                                   "n": int(len(fit_y) + all_usable.sum())}
        if variant == chosen:
            report["chosen"] = _calibration_after_stack(sets, x, usable, params, oof_probabilities, out, log)
    for baseline in ("llm-shipped", "ce-raw"):
        for name in ("scifact", "arxiv-test", "real-held-out", "table-claims", "table-written"):
            probabilities = (shipped_llm(inputs[name], provider, model) if baseline == "llm-shipped"
                             else np.array([[i.cross_encoder[v] for v in VERDICTS] for i in inputs[name]]))
            keep = _complete_groups(sets[name], probabilities)
            if not keep.any():
                continue
            pairs = [p for p, k in zip(sets[name], keep, strict=True) if k]
            record(baseline, "scifact-all" if name == "scifact" else name,
                   claim_predictions(pairs, probabilities[keep], not name.startswith("real")))
    _write_runs(out, predictions, report)
    if write:
        ship(report["fitted"][chosen], provider, model, log)
        ship(report["fitted"]["ce+signals"], *CROSS_ENCODER, log)
        corroboration = report["chosen"]["corroboration_map"]
        path = calibration_path("stack", f"{provider}__{model}", kind="corroboration")
        path.write_text(CalibrationMap(provider="stack", model=f"{provider}__{model}", **corroboration)
                        .model_dump_json(indent=2) + "\n", encoding="utf-8")
        log(f"wrote {path}")
    return report


def _calibration_after_stack(sets, x, usable, params, oof_probabilities, out: Path, log) -> dict:
    """For the chosen stack: the corroboration map fitted after it on the real-run pairs' fit half (what a run
    meets when it judges another paper's passage), and calibration pooled over held-out judgments (SciFact out of
    fold, arXiv test, the real-run held-out half through that map), with its reliability diagram."""
    from evals.calibrate import calibrated_probabilities, fit_bias_and_temperature, summary
    from evals.metrics import expected_calibration_error, reliability_bins
    from evals.pairs_calibration import BIAS_RANGE, TEMPERATURE_RANGE
    from evals.plots import reliability_diagram

    def stacked(name: str) -> tuple[list[JudgePair], np.ndarray]:
        keep = usable[name]
        return [p for p, k in zip(sets[name], keep, strict=True) if k], predict(*params, x[name][keep])

    def corroboration(pairs, probabilities):
        chosen = [i for i, p in enumerate(pairs) if p.role == "corroboration"]
        return [pairs[i] for i in chosen], probabilities[chosen]

    fit_pairs, fit_probabilities = corroboration(*stacked("real-fit"))
    if not fit_pairs:
        log("no real-run pairs judged yet: no calibration after the stack")
        return {}
    gold = [VERDICTS.index(p.label) for p in fit_pairs]
    bias, temperature = fit_bias_and_temperature(np.log(np.clip(fit_probabilities, 1e-6, 1)), gold,
                                                 TEMPERATURE_RANGE, BIAS_RANGE)
    held_pairs, held_probabilities = stacked("real-held-out")
    mapped = held_probabilities.copy()
    is_corroboration = np.array([p.role == "corroboration" for p in held_pairs], dtype=bool)
    mapped[is_corroboration] = calibrated_probabilities(np.log(np.clip(held_probabilities[is_corroboration], 1e-6, 1)),
                                                        np.array([bias[v] for v in VERDICTS]), temperature)
    held_gold = [VERDICTS.index(p.label) for p in held_pairs]
    result = {"corroboration_map": {"bias": bias, "temperature": temperature, "n": len(fit_pairs),
                                    "fitted_on": "evals/suites/judgment-pairs (corroboration, fit half), stack "
                                                 "probabilities"},
              "real-held-out": {"stack": summary(held_probabilities, held_gold),
                                "stack + corroboration map": summary(mapped, held_gold)}}
    scifact_keep = usable["scifact"]
    arxiv_pairs, arxiv_probabilities = stacked("arxiv-test")
    pooled = np.vstack([oof_probabilities[scifact_keep], arxiv_probabilities, mapped])
    pooled_gold = np.array([VERDICTS.index(p.label) for p, k in zip(sets["scifact"], scifact_keep, strict=True) if k]
                           + [VERDICTS.index(p.label) for p in arxiv_pairs] + held_gold)
    confidence, correct = pooled.max(1).tolist(), (pooled.argmax(1) == pooled_gold).tolist()
    ece = expected_calibration_error(confidence, correct)
    result["pooled"] = {"n": len(pooled_gold), "ece": ece, "accuracy": float(np.mean(correct)),
                        "bins": reliability_bins(confidence, correct)}
    reliability_diagram(result["pooled"]["bins"], ece, f"Judge stack, {len(pooled_gold)} held-out judgments",
                        out / "reliability.png")
    log(f"pooled held-out judgments: n={len(pooled_gold)} ECE {ece:.3f}; real-run held-out "
        f"{result['real-held-out']}")
    return result


def _write_runs(out: Path, predictions: dict, report: dict) -> None:
    for variant, by_set in predictions.items():
        for name, rows in by_set.items():
            directory = out / variant / name
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                                         encoding="utf-8")
            (directory / "metrics.json").write_text(json.dumps(report["variants"][variant][name], indent=2) + "\n",
                                                    encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def ship(fitted: dict, provider: str, model: str, log=print) -> None:
    stack = StackMap(provider=provider, model=model, features=fitted["features"], center=fitted["center"],
                     scale=fitted["scale"], weights=fitted["weights"], llm_view="window",
                     fitted_on="SciFact train + arxiv-claims/dev + table-claims-written (tune half)", n=fitted["n"])
    path = stack_path(provider, model)
    path.write_text(stack.model_dump_json(indent=2) + "\n", encoding="utf-8")
    log(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    from agent.services import Services
    from agent.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("runs/stack-judge"))
    parser.add_argument("--llm-cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--oof", type=Path, default=DEFAULT_OOF)
    parser.add_argument("--variant", default=DEFAULT_VARIANT, choices=sorted(VARIANTS))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    provider, model = Services(settings=load_settings(offline=True)).model_key  # where the verifier looks for it
    run(args.out, args.llm_cache, args.oof, args.variant, args.write, provider, model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
