"""The project's front door stays consistent: settings documented, graphs loadable by langgraph.json."""

import importlib.util
import json
from pathlib import Path

from langgraph.graph.state import CompiledStateGraph

from agent.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_env_example():
    documented = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        variable = {"openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL"}.get(
            name, f"AGENT_{name.upper()}")
        assert variable in documented, f"{variable} is not documented in .env.example"


def test_langgraph_json_graphs_load():
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert set(config["graphs"]) == {"research", "verifier", "chat"}
    for name, target in config["graphs"].items():
        path, attribute = target.split(":")
        spec = importlib.util.spec_from_file_location(f"langgraph_{name}", ROOT / path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert isinstance(getattr(module, attribute), CompiledStateGraph)


def test_langgraph_server_checkpoints_the_state_types_the_project_allows():
    from agent.stores.checkpoints import STATE_TYPES

    serde = json.loads((ROOT / "langgraph.json").read_text())["checkpointer"]["serde"]
    assert [tuple(t) for t in serde["allowed_msgpack_modules"]] == STATE_TYPES and serde["pickle_fallback"] is False


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
