"""Which claims an experiment can test, decided by the program; the runs a test needs; runs shared."""

import pytest

from agent.experiments.claim_tests import ClaimTest, NotTestable, plan_test, screen, share_runs
from agent.records import ClaimTestProposal

TURC = ("Turc et al. find that other high-resource languages such as German and Russian often transfer more "
        "effectively, especially when the set of target languages is diverse or unknown a priori.")


@pytest.mark.parametrize("claim, reason", [
    ("SALT improves zero-shot cross-lingual transfer on XNLI and PAWS-X.",
     "specific method's gain or a benchmark the worker does not run (SALT)"),
    # claims of a real report (runs of 2026-12-07): LLMs, and an acronym's spelling that is not a method
    ("Han et al. evaluate several state-of-the-art multilingual LLMs and find notable gaps between claimed and "
     "actual language coverage, particularly a persistent performance disparity between English and low-resource "
     "languages.", "about LLMs, a model the worker does not have"),
    ("To this end, Hu et al. introduce the Cross-lingual TRansfer Evaluation of Multilingual Encoders XTREME "
     "benchmark, a multi-task benchmark for evaluating the cross-lingual generalization capabilities of "
     "multilingual representations across 40 languages and 9 tasks.", "states no comparison"),
    ("Our approach transfers better to Swahili than prior work.", "the authors' own method"),
    ("mBERT transfers worse to Swahili than to German.", "mBERT, a model the worker does not have"),
    ("Zero-shot transfer to Yoruba is weaker than to French.", "Yoruba, which the worker has no data for"),
    ("We evaluate zero-shot cross-lingual transfer on German and Russian.", "no comparison"),
    ("Pretraining on web text scales well.", "not about cross-lingual transfer"),
    ("Zero-shot transfer is weaker on AmericasNLI and NusaX than on XNLI.",
     "about AmericasNLI, NusaX, data the worker does not have"),
    ("Transfer to Swahili is weaker than to French on the MasakhaNER benchmark.", "MasakhaNER, data the worker"),
])
def test_the_screen_says_why_a_claim_cannot_be_tested(claim, reason):
    result = screen("C1", claim)
    assert isinstance(result, NotTestable) and reason in result.reason


def test_a_source_language_claim_becomes_runs_from_each_source_on_the_same_targets():
    assert screen("C4", TURC) is None
    test = plan_test("C4", TURC, ClaimTestProposal(comparison="source_languages", better=["de", "ru"], worse=["en"]),
                     {"seeds": [5]})
    assert isinstance(test, ClaimTest) and [s.train_language for s in test.runs] == ["de", "ru", "en"]
    assert all(len(s.seeds) >= 3 for s in test.runs)  # a comparison needs spread over seeds
    # the CPU default that separates languages: all training items, batch 16, the small encoder's higher rate
    assert all(s.data.max_train_examples is None and s.hyper_parameters.batch_size == 16
               and s.learning_rate == 1e-4 for s in test.runs)
    targets = {lang for _, lang, _ in test.terms}
    assert targets.isdisjoint({"de", "ru", "en"}) and len(targets) == 4
    # every run evaluates the same languages, so each drops the same untranslated items
    assert len({frozenset([s.train_language, *s.eval_languages]) for s in test.runs}) == 1
    assert sum(w for _, _, w in test.terms) == pytest.approx(0.0)
    assert "acc(de/ru->X) > acc(en->X)" in test.prediction


def test_a_target_language_claim_is_one_run_and_languages_must_be_the_claims_own():
    claim = "Zero-shot transfer from English to German is stronger than to Swahili and Urdu."
    test = plan_test("C2", claim, ClaimTestProposal(comparison="target_languages", better=["de", "fr"],
                                                    worse=["sw", "ur"]))
    assert isinstance(test, ClaimTest) and len(test.runs) == 1 and test.runs[0].train_language == "en"
    assert {lang for _, lang, w in test.terms if w > 0} == {"de"}  # fr: the model's, not the claim's
    made_up = plan_test("C2", claim, ClaimTestProposal(comparison="target_languages", better=["ja"], worse=["ko"]))
    assert isinstance(made_up, NotTestable) and "claim's own words" in made_up.reason
    assert isinstance(plan_test("C2", claim, ClaimTestProposal(comparison="none")), NotTestable)


def test_low_resource_groups_and_training_size():
    claim = "More training data narrows the gap between English and low-resource languages in zero-shot transfer."
    assert screen("C7", claim) is None
    test = plan_test("C7", claim, ClaimTestProposal(comparison="training_size", worse=["sw", "ur"]))
    assert isinstance(test, ClaimTest) and [s.data.max_train_examples for s in test.runs] == [150, 1000]
    assert test.runs[0].eval_languages == test.runs[1].eval_languages == ["en", "sw", "ur"]


def test_a_larger_model_keeps_its_own_learning_rate_and_user_defaults_win():
    claim = "Zero-shot transfer from English to German is stronger than to Swahili."
    reading = ClaimTestProposal(comparison="target_languages", better=["de"], worse=["sw"])
    base = plan_test("C2", claim, reading, {"model": "xlm-roberta-base"})
    assert base.runs[0].learning_rate == 2e-5
    mine = plan_test("C2", claim, reading, {"hyper_parameters": {"learning_rate": 3e-5, "epochs": 1},
                                            "data": {"max_train_examples": 64}})
    assert mine.runs[0].learning_rate == 3e-5 and mine.runs[0].data.max_train_examples == 64


