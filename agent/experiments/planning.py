"""From the model's proposal to a spec the worker can run: only the whitelisted fields come from the model."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from agent.errors import ConfigError
from agent.records import ExperimentProposal
from tools.experiments.spec import TASK_LANGUAGES, ExperimentSpec, parse_spec

_ABOUT_TRANSFER = re.compile(r"cross-?lingual|multilingual|zero-?shot|\bxnli\b|paws-?x|xtreme|transfer", re.I)


def is_about_transfer(question: str) -> bool:
    """Whether a transfer experiment could bear on the question at all (no model call for the rest)."""
    return bool(_ABOUT_TRANSFER.search(question))


def spec_from_proposal(proposal: ExperimentProposal, defaults: dict | None = None) -> ExperimentSpec | None:
    """The spec: the user's defaults, with only the whitelisted fields (task, languages) from the model;
    None when the proposal leaves no language besides English."""
    languages = [
        lang for lang in dict.fromkeys(["en", *proposal.eval_languages]) if lang in TASK_LANGUAGES[proposal.task]
    ]
    if len(languages) < 2:
        return None
    return parse_spec({**(defaults or {}), "task": proposal.task, "train_language": "en", "eval_languages": languages,
                       "name": f"{proposal.task} zero-shot from English: {', '.join(languages)}"})


def experiment_defaults(path: Path | None) -> dict:
    """The spec fields of AGENT_EXPERIMENT_DEFAULTS (YAML); {} when it is not set."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"AGENT_EXPERIMENT_DEFAULTS: {path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"AGENT_EXPERIMENT_DEFAULTS: {path} is missing or not a mapping of spec fields")
    return data
