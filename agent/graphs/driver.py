"""The one loop that drives a graph to its end: stream it, show its progress events, answer its interrupts.

Used by `agent ask` (the research graph) and `agent chat` (the chat graph). An interrupt (the approval
question of an experiment) pauses the stream; `on_interrupt(payload)` answers it and the run resumes from
its checkpoint with that answer.
"""

from __future__ import annotations

from typing import Any, Callable

from langgraph.types import Command

from agent.graphs.context import RunContext

OnEvent = Callable[[dict], None]
OnInterrupt = Callable[[Any], Any]


def drive(graph, start: Any, config: dict, context: RunContext, *, on_event: OnEvent | None = None,
          on_interrupt: OnInterrupt, cancelled: Callable[[], bool] | None = None) -> None:
    """Run `graph` from `start` (an input, a `Command`, or None to go on from the checkpoint) until it ends.

    `cancelled()` is asked at every event: a Ctrl-C caught inside the graph's worker threads cannot be lost."""
    pending = start
    while True:
        interrupts = []
        for mode, chunk in graph.stream(pending, config, context=context, stream_mode=["custom", "updates"]):
            if cancelled is not None and cancelled():
                raise KeyboardInterrupt
            if mode == "custom":
                if on_event is not None:
                    on_event(chunk)
            elif "__interrupt__" in chunk:
                interrupts.extend(chunk["__interrupt__"])
        if not interrupts:
            return
        pending = Command(resume=on_interrupt(interrupts[0].value))


def resume_command(graph, config: dict, on_interrupt: OnInterrupt) -> Command | None:
    """How to go on with a checkpointed run: the answer to the interrupt it stopped at, or None (continue)."""
    interrupted = graph.get_state(config).interrupts
    return Command(resume=on_interrupt(interrupted[0].value)) if interrupted else None
