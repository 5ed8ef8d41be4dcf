"""`agent chat`: a research conversation in the terminal, with memory per thread.

Line editing and history come from readline; answers stream; each tool call shows with its arguments and a
short result. Ctrl-C cancels the current turn (not the session); Ctrl-D or /exit leaves.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.errors import AgentError, InputError

console = Console(highlight=False)
HELP = """/help            this help
/papers          papers met in this thread, numbered ("the second paper" is [2])
/claims          claims checked in this thread
/report [dir]    write the thread's papers and checked claims as a report (default runs/chat-<thread>)
/new             start a new thread
/thread          show this thread's id (resume it with: agent chat --thread ID)
/exit            leave (Ctrl-D too); Ctrl-C cancels the current turn"""


class ChatSession:
    def __init__(self, store, services, thread_id: str) -> None:
        from agent.chat_graph import build_chat_graph

        self.store, self.services, self.thread_id = store, services, thread_id
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
        kind = event.get("kind")
        if kind == "token":
            if not self.streaming:
                sys.stdout.write("assistant> ")
                self.streaming = True
            sys.stdout.write(event["text"])
            sys.stdout.flush()
            return
        self._end_stream()
        if kind == "tool_call":
            args = ", ".join(f"{k}={v!r}" for k, v in event["args"].items())
            console.print(f"[cyan]→ {event['name']}({escape(args)})[/cyan]", soft_wrap=True)
        elif kind == "tool_result":
            console.print(f"[dim]← {escape(_short(event['message']))}[/dim]", soft_wrap=True)
        elif kind == "tool_error":
            console.print(f"[red]✗ {event['name']}: {escape(_short(event['message']))}[/red]", soft_wrap=True)
        elif kind == "notice":
            console.print(f"[yellow]{escape(event['message'])}[/yellow]", soft_wrap=True)

    # -- a turn -------------------------------------------------------------------------------
    def turn(self, text: str) -> None:
        from langgraph.types import Command

        self.store.touch(self.thread_id, text)
        pending: object = {"messages": [{"role": "user", "content": text}], "tool_calls": 0, "pending": {}}
        self.cancelled = False
        previous = signal.signal(signal.SIGINT, self._on_interrupt)
        try:
            while pending is not None:
                interrupts = []
                for mode, chunk in self.graph.stream(pending, self.config, context=self.services,
                                                     stream_mode=["custom", "updates"]):
                    if self.cancelled:  # the KeyboardInterrupt was swallowed inside the graph's machinery
                        raise KeyboardInterrupt
                    if mode == "custom":
                        self.on_event(chunk)
                    elif "__interrupt__" in chunk:
                        interrupts.extend(chunk["__interrupt__"])
                self._end_stream()
                pending = Command(resume={"approve": self._ask(interrupts[0].value)}) if interrupts else None
            if self.cancelled:
                raise KeyboardInterrupt
        finally:
            signal.signal(signal.SIGINT, previous)

    def _on_interrupt(self, signum, frame) -> None:
        """Ctrl-C during a turn: remember it (so it cannot be lost) and interrupt what runs now."""
        self.cancelled = True
        raise KeyboardInterrupt

    def _ask(self, payload: dict) -> bool:
        from agent.experiments import approval_summary

        console.print(f"[bold]run experiment?[/bold] {escape(approval_summary(payload))}", soft_wrap=True)
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
            table = Table("verdict", "conf.", "paper", "claim")
            for claim in self.values().get("claims", []):
                table.add_row(claim["verdict"], f"{claim['confidence']:.2f}", claim["paper_id"], claim["text"])
            console.print(table)
        elif name == "/report":
            from agent.chat_tools import write_report
            from agent.records import ChatStep

            result = write_report(ChatStep(action="write_report", path=argument.strip() or f"runs/chat-{self.thread_id}"),
                                  self.services, self.values())
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


def _enable_line_editing(history: Path) -> None:
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


def chat(
    thread: Optional[str] = typer.Option(None, "--thread", help="Resume this thread (see --list)."),
    list_threads: bool = typer.Option(False, "--list", help="List threads: id, first question, last activity."),
    provider: Optional[str] = typer.Option(None, help="local | openai (default: AGENT_PROVIDER)."),
    model: Optional[str] = typer.Option(None, help="Model name or GGUF path (default: AGENT_MODEL)."),
    offline: bool = typer.Option(False, "--offline", help="Search the bundled snapshot and the library only."),
    data_dir: Optional[Path] = typer.Option(None, help="Data directory (default: AGENT_DATA_DIR)."),
) -> None:
    """A research conversation: search, open papers, check claims, run experiments; threads are remembered."""
    from agent.chat_store import ChatStore
    from agent.services import Services
    from agent.settings import load_settings

    settings = load_settings(provider=provider, model=model, offline=offline or None, data_dir=data_dir)
    store = ChatStore(settings.data_dir / "chat.sqlite")
    if list_threads:
        table = Table("thread", "first question", "last activity", "turns")
        for info in store.threads():
            table.add_row(info.thread_id, info.first_question,
                          time.strftime("%Y-%m-%d %H:%M", time.localtime(info.last_activity)), str(info.turns))
        console.print(table)
        return
    if thread and not store.exists(thread):
        raise InputError(f"no chat thread {thread!r}: agent chat --list shows the threads")
    services = Services(settings=settings)
    _ = services.provider  # load the model (or fail with one clear line) before the first prompt
    _enable_line_editing(settings.data_dir / "chat_history")
    ChatSession(store, services, thread or store.new_thread_id()).loop()
