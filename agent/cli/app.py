"""The `agent` command: mounts every command group, and turns any error into one line and an exit code.

A command imports the graphs, the model runtime and the plotting library only when it runs, so that
`agent --help` and a quick `agent search` do not pay for what they do not use."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from agent.cli import ask, chat, library, mcp, verify
from agent.cli.eval import eval_app
from agent.cli.experiment import experiment_app
from agent.cli.logs import configure_logging
from agent.cli.report import report_app
from agent.errors import AgentError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Research assistant for ML/NLP scientists: cited, verified literature reports.")
console = Console(stderr=True)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress detail to stderr."),
    log_json: bool = typer.Option(False, "--log-json", help="Log one JSON object a line to stderr."),
) -> None:
    """Research assistant for ML/NLP scientists. LangSmith tracing is on when LANGSMITH_TRACING=true is set."""
    configure_logging(verbose, log_json)


app.command("ask")(ask.ask)
app.command("verify")(verify.verify)
app.command("search")(library.search)
app.command("index")(library.index)
app.command("chat")(chat.chat)
app.command("mcp")(mcp.mcp)
app.add_typer(eval_app, name="eval")
app.add_typer(report_app, name="report")
app.add_typer(experiment_app, name="experiment")


def main() -> None:
    configure_logging()
    try:
        app()  # standalone: usage errors print themselves and exit 2
    except AgentError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]")
        sys.exit(130)
    except Exception as exc:  # anything unexpected: one line here, the traceback in a log file
        log_path = Path.home() / ".cache" / "research-agent-crash.log"
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(traceback.format_exc(), encoding="utf-8")
            where = f" (details in {log_path})"
        except OSError:
            where = ""
        console.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))}{where}", soft_wrap=True,
                      highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
