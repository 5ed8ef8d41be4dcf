"""The report: its model (`report.json` is the machine-readable truth), what it is built from, the checks
computed from a run, and its renderings (Markdown with figures, self-contained HTML)."""