def test_claims_needing_the_same_run_share_its_job():
    first = plan_test("C1", "Transfer to German is stronger than to Swahili.",
                      ClaimTestProposal(comparison="target_languages", better=["de"], worse=["sw"]))
    second = plan_test("C9", "Swahili is a weaker zero-shot target than German.",
                       ClaimTestProposal(comparison="target_languages", better=["de"], worse=["sw"]))
    assert first.runs[0].job_id == second.runs[0].job_id


def test_pawsx_languages_pick_pawsx():
    claim = "Zero-shot transfer to Japanese and Korean is weaker than to German on PAWS-X."
    test = plan_test("C3", claim, ClaimTestProposal(comparison="target_languages", better=["de"],
                                                    worse=["ja", "ko"]))
    assert isinstance(test, ClaimTest) and test.runs[0].task == "pawsx"


def test_an_empty_reading_is_filled_from_the_claims_own_words():
    source = plan_test("C1", TURC, ClaimTestProposal(comparison="source_languages"))
    assert isinstance(source, ClaimTest) and source.comparison == "source_languages"
    assert [s.train_language for s in source.runs] == ["de", "ru", "en"]
    lean = ("Transfer via massively multilingual transformers is substantially less effective in resource-lean "
            "scenarios and for distant languages.")
    assert screen("C12", lean) is None
    target = plan_test("C12", lean, ClaimTestProposal(comparison="source_languages"))  # the model's wrong kind
    assert isinstance(target, ClaimTest) and target.comparison == "target_languages"
    assert {lang for _, lang, w in target.terms if w < 0} == {"sw", "ur", "ar", "th"}
    assert {lang for _, lang, w in target.terms if w > 0} == {"fr", "es", "de"}


XTREME = ("Hu et al. demonstrate that while models tested on English reach human performance on many tasks, there is "
          "still a sizable gap in the performance of cross-lingually transferred models, particularly on syntactic "
          "and sentence retrieval tasks.")


@pytest.mark.parametrize("reading", [ClaimTestProposal(comparison="target_languages", better=["en"]),
                                     ClaimTestProposal(comparison="target_languages", better=["en"], worse=["de"]),
                                     ClaimTestProposal(comparison="target_languages")])
def test_a_gap_to_english_is_tested_against_a_spread_of_targets(reading):
    assert screen("C3", XTREME) is None
    test = plan_test("C3", XTREME, reading)
    assert isinstance(test, ClaimTest) and test.comparison == "target_languages"
    assert [(lang, w) for _, lang, w in test.terms if w > 0] == [("en", 1.0)]
    assert {lang for _, lang, w in test.terms if w < 0} == {"fr", "bg", "ar", "hi", "sw", "zh"}
    assert sum(w for _, _, w in test.terms) == pytest.approx(0.0)
    # the claim's syntactic and retrieval tasks are said to be left out, not silently dropped
    assert "retrieval" in test.prediction and "syntactic" in test.prediction and "xnli only" in test.prediction


def test_a_gap_claim_naming_its_languages_keeps_them():
    claim = "Zero-shot accuracy drops in Hindi compared to English."
    test = plan_test("C5", claim, ClaimTestProposal(comparison="target_languages", better=["en"], worse=["hi"]))
    assert isinstance(test, ClaimTest) and {lang for _, lang, w in test.terms if w < 0} == {"hi"}
    assert "not run here" not in test.prediction


def test_runs_training_the_same_model_are_shared_across_claims_on_xnli_only():
    lean = ("Transfer via massively multilingual transformers is substantially less effective in resource-lean "
            "scenarios and for distant languages.")
    gap = plan_test("C1", XTREME, ClaimTestProposal(comparison="target_languages", better=["en"]))
    low = plan_test("C12", lean, ClaimTestProposal(comparison="target_languages"))
    turc = plan_test("C4", TURC, ClaimTestProposal(comparison="source_languages", better=["de", "ru"], worse=["en"]))
    paws = [plan_test(f"C{i}", claim, ClaimTestProposal(comparison="target_languages", better=["de"], worse=[worse]))
            for i, (claim, worse) in enumerate([("Transfer to German is stronger than to Japanese on PAWS-X.", "ja"),
                                                ("Transfer to German is stronger than to Korean on PAWS-X.", "ko")])]
    shared = share_runs([gap, low, turc, *paws])
    from_english = [shared[0].runs[0], shared[1].runs[0], shared[2].runs[2]]
    assert len({spec.job_id for spec in from_english}) == 1  # one training from English serves three claims
    union = from_english[0].eval_languages
    assert {lang for test in (gap, low) for _, lang, _ in test.terms} <= set(union)
    assert {"de", "ru"} <= set(union) and len(union) == len(set(union))
    assert shared[2].runs[0] == turc.runs[0]  # the German run trains another model: untouched
    assert [t.terms for t in shared] == [t.terms for t in (gap, low, turc, *paws)]  # each reads its own languages
    # PAWS-X drops items untranslated in any evaluated language, from training too: never shared
    assert [t.runs[0].eval_languages for t in shared[3:]] == [["en", "de", "ja"], ["en", "de", "ko"]]
