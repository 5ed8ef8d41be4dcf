"""`agent chat`: a research conversation in the terminal, with memory per thread."""

from __future__ import annotations

import logging
import time
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.cli.logs import configure_logging, log_to_file
from agent.cli.options import DataDir, Model, Offline, Provider, settings_from
from agent.errors import InputError
from agent.services import Services

console = Console(highlight=False)


def library_busy(message: str) -> None:
    """Said once when another agent process holds the library and this turn waits for it."""
    holder = message.split("pid ", 1)[-1].split(" ", 1)[0] if "pid " in message else "another process"
    console.print(f"[yellow]The library is busy: another agent process (pid {escape(holder)}) is writing to it. "
                  "I will go on as soon as it is free; Ctrl-C cancels this turn.[/yellow]", soft_wrap=True)


def chat(
    thread: Optional[str] = typer.Option(None, "--thread", help="Resume this thread (see --list)."),
    list_threads: bool = typer.Option(False, "--list", help="List threads: id, first question, last activity."),
    provider: Provider = None,
    model: Model = None,
    offline: Offline = False,
    data_dir: DataDir = None,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show log lines in the conversation."),
) -> None:
    """A research conversation: search, open papers, check claims, run experiments; threads are remembered."""
    from agent.cli.chat_session import ChatSession, enable_line_editing
    from agent.stores.threads import ChatStore

    settings = settings_from(provider=provider, model=model, offline=offline, data_dir=data_dir)
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
    if verbose:
        configure_logging(verbose=True)
    elif logging.getLogger().level > logging.INFO:  # `agent --verbose chat` keeps them on the terminal too
        log_to_file(settings.data_dir / "logs" / "chat.log")
    services = Services(settings=settings, on_library_wait=library_busy)
    _ = services.provider  # load the model (or fail with one clear line) before the first prompt
    enable_line_editing(settings.data_dir / "chat_history")
    ChatSession(store, services, thread or store.new_thread_id()).loop()
