"""`ExperimentSpec`: one zero-shot cross-lingual transfer run, loadable from YAML, with bounded hyper-parameters.

Reference recipe (XTREME, Hu et al. 2020): fine-tune on English only, learning rate 2e-5, 5 epochs, maximum
length 128, effective batch 32; evaluate on every other language with no target-language data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tools.errors import InputError

Task = Literal["pawsx", "xnli"]
Backend = Literal["local", "ray", "slurm"]
TASK_LANGUAGES: dict[str, tuple[str, ...]] = {
    "pawsx": ("en", "de", "es", "fr", "ja", "ko", "zh"),
    "xnli": ("en", "fr", "es", "de", "el", "bg", "ru", "tr", "ar", "vi", "th", "zh", "hi", "sw", "ur"),
}
TASK_LABELS: dict[str, tuple[str, ...]] = {
    "pawsx": ("0", "1"),
    "xnli": ("entailment", "neutral", "contradiction"),
}


class HyperParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    learning_rate: float | None = Field(
        None, ge=1e-6, le=1e-3, description="None: 2e-5 (XTREME) for base and large models, 6e-5 for small ones")
    epochs: float = Field(5, gt=0, le=20)
    batch_size: int = Field(32, ge=1, le=512, description="effective batch: per-step batch x accumulation")
    per_device_batch_size: int = Field(32, ge=1, le=512)
    max_length: int = Field(128, ge=16, le=512)
    warmup_ratio: float = Field(0.1, ge=0, le=0.5)
    weight_decay: float = Field(0.01, ge=0, le=0.3)
    freeze_word_embeddings: bool = Field(
        True, description="keep the (multilingual) word embeddings fixed: they hold the cross-lingual alignment, "
                          "and on a CPU their 96M-parameter update is most of a step's cost")

    @model_validator(mode="after")
    def _batch_divides(self) -> "HyperParameters":
        if self.batch_size % self.per_device_batch_size:
            raise ValueError("batch_size must be a multiple of per_device_batch_size (gradient accumulation)")
        return self


SMALL_MODEL_LEARNING_RATE = 6e-5  # measured: at 2e-5, e5-small on ~1k XNLI pairs stays at chance
REFERENCE_LEARNING_RATE = 2e-5


class DataLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    eval_fraction: float = Field(0.5, gt=0, lt=1, description="share of item groups held out for evaluation")
    max_train_examples: int | None = Field(None, ge=8)
    max_eval_examples: int | None = Field(None, ge=8, description="per language")


class Resources(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gpus: int = Field(0, ge=0, le=8)
    cpus: int = Field(2, ge=1, le=128)
    memory_gb: int = Field(8, ge=1, le=1024)
    timeout_minutes: float = Field(60, gt=0, le=24 * 60, description="hard limit on the run; the job is killed")
    pending_timeout_minutes: float = Field(15, gt=0, le=24 * 60,
                                           description="give up when the job has not started by then")


class ExperimentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=120)
    task: Task
    model: str = Field("multilingual-e5-small", min_length=1, max_length=300,
                       description="multilingual-e5-small (bundled), a local Hugging Face directory, or a hub name")
    train_language: str = "en"
    eval_languages: list[str] = Field(min_length=1, max_length=15)
    seeds: list[int] = Field(default_factory=lambda: [42], min_length=1, max_length=5)
    hyper_parameters: HyperParameters = Field(default_factory=HyperParameters)
    data: DataLimits = Field(default_factory=DataLimits)
    resources: Resources = Field(default_factory=Resources)
    backend: Backend = "local"

    @field_validator("eval_languages", mode="before")
    @classmethod
    def _split_languages(cls, value):
        if isinstance(value, str):
            value = [part for part in value.replace(" ", ",").split(",") if part]
        return list(dict.fromkeys(str(v).strip().lower() for v in value))

    @model_validator(mode="after")
    def _languages_exist(self) -> "ExperimentSpec":
        known = TASK_LANGUAGES[self.task]
        unknown = [lang for lang in [self.train_language, *self.eval_languages] if lang not in known]
        if unknown:
            raise ValueError(f"{self.task} has no language {', '.join(unknown)} (it has {', '.join(known)})")
        if not self.name:
            self.name = f"{self.task} zero-shot {self.train_language} -> {','.join(self.eval_languages)}"
        return self

    @property
    def learning_rate(self) -> float:
        """The learning rate the worker uses: the spec's, or the default for the model's size."""
        if self.hyper_parameters.learning_rate is not None:
            return self.hyper_parameters.learning_rate
        return SMALL_MODEL_LEARNING_RATE if "small" in self.model.lower() else REFERENCE_LEARNING_RATE

    def result_fields(self) -> dict:
        """What decides the result: everything but the name, the backend and the resources."""
        return self.model_dump(exclude={"name", "backend", "resources"})

    @property
    def job_id(self) -> str:
        """Same spec, same job: a hash of what decides the result (5 and 5.0 epochs are the same spec)."""
        canonical = json.dumps(_canonical(self.result_fields()), sort_keys=True)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        return f"{self.task}-{digest[:12]}"


def _canonical(value):
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "spec"
    return f"{where}: {error['msg']}"


def parse_spec(data: dict) -> ExperimentSpec:
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"invalid experiment spec: {_first_error(exc)}") from None


def load_spec(path: Path) -> ExperimentSpec:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no experiment spec at {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold a mapping of spec fields (task, model, eval_languages, ...)")
    return parse_spec(data)
