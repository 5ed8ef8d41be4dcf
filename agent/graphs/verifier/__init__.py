"""The verifier graph, and how everything else runs it: `verify(claim, context)`."""

from __future__ import annotations

from agent.graphs.context import RunContext
from agent.graphs.verifier.graph import graph
from agent.graphs.verifier.state import Passage
from agent.records import Claim, VerifiedClaim


def verify(claim: Claim, context: RunContext, passages: list[Passage] | None = None) -> VerifiedClaim:
    """Run the verifier graph on one claim: against the evidence it gathers itself, or against `passages`."""
    state = {"claim": claim, **({"passages": passages} if passages else {})}
    return graph.invoke(state, context=context)["result"]
