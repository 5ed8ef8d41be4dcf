"""The embedded default: a GGUF instruct model run in-process by llama-cpp-python.

Every structured call is constrained by the JSON schema (a grammar), since a small model without
one can loop into garbage. Label probabilities are read from the logits of the first reply token,
computed directly, so the model needs no `logits_all` buffer (which would cost n_ctx x vocab floats).
The prompt prefix in the KV cache is reused across calls (same system prompt, same paper).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from tools.llm.base import ChatResult, LLMProvider, Message, ProviderUnavailable

_LOCAL_TOP_N = 200
_CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@contextlib.contextmanager
def _quiet_stderr():
    """llama.cpp prints load logs straight to fd 2; keep the terminal clean."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class LocalProvider(LLMProvider):
    name = "local"
    serial_calls = True  # one llama context: calls from fan-out threads take turns

    def __init__(self, model_path: Path, *, model_name: str | None = None, n_ctx: int = 4096,
                 n_threads: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            from tools.llm.kv_states import KVStateCache
        except ImportError:
            raise ProviderUnavailable(
                "the local provider needs llama-cpp-python: run `make setup` (or pip install -e '.[local]')"
            ) from None
        self.model = model_name or Path(model_path).stem
        self.model_path = Path(model_path)
        try:
            with _quiet_stderr():
                self.llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads or os.cpu_count(),
                                 n_batch=512, seed=self.seed, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ProviderUnavailable(f"cannot load model {model_path}: {exc}") from None
        template = self.llm.metadata.get("tokenizer.chat_template") or _CHATML
        eos = self.llm._model.token_get_text(self.llm.token_eos()) if self.llm.token_eos() != -1 else ""
        bos = self.llm._model.token_get_text(self.llm.token_bos()) if self.llm.token_bos() != -1 else ""
        self._formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
        self._states = KVStateCache(self.llm)

    def _chat(self, messages: list[Message], *, json_schema: dict | None, schema_name: str,
              max_tokens: int, temperature: float, seed: int, top_logprobs: int | None) -> ChatResult:
        if top_logprobs:
            return self._first_token_distribution(messages, top_logprobs)
        kwargs: dict = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "seed": seed}
        if json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        try:
            response = self.llm.create_chat_completion(**kwargs)
        except ValueError as exc:  # e.g. prompt longer than the context window
            raise ProviderUnavailable(f"local model call failed: {exc}") from None
        usage = response.get("usage") or {}
        return ChatResult(
            content=response["choices"][0]["message"]["content"] or "",
            prompt_tokens=usage.get("prompt_tokens", 0), completion_tokens=usage.get("completion_tokens", 0),
        )

    def _stream(self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int):
        try:
            chunks = self.llm.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                     temperature=temperature, seed=seed, stream=True)
            pieces = 0
            for chunk in chunks:
                text = chunk["choices"][0]["delta"].get("content") if chunk.get("choices") else None
                if text:
                    pieces += 1
                    yield text
        except ValueError as exc:
            raise ProviderUnavailable(f"local model call failed: {exc}") from None
        yield ChatResult(content="", prompt_tokens=0, completion_tokens=pieces)

    def _first_token_distribution(self, messages: list[Message], top_n: int) -> ChatResult:
        # Read far more candidates than a remote API returns: the label mass is then exact to ~1e-6,
        # and batch-vs-single-token rounding cannot move a label token in or out of the list.
        top_n = max(top_n, _LOCAL_TOP_N)
        prompt = self._formatter(messages=messages).prompt
        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        if len(tokens) >= self.llm.n_ctx():
            raise ProviderUnavailable(f"prompt of {len(tokens)} tokens exceeds the context window ({self.llm.n_ctx()})")
        self._states.restore_best(tokens)
        reused = self._reuse_prefix(tokens)
        self.llm.eval(tokens[reused:])
        self._states.save()
        logits = np.ctypeslib.as_array(self.llm._ctx.get_logits_ith(-1), shape=(self.llm.n_vocab(),)).astype(np.float64)
        log_probs = logits - (logits.max() + np.log(np.exp(logits - logits.max()).sum()))
        best = np.argpartition(-log_probs, top_n)[:top_n]
        best = best[np.argsort(-log_probs[best])]
        top = [(self.llm.detokenize([int(i)]).decode("utf-8", errors="ignore"), float(log_probs[i])) for i in best]
        return ChatResult(content=top[0][0], prompt_tokens=len(tokens) - reused, completion_tokens=1,
                          first_token_top_logprobs=top)

    def _reuse_prefix(self, tokens: list[int]) -> int:
        """Keep the longest cached prefix shared with `tokens` (at least one token is re-evaluated)."""
        from tools.llm.kv_states import common_prefix

        shared = min(common_prefix(self.llm._input_ids[: self.llm.n_tokens], tokens), len(tokens) - 1)
        if shared > 0 and self.llm._ctx.kv_cache_seq_rm(-1, shared, -1):
            self.llm.n_tokens = shared
            return shared
        self.llm.reset()
        return 0

    def close(self) -> None:
        with self._call_lock:
            self.llm.close()
