"""The terminal side of `agent chat`: one thread's conversation, its slash commands and its line editing.

Line editing and history come from readline; answers stream; each tool call shows with its arguments and a
short result. Ctrl-C cancels the current turn (not the session); Ctrl-D or /exit leaves.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.errors import AgentError
from agent.experiments.approval import ApprovalRequest, approval_summary
from agent.graphs.chat.graph import build_chat_graph
from agent.graphs.chat.tools import ChatStep, ToolContext, write_report
from agent.graphs.context import RunContext
from agent.graphs.driver import drive
from agent.services import Services
from agent.stores.threads import ChatStore

console = Console(highlight=False)
HELP = """/help            this help
/papers          papers met in this thread, numbered ("the second paper" is [2])
/claims          claims of this thread, checked or not ("is C3 supported?" checks one)
/report [dir]    write the thread's papers and checked claims as a report (default runs/chat-<thread>)
/new             start a new thread
/thread          show this thread's id (resume it with: agent chat --thread ID)
/exit            leave (Ctrl-D too); Ctrl-C cancels the current turn"""


class ChatSession:
    def __init__(self, store: ChatStore, services: Services, thread_id: str) -> None:
        self.store, self.services, self.thread_id = store, services, thread_id
        self.run = RunContext(services)
        self.graph = build_chat_graph(store.checkpointer)
        self.streaming = False
        self.cancelled = False

    @property
    def config(self) -> dict:
        return {"configurable": {"thread_id": self.thread_id}, "recursion_limit": 60}

    def values(self) -> dict:
        return self.graph.get_state(self.config).values or {}

    # -- output -------------------------------------------------------------------------------
    def _end_stream(self) -> None:
        if self.streaming:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.streaming = False

    def on_event(self, event: dict) -> None:
        stage = event.get("stage")
        if stage == "token":
            if not self.streaming:
                sys.stdout.write("assistant> ")
                self.streaming = True
            sys.stdout.write(event["text"])
            sys.stdout.flush()
            return
        self._end_stream()
        if stage == "tool_call":
            args = ", ".join(f"{k}={v!r}" for k, v in event["args"].items())
            console.print(f"[cyan]→ {event['name']}({escape(args)})[/cyan]", soft_wrap=True)
        elif stage == "tool_result":
            console.print(f"[dim]← {escape(_short(event['message']))}[/dim]", soft_wrap=True)
        elif stage == "tool_error":
            console.print(f"[red]✗ {event['name']}: {escape(_short(event['message']))}[/red]", soft_wrap=True)
        elif stage == "notice":
            console.print(f"[yellow]{escape(event['message'])}[/yellow]", soft_wrap=True)

    # -- a turn -------------------------------------------------------------------------------
    def turn(self, text: str) -> None:
        self.store.touch(self.thread_id, text)
        start = {"messages": [{"role": "user", "content": text}], "tool_calls": 0, "pending": {}}
        self.cancelled = False
        previous = signal.signal(signal.SIGINT, self._on_interrupt)
        try:
            drive(self.graph, start, self.config, self.run, on_event=self.on_event,
                  on_interrupt=lambda request: {"approve": self._ask(request)}, cancelled=lambda: self.cancelled)
            self._end_stream()
            if self.cancelled:
                raise KeyboardInterrupt
        finally:
            signal.signal(signal.SIGINT, previous)

    def _on_interrupt(self, signum, frame) -> None:
        """Ctrl-C during a turn: remember it (so it cannot be lost) and interrupt what runs now."""
        self.cancelled = True
        raise KeyboardInterrupt

    def _ask(self, request: ApprovalRequest) -> bool:
        self._end_stream()
        console.print(f"[bold]run experiment?[/bold] {escape(approval_summary(request))}", soft_wrap=True)
        try:
            return input("approve [y/N]> ").strip().lower() in ("y", "yes")
        except (EOFError, KeyboardInterrupt):
            return False

    # -- slash commands -------------------------------------------------------------------------
    def command(self, line: str) -> bool:
        """Run a slash command; False means leave."""
        name, _, argument = line.partition(" ")
        if name == "/exit":
            return False
        if name == "/help":
            console.print(HELP)
        elif name == "/thread":
            console.print(f"thread {self.thread_id}")
        elif name == "/new":
            self.thread_id = self.store.new_thread_id()
            console.print(f"new thread {self.thread_id}")
        elif name == "/papers":
            table = Table("#", "paper", "title", "year")
            for i, paper in enumerate(self.values().get("papers", []), 1):
                table.add_row(str(i), paper["id"], paper["title"], str(paper.get("year") or ""))
            console.print(table)
        elif name == "/claims":
            table = Table("id", "verdict", "conf.", "paper", "claim")
            values = self.values()
            checked = {c.get("id") for c in values.get("claims", [])}
            for claim in values.get("claims", []):
                table.add_row(claim.get("id", ""), claim["verdict"], f"{claim['confidence']:.2f}", claim["paper_id"],
                              claim["text"])
            for claim in values.get("extracted", []):  # stated by a paper, not checked yet
                if claim["id"] not in checked:
                    table.add_row(claim["id"], "unchecked", "", claim["paper_id"], claim["text"])
            console.print(table)
        elif name == "/report":
            step = ChatStep(action="write_report", path=argument.strip() or f"runs/chat-{self.thread_id}")
            result = write_report(step, ToolContext(run=self.run, thread=self.values(), approve=lambda request: False))
            console.print(escape(result.summary), soft_wrap=True)
        else:
            console.print(f"unknown command {escape(name)}; /help lists them")
        return True

    def greet(self) -> None:
        values = self.values()
        if values.get("messages"):
            last = next((m["content"] for m in reversed(values["messages"]) if m["role"] == "assistant"), "")
            console.print(f"resumed thread [bold]{self.thread_id}[/bold]: {len(values['messages'])} messages, "
                          f"{len(values.get('papers', []))} papers, {len(values.get('claims', []))} claims checked",
                          soft_wrap=True)
            if last:
                console.print(f"[dim]last answer: {escape(_short(last, 300))}[/dim]", soft_wrap=True)
        else:
            console.print(f"thread [bold]{self.thread_id}[/bold] · /help for commands · Ctrl-D to leave")

    def loop(self) -> None:
        self.greet()
        while True:
            try:
                line = input("you> ").strip()
            except EOFError:
                break
            except KeyboardInterrupt:
                console.print("\n(Ctrl-C cancels a turn; /exit or Ctrl-D leaves)")
                continue
            if not line:
                continue
            if line.startswith("/"):
                try:
                    if not self.command(line):
                        break
                except AgentError as exc:
                    console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
                continue
            try:
                self.turn(line)
            except KeyboardInterrupt:
                self._end_stream()
                console.print("[yellow]turn cancelled[/yellow]")
            except AgentError as exc:
                self._end_stream()
                console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        self._end_stream()
        console.print(f"\nthread {self.thread_id} saved; resume with: agent chat --thread {self.thread_id}")


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def enable_line_editing(history: Path) -> None:
    try:
        import readline
    except ImportError:  # no readline (Windows): plain input still works
        return
    history.parent.mkdir(parents=True, exist_ok=True)
    try:
        readline.read_history_file(history)
    except (FileNotFoundError, OSError):
        pass
    readline.set_history_length(2000)
    import atexit

    atexit.register(lambda: _save_history(readline, history))


def _save_history(readline, history: Path) -> None:
    try:
        readline.write_history_file(history)
    except OSError:
        pass
