"""Where runs and threads are kept: LangGraph's SQLite checkpoints, with an index of research runs and chat
threads, in the data directory."""
