"""Two `agent ask` runs at once on one data directory both finish, and the library holds what both read.

The second process waits for the first's lock on the embedded Chroma store (it says so) instead of
corrupting it; `AGENT_CHROMA_URL` is the way to run truly in parallel.
"""

import json
import os
import subprocess
import sys

from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY

OTHER_QUESTION = "Does translate-train beat zero-shot cross-lingual transfer on XNLI?"


def test_two_runs_on_one_data_dir_finish_with_a_consistent_library(chat_server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update({"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY, "AGENT_MODEL": "scripted",
                "AGENT_PROVIDER": "openai", "AGENT_OFFLINE": "1", "AGENT_DATA_DIR": str(tmp_path / "data")})
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "agent.cli", "ask", question, "--out", str(tmp_path / name), "--no-experiments"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, question in (("a", EXAMPLE_QUESTION), ("b", OTHER_QUESTION))
    ]
    errors = [run.communicate(timeout=600)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert any("waiting for pid" in err for err in errors), "one run waited for the other's lock"
    read = set()
    for name in ("a", "b"):
        report = json.loads((tmp_path / name / "report.json").read_text())
        read |= {claim["paper_id"] for claim in report["claims"]}
    from tools.embeddings import default_embedder
    from tools.library import PaperLibrary

    library = PaperLibrary(tmp_path / "data" / "chroma", default_embedder())
    assert all(library.get_paper(pid) is not None for pid in read)
    assert library.count_papers() >= len(read)
    assert library.search_library("zero-shot cross-lingual transfer", k=3), "the index answers queries"
