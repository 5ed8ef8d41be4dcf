"""The `agent` command as a user runs it: a real subprocess."""

import os
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY


def _agent(*args, env_extra=None, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def _no_traceback(result):
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_one_line_and_exit_2(question):
    result = _agent("ask", question)
    assert result.returncode == 2
    assert "the question is empty" in result.stderr
    _no_traceback(result)


def test_invalid_setting_names_the_variable(tmp_path):
    result = _agent("ask", "q?", env_extra={"AGENT_PROVIDER": "bogus"})
    assert result.returncode == 2 and "AGENT_PROVIDER" in result.stderr
    _no_traceback(result)


def test_missing_model_file_is_a_clear_error(tmp_path):
    result = _agent("ask", "q?", "--model", str(tmp_path / "nope.gguf"), "--data-dir", str(tmp_path))
    assert result.returncode == 3 and "model file not found" in result.stderr
    _no_traceback(result)


def test_unreachable_base_url_is_a_clear_error(tmp_path):
    result = _agent("ask", "q?", "--provider", "openai", "--data-dir", str(tmp_path), "--offline",
                    env_extra={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": TEST_API_KEY,
                               "AGENT_MODEL": "m"})
    assert result.returncode == 3 and "cannot reach the model server" in result.stderr
    assert TEST_API_KEY not in result.stdout + result.stderr
    _no_traceback(result)


def test_ask_writes_the_report_and_prints_its_paths(tmp_path, chat_server):
    # Its own data directory: Chroma does not support two processes on one store (the test session's).
    out = tmp_path / "out"
    result = _agent("ask", EXAMPLE_QUESTION, "--out", str(out), "--provider", "openai", "--offline",
                    "--data-dir", str(tmp_path / "data"),
                    env_extra={"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY,
                               "AGENT_MODEL": "scripted"})
    assert result.returncode == 0, result.stderr
    assert str(out / "report.md") in result.stdout and str(out / "report.json") in result.stdout
    assert (out / "report.json").exists() and (out / "report.md").exists()
    assert "Claims" in result.stdout and "model calls" in result.stdout
    _no_traceback(result)
