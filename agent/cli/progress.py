"""Live terminal progress for a research run, fed by the graph's stream events."""

from __future__ import annotations

import time
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.text import Text

from agent.graphs.events import STAGE_LABELS


class RunProgress:
    def __init__(self, console: Console, max_papers: int) -> None:
        self.console = console
        self.started = time.perf_counter()
        self.stage = "starting"
        self.papers = 0
        self.papers_extracted = 0
        self.claims = 0
        self.claims_planned = 0
        self.verified = 0
        self.detail = ""
        self.max_papers = max_papers
        self.live = Live(console=console, refresh_per_second=4, transient=True, get_renderable=self._render)

    def __enter__(self) -> "RunProgress":
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    @contextmanager
    def paused(self):
        """Stop the live line while the user answers a question on the terminal."""
        self.live.stop()
        try:
            yield
        finally:
            self.live.start()

    def _render(self) -> Text:
        elapsed = time.perf_counter() - self.started
        line = Text()
        line.append(f"{STAGE_LABELS.get(self.stage, self.stage)}", style="bold cyan")
        line.append(f"  papers {self.papers_extracted}/{self.papers or self.max_papers}")
        line.append(f"  claims {self.claims}")
        if self.claims_planned:
            line.append(f"  verified {self.verified}/{self.claims_planned}")
        line.append(f"  {elapsed:.0f}s", style="dim")
        if self.detail:
            line.append(f"  {self.detail}", style="dim")
        return line

    def on_event(self, event: dict) -> None:
        stage = event.get("stage", "")
        if stage == "warning":
            self.console.print(f"[yellow]warning:[/yellow] {event['message']}")
            return
        self.stage = stage or self.stage
        self.detail = ""
        if stage == "plan":
            self.console.print("[bold]queries:[/bold] " + "; ".join(event["queries"]))
        elif stage == "read":
            self.papers = event["papers"]
        elif stage == "extract":
            self.papers_extracted += 1
            self.claims += event["claims"]
            self.detail = f"{event['paper_id']}: {event['claims']} claims"
        elif stage == "collect":
            self.claims_planned = event["claims"]
        elif stage == "verify":
            self.verified += 1
            self.detail = f"{event['claim_id']} {event['verdict']} ({event['confidence']:.2f})"
        elif stage == "experiment":
            self.detail = " ".join(str(event[k]) for k in ("job_id", "name", "status", "estimate") if event.get(k))
        elif stage == "review":
            self.detail = f"{event['criterion']}: {event['score']:.1f}/5"
