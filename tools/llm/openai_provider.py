"""OpenAI-compatible provider: OpenAI, vLLM, Ollama, llama.cpp's server, or any base URL."""

from __future__ import annotations

import openai

from tools.errors import ProviderError
from tools.llm.base import ChatResult, LLMProvider, Message, ProviderUnavailable


class OpenAIProvider(LLMProvider):
    name = "openai"

    def __init__(self, model: str, *, api_key: str | None, base_url: str | None, timeout: float = 120.0,
                 max_retries: int = 2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.base_url = base_url or "https://api.openai.com/v1"
        # Local servers (vLLM, Ollama) accept any key; OpenAI itself needs a real one.
        if not api_key and base_url is None:
            raise ProviderUnavailable(
                "AGENT_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
            )
        self.client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout,
                                    max_retries=max_retries)

    def _chat(self, messages: list[Message], *, json_schema: dict | None, schema_name: str,
              max_tokens: int, temperature: float, seed: int, top_logprobs: int | None) -> ChatResult:
        kwargs: dict = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                        "temperature": temperature, "seed": seed}
        if json_schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": json_schema, "strict": False},
            }
        if top_logprobs:
            kwargs["logprobs"] = True
            kwargs["top_logprobs"] = top_logprobs
        try:
            response = self.client.chat.completions.create(**kwargs)
        except openai.APIConnectionError as exc:
            raise ProviderUnavailable(
                f"cannot reach the model server at {self.base_url} ({type(exc).__name__})"
            ) from None
        except openai.AuthenticationError:
            raise ProviderUnavailable(f"the model server at {self.base_url} refused the API key") from None
        except openai.NotFoundError:
            raise ProviderUnavailable(
                f"the model server at {self.base_url} does not know model '{self.model}'"
            ) from None
        except openai.APIStatusError as exc:
            raise ProviderError(f"the model server answered HTTP {exc.status_code}: {_short(exc.message)}") from None
        if not response.choices:
            raise ProviderError("the model server returned no choices")
        choice = response.choices[0]
        top: list[tuple[str, float]] = []
        if top_logprobs and choice.logprobs and choice.logprobs.content:
            first = choice.logprobs.content[0]
            top = [(item.token, item.logprob) for item in (first.top_logprobs or [])] or [(first.token, first.logprob)]
        usage = response.usage
        return ChatResult(
            content=choice.message.content or "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            first_token_top_logprobs=top,
        )


    def _stream(self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int):
        try:
            chunks = self.client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens, temperature=temperature, seed=seed,
                stream=True, stream_options={"include_usage": True})
            prompt_tokens = completion_tokens = 0
            for chunk in chunks:
                if chunk.usage:
                    prompt_tokens, completion_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APIConnectionError as exc:
            raise ProviderUnavailable(
                f"cannot reach the model server at {self.base_url} ({type(exc).__name__})"
            ) from None
        except openai.APIStatusError as exc:
            raise ProviderError(f"the model server answered HTTP {exc.status_code}: {_short(exc.message)}") from None
        yield ChatResult(content="", prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
