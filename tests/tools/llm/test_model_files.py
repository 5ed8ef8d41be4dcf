import hashlib

import pytest

from agent.errors import ConfigError
from tools.llm import model_files
from tools.llm.base import ProviderUnavailable


@pytest.fixture()
def fake_parts(tmp_path, monkeypatch):
    """Three small part files standing in for the 22 PyPI parts (the real ones total 1.1 GB)."""
    parts = []
    for index, payload in enumerate([b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 10]):
        path = tmp_path / f"part{index}.bin"
        path.write_bytes(payload)
        parts.append(path)
    whole = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(model_files, "_part_paths", lambda: parts)
    monkeypatch.setattr(model_files, "BUILTIN_SIZE", len(whole))
    monkeypatch.setattr(model_files, "BUILTIN_SHA256", hashlib.sha256(whole).hexdigest())
    return parts, whole


def test_assembles_parts_in_order_and_checks_the_hash(tmp_path, fake_parts):
    _, whole = fake_parts
    target = model_files.assemble_builtin_model(tmp_path / "models")
    assert target.read_bytes() == whole
    assert model_files.assemble_builtin_model(tmp_path / "models") == target  # second call reuses the file


def test_refuses_parts_whose_hash_differs(tmp_path, fake_parts, monkeypatch):
    monkeypatch.setattr(model_files, "BUILTIN_SHA256", "0" * 64)
    with pytest.raises(ProviderUnavailable, match="refusing the built-in model"):
        model_files.assemble_builtin_model(tmp_path / "models")
    assert not list((tmp_path / "models").glob("*.gguf")), "a refused file must not be left behind"


def test_a_tampered_assembled_file_is_rebuilt(tmp_path, fake_parts):
    _, whole = fake_parts
    target = model_files.assemble_builtin_model(tmp_path / "models")
    target.write_bytes(b"X" * len(whole))
    assert model_files.assemble_builtin_model(tmp_path / "models").read_bytes() == whole


def test_user_gguf_paths(tmp_path):
    good = tmp_path / "m.gguf"
    good.write_bytes(b"GGUF0000")
    assert model_files.resolve_model_file(str(good), tmp_path) == good
    assert model_files.resolve_model_file(str(good), tmp_path, hashlib.sha256(b"GGUF0000").hexdigest()) == good
    with pytest.raises(ProviderUnavailable, match="sha256"):
        model_files.resolve_model_file(str(good), tmp_path, "1" * 64)
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    with pytest.raises(ProviderUnavailable, match="not a GGUF"):
        model_files.resolve_model_file(str(bad), tmp_path)
    with pytest.raises(ProviderUnavailable, match="not found"):
        model_files.resolve_model_file(str(tmp_path / "missing.gguf"), tmp_path)
    with pytest.raises(ConfigError, match="neither the built-in model"):
        model_files.resolve_model_file("gpt-4o", tmp_path)
