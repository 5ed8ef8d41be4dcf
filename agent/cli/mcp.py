"""`agent mcp`: serve the assistant to an editor or chat client over the Model Context Protocol (stdio)."""

from __future__ import annotations

from agent.cli.options import DataDir, Model, Offline, Provider, settings_from


def mcp(
    provider: Provider = None,
    model: Model = None,
    offline: Offline = False,
    data_dir: DataDir = None,
) -> None:
    """Serve search_papers, get_paper, verify_claim, ask, list_reports and read_report over MCP on stdio.

    A client starts it (see the README for the configuration block); it talks JSON-RPC on stdin/stdout, and
    logs to stderr."""
    from agent.mcp_server.server import build_server  # the MCP SDK loads only for this command

    build_server(settings_from(provider=provider, model=model, offline=offline, data_dir=data_dir)).run("stdio")
