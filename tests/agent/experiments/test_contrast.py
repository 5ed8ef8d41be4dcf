"""The paired bootstrap that turns a claim's runs into reproduced, not reproduced or inconclusive."""

import numpy as np

from agent.experiments.claim_tests import plan_test
from agent.experiments.contrast import measure
from agent.records import ClaimTestProposal

CLAIM = "Zero-shot transfer from English to German is stronger than to Swahili."
TEST = plan_test("C1", CLAIM, ClaimTestProposal(comparison="target_languages", better=["de"], worse=["sw"]))


def _metrics(accuracy: dict[str, float], items: int = 300, seeds: int = 3, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    per_seed = []
    for k in range(seeds):
        correct = {lang: "".join("1" if x else "0" for x in rng.random(items) < p) for lang, p in accuracy.items()}
        per_seed.append({"seed": k, "correct": correct,
                         "per_language": {lang: row.count("1") / items for lang, row in correct.items()}})
    return {"per_seed": per_seed}


def test_a_clear_gap_in_the_claims_direction_is_reproduced():
    evidence = measure(TEST, ["job"], [_metrics({"en": 0.7, "de": 0.6, "sw": 0.45})])
    assert evidence.outcome == "reproduced" and evidence.ci_low > 0 and evidence.effect > 0.1
    assert evidence.seeds == 3 and evidence.items == 300 and evidence.seeds_agreeing == 3
    de = next(a for a in evidence.accuracies if a.language == "de")
    assert 0.55 < de.mean < 0.65 and de.sd >= 0 and de.published is not None  # XLM-R from English, with source
    # the same contrast over the published numbers, for scale: XLM-R de minus sw
    sw = next(a for a in evidence.accuracies if a.language == "sw")
    assert evidence.published_effect == round(de.published.accuracy - sw.published.accuracy, 4)
    assert evidence.published_model == de.published.model and "from the published" in evidence.brief


def test_runs_not_from_english_have_no_published_contrast():
    turc = ("Turc et al. find that other high-resource languages such as German and Russian often transfer more "
            "effectively.")
    test = plan_test("C4", turc, ClaimTestProposal(comparison="source_languages", better=["de", "ru"], worse=["en"]))
    languages = {lang for spec in test.runs for lang in [spec.train_language, *spec.eval_languages]}
    evidence = measure(test, ["a", "b", "c"], [_metrics(dict.fromkeys(languages, 0.5))] * 3)
    assert evidence.published_effect is None and "published" not in evidence.brief


def test_a_reversed_gap_is_not_reproduced_and_noise_is_inconclusive():
    assert measure(TEST, ["job"], [_metrics({"en": 0.7, "de": 0.45, "sw": 0.6})]).outcome == "not reproduced"
    noise = measure(TEST, ["job"], [_metrics({"en": 0.7, "de": 0.5, "sw": 0.5}, items=60)])
    assert noise.outcome == "inconclusive" and noise.ci_low < 0 < noise.ci_high


def test_a_failed_run_is_said_and_old_metrics_use_seeds_alone():
    assert measure(TEST, ["job"], [None]).outcome == "failed"
    old = {"per_seed": [{"per_language": {"en": 0.7, "de": 0.6 + d, "sw": 0.4}} for d in (0.0, 0.01, 0.02)]}
    evidence = measure(TEST, ["job"], [old])
    assert evidence.outcome == "reproduced" and "only the spread over seeds" in evidence.notes[0]
