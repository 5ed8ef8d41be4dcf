"""The `agent` command: one module per command group (`app.py` mounts them), shared options in `options.py`,
and the terminal views of a run (`progress.py`) and of a conversation (`chat_session.py`)."""
