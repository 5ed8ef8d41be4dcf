"""The three graphs and what runs them.

- `research/`: one question in, a cited report out (`agent ask`);
- `verifier/`: one claim in, a verdict with quoted evidence out (every claim of a run, `agent verify`, the evals);
- `chat/`: one turn of a conversation, tool by tool (`agent chat`).

Shared by all three: the run context nodes receive (`context.py`), node bookkeeping (`tracking.py`), typed
progress events (`events.py`), the approval interrupt (`approval.py`) and the loop that drives a graph to its
end (`driver.py`).
"""
