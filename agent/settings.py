"""One settings object for the whole program, read from the environment and `.env`.

Every variable is documented in `.env.example`. Project variables use the `AGENT_` prefix;
the OpenAI SDK's own `OPENAI_API_KEY` and `OPENAI_BASE_URL` are read as they are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.errors import ConfigError

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "research-agent"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AGENT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    provider: Literal["local", "openai"] = Field(
        "local", description="Which LLM provider runs the graphs: the embedded model or an OpenAI-compatible server."
    )
    model: str = Field(
        DEFAULT_LOCAL_MODEL,
        description="Model name. For `local`: the built-in model's name or a path to any GGUF file. "
        "For `openai`: the model name the server knows.",
    )
    model_sha256: str | None = Field(
        None, description="Expected sha256 of a user-supplied GGUF; checked before loading when set."
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "AGENT_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "AGENT_OPENAI_BASE_URL")
    )
    data_dir: Path = Field(default_factory=default_data_dir, description="Model file, Chroma library, caches.")
    offline: bool = Field(False, description="Never touch the network: bundled arXiv snapshot only.")
    chroma_url: str | None = Field(
        None, description="A Chroma server (`chroma run`), e.g. http://127.0.0.1:8000; unset: a store in the data dir."
    )
    library_lock_timeout: float = Field(
        1800.0, gt=0, description="Seconds to wait for another process using the same library (data dir) to finish."
    )
    arxiv_endpoint: str | None = Field(
        None, description="arXiv API query URL with `{}` for the parameters (a mirror or a test server)."
    )
    arxiv_delay_seconds: float = Field(
        3.0, ge=0.0, description="Seconds between arXiv requests; arXiv asks for at least 3."
    )
    arxiv_max_retries: int = Field(3, ge=0, le=10, description="Retries on 429/5xx/timeouts, with back-off.")
    arxiv_timeout: float = Field(15.0, gt=0, description="Seconds before one arXiv request times out.")
    arxiv_cache_ttl_hours: float = Field(24.0, ge=0, description="How long cached arXiv responses are reused.")
    fetch_full_text: bool = Field(
        True, description="When online, download and index the PDF of each paper read (full-text evidence)."
    )

    ray_address: str | None = Field(
        None, description="Ray dashboard address for --backend ray (default http://127.0.0.1:8265)."
    )
    slurm_cluster: Literal["auto", "slurm", "local"] = Field(
        "auto", description="submitit executor for --backend slurm: auto (slurm when sbatch exists), slurm, local."
    )
    slurm_partition: str | None = Field(None, description="SLURM partition for experiment jobs.")
    experiment_defaults: Path | None = Field(
        None, description="YAML of spec fields for experiments the research graph proposes (model, hyper-parameters, "
                          "data limits, resources, backend); the model chooses only the task and the languages."
    )
    experiment_minutes_without_asking: float = Field(
        0.0, ge=0.0, description="Experiments the research graph may start without asking (estimated minutes)."
    )

    cache_responses: bool = Field(
        True, description="Answer repeated model calls from the on-disk response cache (--no-cache: off)."
    )

    budget_model_calls: int | None = Field(None, ge=1, description="Stop a run after this many model calls.")
    budget_tokens: int | None = Field(None, ge=1, description="Stop a run after this many prompt + completion tokens.")
    budget_wall_seconds: float | None = Field(None, gt=0, description="Stop a run after this many seconds.")

    max_papers: int = Field(6, ge=1, le=50, description="Papers read (claims extracted) per run.")
    max_claims_per_paper: int = Field(3, ge=1, le=10)
    extraction: Literal["auto", "model", "sentences"] = Field(
        "auto", description="How claims are extracted: 'model' (the model writes atomic claims from the most "
        "relevant sentences), 'sentences' (the most relevant finding sentences themselves, made self-contained: no "
        "generation), 'auto' (sentences with the embedded model, where generation costs ~30 s a paper on 2 cores; "
        "model otherwise).")
    max_claims: int = Field(16, ge=1, le=200, description="Claims verified per run.")
    judge: Literal["auto", "stack", "cross-encoder", "llm"] = Field(
        "auto", description="Who labels a claim against a passage: the trained cross-encoder, the LLM's label "
        "probabilities, or both stacked; 'auto': the stack where one is fitted for the provider and model, else the "
        "LLM (agent/claims/judging.py).")
    max_evidence_per_claim: int = Field(
        2, ge=0, le=10, description="Passages from other papers judged per claim, besides the source paper."
    )
    max_tokens: int = Field(1024, ge=16, le=32768, description="Cap on completion tokens of one model call.")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    seed: int = 0
    request_timeout: float = Field(120.0, gt=0, description="Seconds before a remote model call times out.")
    n_ctx: int = Field(4096, ge=512, description="Context window of the local model.")
    n_threads: int | None = Field(None, ge=1, description="CPU threads of the local model (default: all cores).")

    @field_validator("openai_base_url", "chroma_url", "ray_address")
    @classmethod
    def _base_url_is_http(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value or None

    @field_validator("arxiv_endpoint")
    @classmethod
    def _endpoint_has_placeholder(cls, value: str | None) -> str | None:
        if value and (not value.startswith(("http://", "https://")) or "{}" not in value):
            raise ValueError("must be an http(s) URL containing {} where the query parameters go")
        return value or None

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def experiments_dir(self) -> Path:
        return self.data_dir / "experiments"

    @property
    def reports_dir(self) -> Path:
        """Where runs started with no output directory of their own (`agent mcp`'s `ask`) write their reports."""
        return self.data_dir / "reports"

    def public_dict(self) -> dict:
        """Settings safe to print or store: the API key is reduced to whether it is set."""
        data = self.model_dump(mode="json", exclude={"openai_api_key"})
        data["openai_api_key_set"] = self.openai_api_key is not None
        return data


_ALIASED = {"openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL"}


def _variable_name(location: tuple) -> str:
    """The environment variable a validation error is about."""
    field = str(location[0]) if location else "settings"
    if field.isupper():
        return field
    return _ALIASED.get(field, f"AGENT_{field.upper()}")


def load_settings(**overrides) -> Settings:
    """Read settings, turning validation errors into one readable line."""
    env_file = os.environ.get("AGENT_ENV_FILE", ".env") or None  # AGENT_ENV_FILE= (empty) reads no file
    try:
        return Settings(_env_file=env_file, **{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{_variable_name(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from None

