"""Eval suites, metrics and runners: how far to trust the assistant with a given model."""
