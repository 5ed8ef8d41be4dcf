"""Errors a user can act on. The tools raise them (`tools/errors.py`); the agent raises the same kinds, and the
CLI prints any of them as one line and exits with its `exit_code` (2: input or settings, 3: an outside service)."""

from tools.errors import ConfigError, InputError, ProviderError, UserError

AgentError = UserError  # the name the agent's own code and its callers use for "any error meant for the user"

__all__ = ["AgentError", "ConfigError", "InputError", "ProviderError", "UserError"]
