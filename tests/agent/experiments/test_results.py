"""An experiment's results as the report shows them: the published baseline's note says what it is beside."""

from agent.experiments.results import experiment_report
from tools.experiments.jobs import JobRecord
from tools.experiments.spec import parse_spec

METRICS = {"per_language": {"fr": 0.48, "en": 0.47}, "average": 0.475, "examples": {"train": 600}}


def _report(train_language: str):
    spec = parse_spec({"task": "xnli", "train_language": train_language, "eval_languages": ["fr", "en"]})
    return experiment_report(JobRecord(job_id="xnli-1", backend="local", spec=spec, status="SUCCEEDED"), METRICS)


def test_a_run_from_english_is_compared_like_for_like():
    note = next(n for n in _report("en").notes if n.startswith("Published"))
    assert "ours trained on 600 English dev items" in note and "context" not in note


def test_a_run_from_another_language_says_the_published_numbers_are_from_english():
    note = next(n for n in _report("de").notes if n.startswith("Published"))
    assert "ours trained on 600 German dev items" in note
    assert "not a like-for-like baseline" in note
