"""Tiny experiment specs for the backend tests: the real worker and the real converted encoder, a few examples."""

from __future__ import annotations

from tools.experiments.spec import ExperimentSpec, parse_spec


def tiny_spec(**overrides) -> ExperimentSpec:
    """XNLI, 16 English training pairs, 16 evaluation pairs in en and de: about 10 s on two CPU cores."""
    fields = {
        "task": "xnli", "eval_languages": ["en", "de"], "seeds": [1],
        "hyper_parameters": {"epochs": 1, "batch_size": 8, "per_device_batch_size": 8, "max_length": 64,
                             "learning_rate": 5e-5},
        "data": {"max_train_examples": 16, "max_eval_examples": 16},
        "resources": {"cpus": 2, "timeout_minutes": 5, "pending_timeout_minutes": 2},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(fields.get(key), dict):
            fields[key] = {**fields[key], **value}
        else:
            fields[key] = value
    return parse_spec(fields)
