"""`python -m agent.cli …` runs the `agent` command."""

from agent.cli.app import main

main()
