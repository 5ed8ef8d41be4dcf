import pytest

from agent.errors import ConfigError
from agent.settings import load_settings


def test_reads_agent_prefix_and_openai_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("AGENT_PROVIDER", "openai")
    monkeypatch.setenv("AGENT_MAX_PAPERS", "4")
    monkeypatch.setenv("AGENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-abc")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings()
    assert settings.provider == "openai"
    assert settings.max_papers == 4
    assert settings.data_dir == tmp_path
    assert settings.openai_api_key.get_secret_value() == "sk-abc"
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"


def test_overrides_beat_environment(monkeypatch):
    monkeypatch.setenv("AGENT_MAX_PAPERS", "4")
    assert load_settings(max_papers=2).max_papers == 2


@pytest.mark.parametrize("variable, value, fragment", [
    ("AGENT_PROVIDER", "claude-local", "AGENT_PROVIDER"),
    ("AGENT_MAX_PAPERS", "-3", "AGENT_MAX_PAPERS"),
    ("OPENAI_BASE_URL", "localhost:8000", "OPENAI_BASE_URL"),
    ("AGENT_CHROMA_URL", "127.0.0.1:8000", "AGENT_CHROMA_URL"),
    ("AGENT_ARXIV_ENDPOINT", "http://mirror.example/api/query", "AGENT_ARXIV_ENDPOINT"),
    ("AGENT_ARXIV_TIMEOUT", "0", "AGENT_ARXIV_TIMEOUT"),
])
def test_invalid_settings_raise_one_readable_line(monkeypatch, variable, value, fragment):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert fragment in message and "\n" not in message


def test_public_dict_never_contains_the_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    settings = load_settings()
    dumped = str(settings.public_dict()) + repr(settings)
    assert "sk-very-secret" not in dumped
    assert settings.public_dict()["openai_api_key_set"] is True
