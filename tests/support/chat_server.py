"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol from a script.

The project's real `openai` client code talks to it over TCP. A *script* is a function
`request_json -> Reply` that decides each answer; `research_script` below answers every call the
research graph makes (by the JSON schema name it asks for, or a label call with logprobs), derived
from the prompt itself, so runs are deterministic.
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


Script = Callable[[dict], Reply]


class ScriptedChatServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
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
                    self._send(reply.status, {"error": {"message": reply.content or "scripted error"}})
                    return
                self._send(200, _completion(request, reply))

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
def _schema_name(request: dict) -> str:
    response_format = request.get("response_format") or {}
    return (response_format.get("json_schema") or {}).get("name", "")


def _user_text(request: dict) -> str:
    return next((m["content"] for m in reversed(request["messages"]) if m["role"] == "user"), "")


def research_script(request: dict) -> Reply:
    """Deterministic answers for every call of the research and verifier graphs."""
    name = _schema_name(request)
    text = _user_text(request)
    if request.get("logprobs"):
        claim = text.split("Claim:", 1)[-1]
        passage = text.split("<passage", 1)[-1].split("</passage>", 1)[0]
        words = set(re.findall(r"[a-z]{5,}", claim.lower()))
        overlap = len(words & set(re.findall(r"[a-z]{5,}", passage.lower()))) / max(1, len(words))
        if overlap > 0.6:
            return Reply("SUP", [("SUP", -0.11), ("NOT", -2.4), ("REF", -4.0)])
        return Reply("NOT", [("NOT", -0.22), ("SUP", -1.9), ("REF", -3.5)])
    if name == "SearchPlan":
        question = text.split("Research question:", 1)[-1].split("\n", 1)[0].strip()
        return Reply(json.dumps({
            "sub_questions": [f"What is known about: {question}", "Which languages and tasks were tested?"],
            "method_query": "intermediate-task training multilingual",
            "task_query": "semantic textual similarity multilingual",
            "setting_query": "low-resource languages transfer",
            "broad_query": "zero-shot cross-lingual transfer",
        }))
    if name == "ExtractionOutput":
        sentences = re.findall(r"^\[(\d+)\] (.+)$", text, flags=re.MULTILINE)
        limit = int(re.search(r"Extract at most (\d+) claims", text).group(1))
        claims = [{"sentence": int(number), "claim": sentence, "kind": "result"}
                  for number, sentence in sentences[-limit:]]
        return Reply(json.dumps({"claims": claims}))
    if name == "SynthesisOutput":
        rows = re.findall(r"^(C\d+) \|[^|]*\|[^|]*\|[^|]*\| (.+)$", text, flags=re.MULTILINE)
        ids = [claim_id for claim_id, _ in rows]
        return Reply(json.dumps({
            "question_focus": " ".join(rows[0][1].split()[:4]),
            "focus_claim_ids": ids[:1],
            "direct_answer": f"Only {ids[0]} speaks to the question directly [{ids[0]}, C999].",
            "findings": [{"statement": "The papers found bear on the question only indirectly", "claim_ids": ids[:3]},
                         {"statement": "Transfer is studied across many languages.", "claim_ids": ids[-1:]}],
            "not_settled": ["No paper found tests the exact setting of the question."],
        }))
    if name == "ExperimentProposal":  # proposes a run only when the question asks for an experiment
        question = text.split("Research question:", 1)[-1].strip()
        return Reply(json.dumps({"run_experiment": "experiment" in question.lower(), "task": "xnli",
                                 "eval_languages": ["de", "sw"], "reason": "The question is about transfer."}))
    if name == "ReviewOutput":
        seed = request.get("seed") or 0
        return Reply(json.dumps({"score": 3 + seed % 2, "rationale": "Answers the question; coverage is thin."}))
    return Reply(json.dumps({}))
