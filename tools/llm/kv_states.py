"""Snapshots of the llama.cpp KV cache, so a prompt prefix is evaluated once and reused later.

The verifier judges every claim against the same few passages (the abstracts of the papers read),
with prompts shaped `system + passage + claim`. Keeping the KV state of recent prompts and restoring
the one sharing the longest prefix with a new prompt means only the claim is evaluated, not the
passage again. Only sequence 0's KV cells are copied (about 30 KB a token for a 1.5B model), not
llama-cpp-python's full `save_state`, which also copies a logits buffer of hundreds of MB.
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict

import llama_cpp

_SEQUENCE = 0


def common_prefix(a, b) -> int:
    shared = 0
    for x, y in zip(a, b):
        if x != y:
            break
        shared += 1
    return shared


class KVStateCache:
    def __init__(self, llm: "llama_cpp.Llama", capacity: int = 24) -> None:
        self.llm = llm
        self.capacity = capacity
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self.hits = 0

    def save(self) -> None:
        """Remember the KV state of the tokens now in the context."""
        ctx = self.llm._ctx.ctx
        tokens = tuple(int(t) for t in self.llm._input_ids[: self.llm.n_tokens])
        if not tokens or tokens in self._states:
            return
        size = llama_cpp.llama_state_seq_get_size(ctx, _SEQUENCE)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, _SEQUENCE)
        if written <= 0:
            return
        self._states[tokens] = bytes(buffer)[:written]
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)

    def restore_best(self, tokens: list[int]) -> int:
        """Load the saved state sharing the longest prefix with `tokens`, if it beats what the context
        holds now; return the length of the prefix the context then shares with `tokens`."""
        current = common_prefix(self.llm._input_ids[: self.llm.n_tokens], tokens)
        best_key, best_shared = None, current
        for key in self._states:
            shared = common_prefix(key, tokens)
            if shared > best_shared:
                best_key, best_shared = key, shared
        if best_key is None:
            return current
        data = self._states[best_key]
        self._states.move_to_end(best_key)
        self.llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        source = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(self.llm._ctx.ctx, source, len(data), _SEQUENCE) == 0:
            self.llm.reset()  # could not restore: start from an empty context
            return 0
        self.llm.input_ids[: len(best_key)] = best_key
        self.llm.n_tokens = len(best_key)
        self.hits += 1
        return best_shared
