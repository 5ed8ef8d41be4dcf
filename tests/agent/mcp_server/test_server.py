"""`agent mcp` answers a real MCP client: the official SDK's client starts it over stdio and calls every tool,
a whole `ask` run included, against the scripted model server."""

import json
import os
import sys

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.conftest import TEST_API_KEY


def _server(tmp_path, chat_server) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update({"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY, "AGENT_MODEL": "scripted",
                "AGENT_PROVIDER": "openai", "AGENT_OFFLINE": "1", "AGENT_ENV_FILE": "", "AGENT_CACHE_RESPONSES": "0",
                "AGENT_DATA_DIR": str(tmp_path / "data"), "AGENT_MAX_PAPERS": "4"})
    return StdioServerParameters(command=sys.executable, args=["-m", "agent.cli", "mcp"], env=env, cwd=str(tmp_path))


def _structured(result):
    assert not result.is_error, result.content
    return result.structured_content


def test_an_mcp_client_searches_verifies_asks_and_reads_reports(tmp_path, chat_server):
    progress: list[tuple[float, float | None, str | None]] = []
    errlog = (tmp_path / "server.log").open("w")

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async def session_run():
        async with stdio_client(_server(tmp_path, chat_server), errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = {tool.name for tool in (await session.list_tools()).tools}
                assert tools == {"search_papers", "get_paper", "verify_claim", "ask", "list_reports", "read_report"}

                found = _structured(await session.call_tool("search_papers", {
                    "query": "self-augmentation zero-shot cross-lingual transfer", "k": 5}))
                assert "2309.10891" in [p["id"] for p in found["papers"]] and "snapshot" in found["sources"]

                paper = _structured(await session.call_tool("get_paper", {"paper_id": "arXiv:2309.10891"}))
                assert paper["id"] == "2309.10891" and paper["abstract"]

                missing = await session.call_tool("get_paper", {"paper_id": "9999.99999"})
                assert missing.is_error and "no paper '9999.99999'" in missing.content[0].text
                empty = await session.call_tool("search_papers", {"query": "   "})
                assert empty.is_error and "the query is empty" in empty.content[0].text
                assert "Traceback" not in missing.content[0].text + empty.content[0].text

                checked = _structured(await session.call_tool("verify_claim", {
                    "claim": "SALT improves zero-shot cross-lingual transfer on XNLI and PAWS-X."}))
                assert checked["verdict"] in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO") and checked["evidence"]

                asked = _structured(await session.call_tool("ask", {
                    "question": "How does self-augmentation affect zero-shot cross-lingual transfer?"},
                    progress_callback=on_progress, read_timeout_seconds=600))
                assert asked["answer"] and asked["claims"] and os.path.isfile(asked["report_path"])
                assert os.path.isfile(os.path.join(asked["report_dir"], "references.bib"))

                listed = (await session.call_tool("list_reports", {})).structured_content["result"]
                assert listed[0]["run_id"] == asked["run_id"] and listed[0]["has_report"]
                bib = await session.call_tool("read_report", {"run_id": asked["run_id"], "format": "bib"})
                assert "@misc{" in bib.content[0].text and "archivePrefix" in bib.content[0].text
                unknown = await session.call_tool("read_report", {"run_id": "nope"})
                assert unknown.is_error and "no run 'nope'" in unknown.content[0].text

                resources = [str(r.uri) for r in (await session.list_resources()).resources]
                assert f"report://{asked['run_id']}" in resources
                markdown = await session.read_resource(f"report://{asked['run_id']}")
                assert markdown.contents[0].text.startswith("# ")
                as_json = await session.read_resource(f"report://{asked['run_id']}/report.json")
                assert json.loads(as_json.contents[0].text)["question"].startswith("How does self-augmentation")
                return asked

    asked = anyio.run(session_run)
    errlog.close()
    # progress notifications came during the run, stage by stage, up to the report
    messages = [m for _, _, m in progress]
    assert len(progress) >= 5 and any(m.startswith("extracting claims") for m in messages)
    assert progress[-1][0] == progress[-1][1]  # the last stage: writing the report
    assert asked["papers_cited"] > 0
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_a_bad_setting_is_a_tool_error_not_a_crash(tmp_path, chat_server):
    params = _server(tmp_path, chat_server)
    params.env["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"  # nothing listens there

    async def session_run():
        async with stdio_client(params, errlog=(tmp_path / "server.log").open("w")) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                result = await session.call_tool("verify_claim", {"claim": "mBERT transfers to Swahili."})
                return result

    result = anyio.run(session_run)
    assert result.is_error and "cannot reach the model server" in result.content[0].text
    assert "Traceback" not in result.content[0].text
