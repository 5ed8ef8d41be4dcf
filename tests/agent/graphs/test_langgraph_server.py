"""The LangGraph server for real: `langgraph dev` (langgraph-cli, in-memory server) serves the graphs of
`langgraph.json` on 127.0.0.1, and langgraph-sdk runs the research graph against the scripted model server,
resuming its experiment-approval interrupt through the API."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY, TINY_EXPERIMENT_DEFAULTS

ROOT = Path(__file__).resolve().parents[3]
LANGGRAPH = Path(sys.executable).parent / "langgraph"
ASKING = EXAMPLE_QUESTION + " Run an experiment to check."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def langgraph_server(tmp_path, chat_server, model_cache):
    import yaml

    if not LANGGRAPH.exists() and shutil.which("langgraph") is None:
        pytest.fail("langgraph-cli is not installed: `pip install -e '.[dev]'` installs it")
    data = tmp_path / "data"
    converted = data / "models" / "hf" / "multilingual-e5-small-hf"
    converted.parent.mkdir(parents=True)
    converted.symlink_to(model_cache / "multilingual-e5-small-hf")
    defaults = tmp_path / "experiment-defaults.yaml"
    defaults.write_text(yaml.safe_dump(TINY_EXPERIMENT_DEFAULTS))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_", "LANGSMITH_"))}
    env.update({"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY, "AGENT_MODEL": "scripted",
                "AGENT_PROVIDER": "openai", "AGENT_OFFLINE": "1", "AGENT_ENV_FILE": "", "AGENT_CACHE_RESPONSES": "0",
                "AGENT_DATA_DIR": str(data), "AGENT_EXPERIMENT_DEFAULTS": str(defaults), "AGENT_MAX_PAPERS": "4",
                "LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1"})
    log = (tmp_path / "langgraph-dev.log").open("w")
    process = subprocess.Popen([str(LANGGRAPH), "dev", "--host", "127.0.0.1", "--port", str(port), "--no-browser",
                                "--no-reload", "--config", str(ROOT / "langgraph.json")],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            if process.poll() is not None:
                pytest.fail(f"langgraph dev exited: {(tmp_path / 'langgraph-dev.log').read_text()[-3000:]}")
            try:
                if requests.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(1)
        else:
            pytest.fail(f"langgraph dev did not start: {(tmp_path / 'langgraph-dev.log').read_text()[-3000:]}")
        yield url, data
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_langgraph_dev_serves_the_graphs_and_resumes_the_approval_interrupt(langgraph_server):
    from langgraph_sdk import get_sync_client

    url, data = langgraph_server
    client = get_sync_client(url=url)
    graphs = {assistant["graph_id"] for assistant in client.assistants.search()}
    assert {"research", "verifier", "chat"} <= graphs

    thread = client.threads.create()
    client.runs.wait(thread["thread_id"], "research", input={"question": ASKING, "experiment_policy": "ask"})
    state = client.threads.get_state(thread["thread_id"])
    interrupts = [i for task in state["tasks"] for i in task.get("interrupts", [])]
    assert len(interrupts) == 1, state["tasks"]
    request = interrupts[0]["value"]
    assert request["kind"] == "approve_experiment" and request["spec"]["task"] == "xnli" and "minutes" in \
        request["estimate"]
    assert state["next"] == ["propose_experiment"]

    final = client.runs.wait(thread["thread_id"], "research", command={"resume": {"approve": True}})
    assert final["report_path"].endswith("report.json")
    report_dir = Path(final["report_path"]).parent
    assert report_dir.parent == data / "reports"  # no out_dir given: the data directory's reports/
    assert (report_dir / "report.html").exists() and (report_dir / "references.bib").exists()
    import json

    report = json.loads((report_dir / "report.json").read_text())
    [experiment] = report["experiments"]
    assert experiment["status"] == "SUCCEEDED" and [r["language"] for r in experiment["per_language"]] == \
        ["en", "de", "sw"]
    assert not client.threads.get_state(thread["thread_id"])["next"]
