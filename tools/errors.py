"""Errors a user can act on, raised by the tools; the CLI prints the message as one line and exits with `exit_code`.

They live here, at the bottom, so that every tool can be read, used and tested without the agent above it.
`exit_code` names the kind of failure: 2 for the user's own input or settings, 3 for an outside service.
"""


class UserError(Exception):
    """An error with a message meant for the user."""

    exit_code = 2


class ConfigError(UserError):
    """Invalid settings or a missing file the settings point at."""


class InputError(UserError):
    """Bad input from the user (empty question, unreadable file)."""


class ProviderError(UserError):
    """The model provider failed: unreachable server, refused request, unusable reply."""

    exit_code = 3
