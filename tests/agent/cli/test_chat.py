"""`agent chat` driven through a pseudo-terminal, as a person would, against the scripted chat server.

A search, a follow-up that refers to the earlier answer, a claim check, a failing tool, a cancelled turn,
slash commands, leaving; then the thread resumed in a new process still knows the earlier papers.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_API_KEY

pexpect = pytest.importorskip("pexpect")
ID = re.compile(r"arXiv:(\d{4}\.\d{4,5})")
PROMPT = "you> "


def _spawn(args, chat_server, data_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update({"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY, "AGENT_MODEL": "scripted",
                "AGENT_PROVIDER": "openai", "AGENT_OFFLINE": "1", "AGENT_DATA_DIR": str(data_dir), "COLUMNS": "160",
                "TERM": "dumb", "HOME": str(data_dir / "home")})
    child = pexpect.spawn(sys.executable, ["-m", "agent.cli", "chat", *args], env=env, timeout=120,
                          dimensions=(50, 160), encoding="utf-8")
    return child


def _ask(child, text):
    child.sendline(text)


def test_a_conversation_is_remembered_across_sessions(chat_server, tmp_path):
    data_dir = tmp_path / "data"
    child = _spawn([], chat_server, data_dir)
    child.expect("thread (\\S+) · /help")
    thread = child.match.group(1)
    child.expect(PROMPT)

    _ask(child, "What is known about zero-shot cross-lingual transfer?")
    child.expect(r"→ search_papers\(query='What is known about zero-shot cross-lingual transfer\?'\)")
    child.expect("← 5 papers from snapshot")
    child.expect("assistant> (.*?)\r\n")
    answer = child.match.group(1)
    first_ids = ID.findall(answer)
    assert len(first_ids) == 3, answer
    assert "9999.99999" not in answer and "Quantum gravity" not in answer, "only what the papers back is shown"
    child.expect("removed paper ids that are not in this conversation: 9999.99999")
    child.expect(r"left out 2 sentence\(s\) that no paper found supports")
    child.expect(PROMPT)

    _ask(child, "Which of those used PAWS-X?")  # about the papers found: answered from them, no new search
    child.expect("assistant> (.*?)\r\n")
    follow_up = child.match.group(1)
    assert follow_up.startswith(("PAWS-X is mentioned in [", "None of the 5 papers")), follow_up
    assert set(ID.findall(follow_up)) <= set(first_ids)
    assert "→" not in child.before
    child.expect(PROMPT)

    _ask(
        child,
        "check: SALT improves zero-shot cross-lingual transfer on PAWS-X without external parallel data (2309.10891)",
    )
    child.expect(r"→ verify_claim\(")
    child.expect("← (SUPPORTED|REFUTED|NOT_ENOUGH_INFO) \\(confidence")
    child.expect("assistant> C1 “SALT improves zero-shot cross-lingual transfer")
    child.expect(PROMPT)

    _ask(child, "open 0000.00000 please")
    child.expect("✗ open_paper: .*not found")
    child.expect("assistant> That did not work: paper 0000.00000 not found")
    child.expect(PROMPT)

    _ask(child, "a slow question about zero-shot cross-lingual transfer")  # the scripted server takes 6 s
    time.sleep(2.0)
    child.sendintr()
    child.expect("turn cancelled")
    child.expect(PROMPT)

    _ask(child, "/papers")
    child.expect(first_ids[0])
    child.expect(PROMPT)
    _ask(child, "/claims")
    child.expect("2309.10891")
    child.expect(PROMPT)
    _ask(child, "/thread")
    child.expect(f"thread {thread}")
    child.expect(PROMPT)
    _ask(child, "/exit")
    child.expect(f"resume with: agent chat --thread {thread}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    listing = _spawn(["--list"], chat_server, data_dir)
    listing.expect(thread)
    listing.expect("What is known about zero-shot")
    listing.expect(pexpect.EOF)

    resumed = _spawn(["--thread", thread], chat_server, data_dir)
    resumed.expect(f"resumed thread {thread}: \\d+ messages, \\d+ papers, 1 claims checked")
    resumed.expect(PROMPT)
    _ask(resumed, "What was the first paper you mentioned?")
    resumed.expect(f"assistant> The first paper was arXiv:{first_ids[0]}")
    resumed.expect(PROMPT)
    resumed.sendeof()
    resumed.expect("saved; resume with")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 0


def test_unknown_thread_is_one_clear_error(chat_server, tmp_path):
    child = _spawn(["--thread", "nope"], chat_server, tmp_path / "data")
    child.expect("no chat thread 'nope'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_a_busy_library_is_said_in_the_chats_own_words_and_no_log_line_shows(chat_server, tmp_path):
    data_dir = tmp_path / "data"
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path; "
                               "from tools.store_lock import lock_store; lock_store(Path(sys.argv[1]), 5); "
                               "print('held', flush=True); sys.stdin.readline()", str(data_dir / "chroma")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # holds until told
    assert holder.stdout.readline().strip() == "held"
    child = _spawn([], chat_server, data_dir)
    child.expect(PROMPT)
    _ask(child, "check: SALT improves zero-shot cross-lingual transfer on PAWS-X (2309.10891)")
    child.expect(r"The library is busy: another agent process \(pid \d+\) is writing to it")
    holder.communicate("release\n", timeout=10)
    child.expect("assistant> C1 ")
    child.expect(PROMPT)
    assert "WARNING" not in child.before
    child.sendeof()
    child.expect(pexpect.EOF)
    assert "waiting for pid" in (data_dir / "logs" / "chat.log").read_text(), "the log line goes to the log file"


@pytest.fixture(scope="session")
def embedded_model(tmp_path_factory) -> Path:
    """The embedded default model: assembled from its installed parts (the `[local]` extra), else skipped (CI
    installs the base only)."""
    from tools.llm.base import ProviderUnavailable
    from tools.llm.model_files import BUILTIN_FILE_NAME, BUILTIN_MODEL_NAME, resolve_model_file

    made = Path.home() / ".local" / "share" / "research-agent" / "models" / BUILTIN_FILE_NAME  # after `make demo`
    if made.is_file():
        return made
    try:
        return resolve_model_file(BUILTIN_MODEL_NAME, tmp_path_factory.mktemp("models"))
    except ProviderUnavailable as exc:
        pytest.skip(str(exc))


@pytest.mark.llama
def test_the_embedded_model_answers_literature_questions_from_the_papers_in_a_real_terminal(embedded_model,
                                                                                            tmp_path):
    """The two turns the earlier chat got wrong with the embedded model: an answer from the model's own weights
    (after trying to start an experiment), then "None of the listed papers mentions "Give"."."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update({"AGENT_MODEL": str(embedded_model), "AGENT_PROVIDER": "local", "AGENT_OFFLINE": "1",
                "AGENT_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "160", "TERM": "dumb",
                "HOME": str(tmp_path / "home")})
    child = pexpect.spawn(sys.executable, ["-m", "agent.cli", "chat"], env=env, timeout=240, dimensions=(50, 160),
                          encoding="utf-8")
    child.expect(PROMPT)
    _ask(child, "What do recent papers say about code-switching augmentation for zero-shot cross-lingual transfer?")
    child.expect(r"→ search_papers\(")
    child.expect(r"← 5 papers from snapshot: (.*?)\r\n")
    found = set(ID.findall(child.match.group(1)))
    child.expect("assistant> (.*?)\r\n")
    answer = child.match.group(1)
    assert ID.findall(answer) and set(ID.findall(answer)) <= found, answer
    child.expect(PROMPT)
    assert "start_experiment" not in child.before and "skipped" not in child.before
    _ask(child, "Which papers show that? Give arXiv ids.")
    child.expect("assistant> (.*?)\r\n")
    listed = child.match.group(1)
    assert set(ID.findall(listed)) == set(ID.findall(answer)), listed
    assert "Give" not in listed
    child.expect(PROMPT)
    child.sendeof()
    child.expect(pexpect.EOF)
