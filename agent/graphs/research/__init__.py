"""The research graph: one question in, a cited and verified report out (`agent ask`)."""
