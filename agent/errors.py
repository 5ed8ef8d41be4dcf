"""Errors a user can act on. The CLI prints them as one line and exits non-zero."""


class AgentError(Exception):
    """An error with a message meant for the user; `exit_code` is what the CLI exits with."""

    exit_code = 2


class ConfigError(AgentError):
    """Invalid settings or a missing file the settings point at."""


class ProviderError(AgentError):
    """The model provider failed: unreachable server, refused request, unusable reply."""

    exit_code = 3


class InputError(AgentError):
    """Bad input from the user (empty question, unreadable file)."""
