"""Experiments as the agent plans them: a spec from the model's proposal, its cost, the approval question, and
results ready for a report. The runs themselves are `tools/experiments/`."""
