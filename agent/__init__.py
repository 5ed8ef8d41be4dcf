"""Research assistant for ML/NLP scientists: graphs, settings, CLI and report."""

__version__ = "0.1.0"
