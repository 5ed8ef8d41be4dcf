"""What a claim's runs say about it: the predicted contrast, measured by a paired bootstrap.

Each run evaluates the same items in every language (the dev sets are translations, split by item: see
`tools/experiments/data.py`), and its worker records, per seed and language, which items it got right. The
contrast (sum of weight x accuracy over (run, language)) is resampled over items (one draw of item indices
for every run and language: the pairing) and over seeds (seed k of every run together), 2,000 times with a
fixed generator. The claim is *reproduced* when the 95% interval lies above 0, *not reproduced* when it lies
below, *inconclusive* otherwise. Runs without item-level results (older workers) are resampled over seeds
alone, and say so.
"""

from __future__ import annotations

import numpy as np

from agent.experiments.claim_tests import ClaimTest
from agent.report.model import BaselineNumber, ClaimTestEvidence, TestedAccuracy
from tools.experiments.baselines import PublishedRow, published_row
from tools.experiments.manager import ExperimentManager
from tools.experiments.spec import ExperimentSpec

RESAMPLES = 2000
_GENERATOR_SEED = 20261202


def _correct(metrics: dict, language: str) -> np.ndarray | None:
    """seeds x items, 1 where the item was right; None without item-level results."""
    rows = [seed.get("correct", {}).get(language) for seed in metrics.get("per_seed", [])]
    if not rows or any(r is None for r in rows) or len({len(r) for r in rows}) != 1:
        return None
    return np.array([[ch == "1" for ch in row] for row in rows], dtype=np.float64)


def _per_seed(metrics: dict, language: str) -> np.ndarray:
    return np.array([seed["per_language"][language] for seed in metrics.get("per_seed", [])], dtype=np.float64)


def _published(spec: ExperimentSpec) -> PublishedRow | None:
    """The published numbers a run is compared with: zero-shot from English, so only for runs from English."""
    return published_row(spec.task, spec.model) if spec.train_language == "en" else None


def _accuracies(test: ClaimTest, jobs: list[str], metrics: list[dict]) -> list[TestedAccuracy]:
    rows = []
    for run, (spec, label, job_id, result) in enumerate(zip(test.runs, test.labels, jobs, metrics, strict=True)):
        published = _published(spec)
        used = [lang for r, lang, _ in test.terms if r == run]
        # the test's own languages, and the run's training language where it was evaluated (for context); a run
        # shared with other claims' tests (`share_runs`) evaluates more, shown under their tests
        context = [spec.train_language] if spec.train_language in spec.eval_languages else []
        for language in dict.fromkeys([*used, *context]):
            values = _per_seed(result, language)
            rows.append(TestedAccuracy(
                run=label, job_id=job_id, language=language, mean=round(float(values.mean()), 4),
                sd=round(float(values.std(ddof=1)) if len(values) > 1 else 0.0, 4), seeds=len(values),
                published=BaselineNumber(model=published.model, accuracy=published.accuracy[language],
                                         source=published.source)
                if published and language in published.accuracy else None))
    return rows


def _published_effect(test: ClaimTest) -> tuple[float | None, str | None]:
    """The predicted contrast over the published numbers, where every term has one (runs from English)."""
    total, model = 0.0, None
    for run, language, weight in test.terms:
        row = _published(test.runs[run])
        if row is None or language not in row.accuracy:
            return None, None
        total += weight * row.accuracy[language]
        model = row.model
    return round(total, 4), model


def measure(test: ClaimTest, jobs: list[str], metrics: list[dict | None]) -> ClaimTestEvidence:
    """The evidence a finished test gives (`metrics`: each run's metrics.json, None where it failed)."""
    base = {"claim_id": test.claim_id, "comparison": test.comparison, "prediction": test.prediction, "jobs": jobs,
            "runs": test.labels, "scale": test.scale}
    if any(m is None for m in metrics):
        failed = [job for job, m in zip(jobs, metrics, strict=True) if m is None]
        return ClaimTestEvidence(outcome="failed", notes=[f"run {', '.join(failed)} did not succeed"], **base)
    done: list[dict] = [m for m in metrics if m is not None]
    seeds = min(len(m.get("per_seed", [])) for m in done)
    matrices = [_correct(done[run], language) for run, language, _ in test.terms]
    paired = all(m is not None for m in matrices) and len({m.shape for m in matrices}) == 1
    per_seed_effect = sum(weight * _per_seed(done[run], language)[:seeds] for run, language, weight in test.terms)
    generator = np.random.default_rng(_GENERATOR_SEED)
    notes = []
    if paired:
        stack = np.stack([m[:seeds] for m in matrices])  # terms x seeds x items
        weights = np.array([w for _, _, w in test.terms])
        per_term = stack.mean(axis=(1, 2))
        effect = float(weights @ per_term)
        items = stack.shape[2]
        draws = np.empty(RESAMPLES)
        for b in range(RESAMPLES):
            chosen_seeds = generator.integers(0, seeds, seeds)
            chosen_items = generator.integers(0, items, items)
            draws[b] = weights @ stack[:, chosen_seeds][:, :, chosen_items].mean(axis=(1, 2))
        statistic = (f"paired bootstrap over {seeds} seeds and {items} evaluation items ({RESAMPLES} resamples), "
                     "95% interval")
    else:
        items = 0
        effect = float(per_seed_effect.mean())
        draws = np.array([per_seed_effect[generator.integers(0, seeds, seeds)].mean() for _ in range(RESAMPLES)])
        statistic = f"bootstrap over {seeds} seeds ({RESAMPLES} resamples), 95% interval"
        notes.append("the runs kept no item-level results, so only the spread over seeds is counted")
    low, high = (float(v) for v in np.percentile(draws, [2.5, 97.5]))
    outcome = "reproduced" if low > 0 else "not reproduced" if high < 0 else "inconclusive"
    published_effect, published_model = _published_effect(test)
    return ClaimTestEvidence(
        outcome=outcome, effect=round(effect, 4), ci_low=round(low, 4), ci_high=round(high, 4),
        published_effect=published_effect, published_model=published_model,
        seeds_agreeing=int((per_seed_effect > 0).sum()), seeds=seeds, items=items, statistic=statistic,
        accuracies=_accuracies(test, jobs, done), notes=notes, **base)


def run_and_measure(test: ClaimTest, manager: ExperimentManager) -> ClaimTestEvidence:
    """Submit a test's runs (a run another test already made is found, not redone), wait for them, measure.
    For callers that wait in one step (chat, `evals.claim_tests_run`); the research graph submits and waits
    in checkpointed nodes of their own and measures with `measure`."""
    jobs = [manager.submit(spec)[0].job_id for spec in test.runs]
    for job in jobs:
        manager.wait(job)
    return measure(test, jobs, [manager.metrics(job) for job in jobs])
