"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol from a script.

The project's real `openai` client code talks to it over TCP. A *script* is a function
`request_json -> Reply` that decides each answer; `research_script` below answers every call the
research graph makes. It recognises a request by the response schema it asks for (or, for a label
call, the logprobs it asks for) and reads its data from the prompts' tagged blocks (`<question>`,
`<abstract>`, `<claim>`, `<passage>`, `<conversation>`, ...: see `prompts/__init__.py`), never from
the prompts' wording, so editing a prompt's text cannot break a graph test. Runs are deterministic.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    content: str = ""
    top_logprobs: list[tuple[str, float]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


Script = Callable[[dict], Reply]


class ScriptedChatServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                server.requests.append(request)
                reply = server.script(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._send(reply.status, {"error": {"message": reply.content or "scripted error"}}, reply.headers)
                    return
                if request.get("stream"):
                    self._stream(request, reply)
                    return
                self._send(200, _completion(request, reply))

            def _stream(self, request: dict, reply: Reply) -> None:
                """Server-sent events, one word a chunk, then the usage chunk and [DONE]."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                base = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0,
                        "model": request.get("model", "scripted")}
                words = re.findall(r"\S+\s*", reply.content)
                for word in words:
                    chunk = {**base, "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                usage = _completion(request, reply)["usage"]
                done = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "ScriptedChatServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _completion(request: dict, reply: Reply) -> dict:
    prompt_tokens = sum(len(m.get("content", "").split()) for m in request.get("messages", []))
    choice: dict = {"index": 0, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": reply.content}, "logprobs": None}
    if request.get("logprobs"):
        n = request.get("top_logprobs") or 0
        top = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in reply.top_logprobs[:n]]
        first = top[0] if top else {"token": reply.content, "logprob": 0.0, "bytes": list(reply.content.encode())}
        choice["logprobs"] = {"content": [{**first, "top_logprobs": top}]}
    return {
        "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": request.get("model", "scripted"),
        "choices": [choice],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": max(1, len(reply.content.split())),
                  "total_tokens": prompt_tokens + max(1, len(reply.content.split()))},
    }


# -- the research script ------------------------------------------------------------------------
def _schema(request: dict) -> dict:
    response_format = request.get("response_format") or {}
    return response_format.get("json_schema") or {}


def _schema_name(request: dict) -> str:
    return _schema(request).get("name", "")


def _user_text(request: dict) -> str:
    return next((m["content"] for m in reversed(request["messages"]) if m["role"] == "user"), "")


def tagged(text: str, tag: str) -> str:
    """The content of the prompt's `<tag …>…</tag>` block ("" when there is none)."""
    match = re.search(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", text, flags=re.DOTALL)
    return match.group(1).strip() if match else ""


def _max_items(request: dict, field: str) -> int:
    return _schema(request)["schema"]["properties"][field]["maxItems"]


def _word_overlap(text: str, other: str) -> float:
    words = set(re.findall(r"[a-z]{5,}", text.lower()))
    return len(words & set(re.findall(r"[a-z]{5,}", other.lower()))) / max(1, len(words))


def _label_reply(text: str) -> Reply:
    """A label call: a review criterion's score (`<answer>`), a judgment (`<claim>` against a `<passage>`), or a
    claim's relevance to the `<question>`; decided by the words the blocks share."""
    claim, passage = tagged(text, "claim"), tagged(text, "passage")
    if tagged(text, "answer"):
        if "do not study" in tagged(text, "answer"):
            return Reply("5", [("5", -0.2), ("4", -1.8)])  # a reviewer fooled by a non-answer: the caps must hold
        return Reply("4", [("4", -0.36), ("3", -1.6), ("5", -2.3)])
    if passage:
        if _word_overlap(claim, passage) > 0.6:
            return Reply("SUP", [("SUP", -0.11), ("NOT", -2.4), ("REF", -4.0)])
        return Reply("NOT", [("NOT", -0.22), ("SUP", -1.9), ("REF", -3.5)])
    overlap = _word_overlap(tagged(text, "question"), claim)
    if overlap > 0.3:
        return Reply("DIRECT", [("DIRECT", -0.2), ("REL", -1.8), ("BACK", -3.0)])
    if overlap > 0.1:
        return Reply("REL", [("REL", -0.3), ("DIRECT", -1.6), ("BACK", -2.5)])
    return Reply("BACK", [("BACK", -0.3), ("REL", -1.5), ("DIRECT", -3.0)])


def research_script(request: dict) -> Reply:
    """Deterministic answers for every call of the research and verifier graphs."""
    name = _schema_name(request)
    text = _user_text(request)
    if request.get("logprobs"):
        return _label_reply(text)
    if name == "SearchPlan":
        question = tagged(text, "question")
        return Reply(json.dumps({
            "sub_questions": [f"What is known about: {question}", "Which languages and tasks were tested?"],
            "method_query": "intermediate-task training multilingual",
            "task_query": "semantic textual similarity multilingual",
            "setting_query": "low-resource languages transfer",
            "broad_query": "zero-shot cross-lingual transfer",
        }))
    if name == "ExtractionOutput":
        sentences = re.findall(r"^\[(\d+)\] (.+)$", tagged(text, "abstract"), flags=re.MULTILINE)
        limit = _max_items(request, "claims")
        claims = [{"sentence": int(number), "claim": sentence, "kind": "result"}
                  for number, sentence in sentences[-limit:]]
        return Reply(json.dumps({"claims": claims}))
    if name == "SynthesisOutput":
        rows = re.findall(r"^(C\d+) \|[^|]*\|[^|]*\|[^|]*\| (.+)$", tagged(text, "claims"), flags=re.MULTILINE)
        ids = [claim_id for claim_id, _ in rows]
        return Reply(json.dumps({
            "question_focus": " ".join(rows[0][1].split()[:4]),
            "focus_claim_ids": ids[:1],
            "direct_answer": f"Only {ids[0]} speaks to the question directly [{ids[0]}, C999].",
            "findings": [{"statement": rows[0][1], "claim_ids": ids[:1]},
                         {"statement": "The papers found bear on the question only indirectly", "claim_ids": ids[:3]},
                         {"statement": "Transfer is studied across many languages.", "claim_ids": ids[-1:]}],
            "not_settled": ["No paper found tests the exact setting of the question.",
                            "Whether the gains hold for Swahili on XNLI."],
        }))
    if request.get("stream"):
        return Reply(_chat_answer(text), delay=6.0 if "slow" in _chat_question(text).lower() else 0.0)
    if name == "ClaimTestProposal":  # the languages the claim names: sources when it speaks of sources
        claim = tagged(text, "claim")
        names = {"English": "en", "German": "de", "Russian": "ru", "French": "fr", "Swahili": "sw", "Urdu": "ur"}
        named = [code for word, code in names.items() if word in claim]
        if "transfer more effectively" in claim or "source" in claim:
            return Reply(json.dumps({"comparison": "source_languages", "better": [c for c in named if c != "en"],
                                     "worse": ["en"]}))
        return Reply(json.dumps({"comparison": "target_languages" if len(named) > 1 else "none",
                                 "better": named[:1], "worse": named[1:]}))
    if name == "ExperimentProposal":  # proposes a run only when the question asks for an experiment
        question = tagged(text, "question")
        return Reply(json.dumps({"run_experiment": "experiment" in question.lower(), "task": "xnli",
                                 "eval_languages": ["de", "sw"], "reason": "The question is about transfer."}))
    return Reply(json.dumps({}))


# -- the chat script -------------------------------------------------------------------------------
# The chat's plan is the program's (agent/graphs/chat/intent.py); the model only writes literature answers
# from the numbered passages of `chat_answer.j2`.
_PASSAGE = re.compile(r"^(?:\[(\d+)\] )?arXiv:(\S+) \((.+), (?:\d{4}|n\.d\.)\): \u201c(.+)\u201d$", re.MULTILINE)


def _passages(text: str) -> list[tuple[str, str, str, str]]:
    """(list number, paper id, title, sentence) of each passage the answer prompt shows."""
    return _PASSAGE.findall(tagged(text, "passages"))


def _chat_question(text: str) -> str:
    return tagged(text, "question")


def _chat_answer(text: str) -> str:
    """Restates the first passages with their citations, then adds what a careless model adds: a sentence no
    paper backs (the grounding check must leave it out) and an invented id (it must never be shown)."""
    question = _chat_question(text).lower()
    passages = _passages(text)
    for ordinal, number in (("first", "1"), ("second", "2")):
        if f"{ordinal} paper" in question:
            hit = next((p for p in passages if p[0] == number), None)
            return f"The {ordinal} paper was arXiv:{hit[1]} ({hit[2]})." if hit else "I do not know."
    if "which of those" in question:
        found = tagged(text, "mentions").split("Not mentioned in", 1)[0]
        hits = re.findall(r"arXiv:(\S+) \(", found)
        return ("Of those, " + ", ".join(f"arXiv:{pid}" for pid in dict.fromkeys(hits)) + " used it."
                if hits else "None of those papers mention it.")
    if not passages:
        return "I have nothing to add."
    cited = list(dict.fromkeys((pid, sentence) for _, pid, _, sentence in passages))[:3]
    restated = " ".join(f"{sentence.rstrip('.')} (arXiv:{pid})." for pid, sentence in cited)
    return f"{restated} Quantum gravity fully explains all of this. It is also shown by arXiv:9999.99999."
