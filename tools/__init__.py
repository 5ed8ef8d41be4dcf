"""Everything the graphs call out to, each behind a small typed interface."""
