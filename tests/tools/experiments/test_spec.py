"""The experiment spec, the bundled XTREME dev data and its split, and the published baselines."""

import pytest

from agent.errors import InputError
from tools.experiments.baselines import published_row
from tools.experiments.data import UNTRANSLATED, load_transfer_data, read_rows
from tools.experiments.spec import ExperimentSpec, load_spec, parse_spec


def test_spec_defaults_follow_the_xtreme_recipe():
    spec = parse_spec({"task": "xnli", "eval_languages": "en, de,fr,sw"})
    hp = spec.hyper_parameters
    assert (hp.epochs, hp.max_length, hp.batch_size) == (5, 128, 32)
    assert spec.learning_rate == 6e-5, "a small model on a dev-sized training set"
    assert spec.model_copy(update={"model": "xlm-roberta-base"}).learning_rate == 2e-5
    assert (
        parse_spec({"task": "xnli", "eval_languages": "de", "hyper_parameters": {"learning_rate": 3e-5}}).learning_rate
        == 3e-5
    )
    assert spec.train_language == "en" and spec.eval_languages == ["en", "de", "fr", "sw"]
    assert spec.model == "multilingual-e5-small" and spec.backend == "local" and spec.seeds == [42]


def test_same_spec_same_job_id_whatever_the_name_backend_or_resources():
    a = parse_spec({"task": "xnli", "eval_languages": ["de"], "name": "a", "backend": "local"})
    b = parse_spec({"task": "xnli", "eval_languages": ["de"], "name": "b", "backend": "ray", "resources": {"gpus": 1}})
    c = parse_spec({"task": "xnli", "eval_languages": ["de"], "seeds": [1]})
    assert a.job_id == b.job_id != c.job_id and a.job_id.startswith("xnli-")
    round_trip = parse_spec(a.model_dump(mode="json"))  # what the worker reads back from spec.json
    assert round_trip.job_id == a.job_id


@pytest.mark.parametrize("fields, message", [
    ({"task": "mnli", "eval_languages": ["de"]}, "task: Input should be 'pawsx' or 'xnli'"),
    ({"task": "pawsx", "eval_languages": ["sw"]}, "pawsx has no language sw"),
    ({"task": "xnli", "eval_languages": []}, "eval_languages"),
    ({"task": "xnli", "eval_languages": ["de"], "hyper_parameters": {"learning_rate": 0.5}}, "learning_rate"),
    ({"task": "xnli", "eval_languages": ["de"], "hyper_parameters": {"batch_size": 30, "per_device_batch_size": 8}},
     "multiple of per_device_batch_size"),
    ({"task": "xnli", "eval_languages": ["de"], "resources": {"gpus": -1}}, "resources.gpus"),
    ({"task": "xnli", "eval_languages": ["de"], "optimizer": "sgd"}, "optimizer: Extra inputs are not permitted"),
])
def test_invalid_specs_are_one_clear_error(fields, message):
    with pytest.raises(InputError, match="invalid experiment spec") as error:
        parse_spec(fields)
    assert message in str(error.value)


def test_spec_from_yaml_and_bad_files(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("task: pawsx\neval_languages: [de, ja]\nhyper_parameters:\n  epochs: 2\n")
    spec = load_spec(path)
    assert isinstance(spec, ExperimentSpec) and spec.hyper_parameters.epochs == 2
    path.write_text("task: [unclosed\n")
    with pytest.raises(InputError, match="is not valid YAML"):
        load_spec(path)
    path.write_text("- a list\n")
    with pytest.raises(InputError, match="must hold a mapping"):
        load_spec(path)
    with pytest.raises(InputError, match="no experiment spec at"):
        load_spec(tmp_path / "missing.yaml")


def test_dev_sets_are_parallel_and_labelled():
    english = read_rows("xnli", "en")
    swahili = read_rows("xnli", "sw")
    assert len(english) == len(swahili) == 2490
    assert [r[2] for r in english] == [r[2] for r in swahili]
    assert {r[2] for r in english} == {"entailment", "neutral", "contradiction"}
    assert len(read_rows("pawsx", "ja")) == 2000


def test_xnli_split_keeps_each_premise_on_one_side_in_every_language():
    spec = parse_spec({"task": "xnli", "eval_languages": ["en", "de", "sw"]})
    data = load_transfer_data(spec)
    assert len(data.train) + len(data.eval["en"]) == 2490
    train_premises = {e.text_a for e in data.train}
    assert not train_premises & {e.text_a for e in data.eval["en"]}, "no test premise seen in training"
    assert [e.label for e in data.eval["de"]] == [e.label for e in data.eval["en"]]
    assert load_transfer_data(spec).eval["sw"] == data.eval["sw"], "the split is deterministic"


def test_pawsx_drops_untranslated_items_and_says_so():
    data = load_transfer_data(parse_spec({"task": "pawsx", "eval_languages": ["de", "ja", "zh"]}))
    assert all(UNTRANSLATED not in (e.text_a, e.text_b) for lang in data.eval for e in data.eval[lang])
    assert any("untranslated" in note for note in data.notes)


def test_data_limits_sample_the_same_items_in_every_language():
    spec = parse_spec({"task": "xnli", "eval_languages": ["en", "fr"],
                       "data": {"max_train_examples": 40, "max_eval_examples": 30}})
    data = load_transfer_data(spec)
    assert len(data.train) == 40 and len(data.eval["en"]) == len(data.eval["fr"]) == 30
    assert [e.label for e in data.eval["en"]] == [e.label for e in data.eval["fr"]]


def test_published_baselines_carry_their_source():
    xnli = published_row("xnli", "multilingual-e5-small")
    assert xnli.model == "XLM-R" and xnli.accuracy["sw"] == 0.665 and "arXiv:1911.02116" in xnli.source
    assert published_row("pawsx", "xlm-roberta-large").accuracy["ja"] == 0.787
    assert published_row("xnli", "bert-base-multilingual-cased").model == "mBERT (uncased)"
