"""On-disk cache of model responses, keyed by (provider, model, messages, parameters).

A repeated run answers every call from here and makes no model call. Entries are JSON files named by the
sha256 of the key; writes are atomic; an unreadable entry is a miss. Keys and entries hold the request and
the reply only, never credentials.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from tools.files import write_text_atomically
from tools.llm.base import ChatResult


class ResponseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(provider: str, model: str, messages: list[dict], parameters: dict) -> str:
        payload = json.dumps({"provider": provider, "model": model, "messages": messages, "parameters": parameters},
                             sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> ChatResult | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            data["first_token_top_logprobs"] = [tuple(pair) for pair in data.get("first_token_top_logprobs", [])]
            return ChatResult(**data)
        except (OSError, ValueError, TypeError):
            return None

    def put(self, key: str, result: ChatResult) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(path, json.dumps(asdict(result), ensure_ascii=False))
        except OSError:
            pass  # a cache that cannot be written only costs a later model call
