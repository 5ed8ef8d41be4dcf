"""The chat graph: one turn of a research conversation; its tools are declared once in `tools.py`."""
