"""`agent chat`: a research conversation in the terminal, with memory per thread."""

from __future__ import annotations

import time
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from agent.cli.options import DataDir, Model, Offline, Provider, settings_from
from agent.errors import InputError
from agent.services import Services

console = Console(highlight=False)


def chat(
    thread: Optional[str] = typer.Option(None, "--thread", help="Resume this thread (see --list)."),
    list_threads: bool = typer.Option(False, "--list", help="List threads: id, first question, last activity."),
    provider: Provider = None,
    model: Model = None,
    offline: Offline = False,
    data_dir: DataDir = None,
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
    services = Services(settings=settings)
    _ = services.provider  # load the model (or fail with one clear line) before the first prompt
    enable_line_editing(settings.data_dir / "chat_history")
    ChatSession(store, services, thread or store.new_thread_id()).loop()
