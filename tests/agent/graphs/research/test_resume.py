"""A run killed with SIGKILL resumes from its SQLite checkpoint without repeating finished model calls.

The scripted server stalls the first synthesis call; the test kills `agent ask` there, then runs
`agent ask --resume RUN_ID` and counts, per kind of call, what reached the server.
"""

import os
import re
import subprocess
import sys
import threading
from collections import Counter

import pytest

from agent.report.review import rubric
from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY
from tests.support.chat_server import Reply, ScriptedChatServer, _schema_name, research_script


def _kind(request: dict) -> str:
    return "label" if request.get("logprobs") else _schema_name(request) or "text"


@pytest.mark.faults
def test_killed_run_resumes_without_repeating_model_calls(tmp_path):
    stalled = threading.Event()

    def script(request: dict) -> Reply:
        reply = research_script(request)
        if _schema_name(request) == "SynthesisOutput" and not stalled.is_set():
            stalled.set()
            reply.delay = 60.0  # the test kills the run while it waits here
        return reply

    with ScriptedChatServer(script) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
        env.update({"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": TEST_API_KEY, "AGENT_MODEL": "scripted",
                    "AGENT_PROVIDER": "openai", "AGENT_OFFLINE": "1", "AGENT_DATA_DIR": str(tmp_path / "data"),
                    "AGENT_CACHE_RESPONSES": "0", "COLUMNS": "200"})
        out = tmp_path / "report"
        with open(tmp_path / "first.err", "w") as err:
            first = subprocess.Popen([sys.executable, "-m", "agent.cli", "ask", EXAMPLE_QUESTION, "--out", str(out),
                                      "--no-experiments"], env=env, stdout=subprocess.DEVNULL, stderr=err)
            assert stalled.wait(timeout=240), "the run never reached synthesis"
            first.kill()  # SIGKILL: no cleanup, no chance to save anything more
            first.wait(timeout=30)
        assert not (out / "report.json").exists()
        before = Counter(_kind(r) for r in server.requests)
        run_id = re.search(r"run (\S+) ·", (tmp_path / "first.err").read_text()).group(1)

        resumed = subprocess.run([sys.executable, "-m", "agent.cli", "ask", "--resume", run_id], env=env,
                                 capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        assert f"run {run_id} (resumed)" in resumed.stderr
        assert (out / "report.json").exists() and (out / "report.html").exists()
        after = Counter(_kind(r) for r in server.requests)
        added = after - before
        assert before["ExtractionOutput"] == 6 and before["label"] > 0
        # only the unfinished steps ran again: the synthesis, its answer check and the review (label calls)
        assert set(added) == {"SynthesisOutput", "label"}, f"only the unfinished steps ran again: {added}"
        assert added["SynthesisOutput"] == 1 and added["label"] >= len(rubric())

        unknown = subprocess.run([sys.executable, "-m", "agent.cli", "ask", "--resume", "nope"], env=env,
                                 capture_output=True, text=True, timeout=120)
        assert unknown.returncode == 2 and "no run 'nope' to resume" in unknown.stderr
