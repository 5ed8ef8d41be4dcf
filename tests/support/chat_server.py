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
    if name == "ChatStep":
        return Reply(json.dumps(_chat_step(text)))
    if request.get("stream"):
        return Reply(_chat_answer(text), delay=6.0 if "slow" in _last_user_line(text).lower() else 0.0)
    if name == "ExperimentProposal":  # proposes a run only when the question asks for an experiment
        question = tagged(text, "question")
        return Reply(json.dumps({"run_experiment": "experiment" in question.lower(), "task": "xnli",
                                 "eval_languages": ["de", "sw"], "reason": "The question is about transfer."}))
    return Reply(json.dumps({}))


# -- the chat script -------------------------------------------------------------------------------
_ARXIV_ID = re.compile(r"\b\d{4}\.\d{4,5}\b")
_JOB_ID = re.compile(r"\b(?:xnli|pawsx)-[0-9a-f]{12}\b")
_LANGUAGES = {"german": "de", "french": "fr", "swahili": "sw", "spanish": "es", "chinese": "zh"}


def _conversation_lines(text: str) -> list[str]:
    return tagged(text, "conversation").splitlines()


def _last_user_line(text: str) -> str:
    return next((line[len("USER: "):] for line in reversed(_conversation_lines(text)) if line.startswith("USER: ")), "")


def _papers(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\[\d+\] arXiv:(\S+) (.+)$", tagged(text, "papers"), flags=re.MULTILINE)


def _chat_step(text: str) -> dict:
    """Tool choice from the newest line: after a tool result, answer; otherwise by what the user asked."""
    if _conversation_lines(text)[-1].startswith("TOOL "):
        return {"action": "answer"}
    user = _last_user_line(text)
    lowered = user.lower()
    if lowered.startswith(("check", "verify")):
        claim = user.split(":", 1)[-1]
        paper = _ARXIV_ID.search(claim)
        claim = _ARXIV_ID.sub("", claim).replace("()", "").strip()
        return {"action": "verify_claim", "claim": claim, "paper_id": paper.group(0) if paper else ""}
    if lowered.startswith("run an experiment"):
        task = "pawsx" if "paws" in lowered else "xnli"
        return {"action": "start_experiment", "task": task,
                "eval_languages": [code for name, code in _LANGUAGES.items() if name in lowered]}
    if lowered.startswith(("how is experiment", "cancel experiment")):
        job = _JOB_ID.search(user)
        action = "cancel_experiment" if lowered.startswith("cancel") else "experiment_status"
        return {"action": action, "job_id": job.group(0) if job else ""}
    if lowered.startswith("misfire"):  # a model that picks a tool that stops work when nobody asked for it
        return {"action": "cancel_experiment", "job_id": "xnli-000000000000"}
    if "which of those" in lowered:
        topic = user.rstrip("?").split("used", 1)[-1].strip() or user
        return {"action": "search_library", "query": topic}
    if lowered.startswith("open"):
        paper = _ARXIV_ID.search(user)
        return {"action": "open_paper", "paper_id": paper.group(0) if paper else "0000.00000"}
    if "first paper" in lowered or "second paper" in lowered or "slow" in lowered:
        return {"action": "answer"}
    return {"action": "search_arxiv", "query": user}


def _chat_answer(text: str) -> str:
    user = _last_user_line(text).lower()
    papers = _papers(text)
    tool = next((line for line in reversed(_conversation_lines(text)) if line.startswith("TOOL ")), "")
    if "first paper" in user and papers:
        return f"The first paper was arXiv:{papers[0][0]} ({papers[0][1]})."
    if "second paper" in user and len(papers) > 1:
        return f"The second paper was arXiv:{papers[1][0]} ({papers[1][1]})."
    if "which of those" in user:  # "those": the papers the assistant named in its earlier answers
        earlier = {pid for line in _conversation_lines(text) if line.startswith("ASSISTANT: ")
                   for pid in _ARXIV_ID.findall(line)}
        hits = [pid for pid in _ARXIV_ID.findall(tool) if pid in earlier]
        return ("Of those, " + ", ".join(f"arXiv:{pid}" for pid in dict.fromkeys(hits)) + " used it."
                if hits else "None of those papers mention it.")
    if tool.startswith(("TOOL start_experiment", "TOOL experiment_status", "TOOL cancel_experiment")):
        return "The experiment tool says: " + tool.split("result:", 1)[-1].strip()[:300]
    if tool.startswith("TOOL verify_claim"):
        return "The verifier says: " + tool.split("result:", 1)[-1].strip()[:300]
    if tool.startswith("TOOL search_arxiv") and papers:
        # the last id is invented: the assistant must drop it rather than cite a paper that does not exist
        return "I found " + "; ".join(f"arXiv:{pid}" for pid, _ in papers[:3]) + ", and also arXiv:9999.99999."
    return "I have nothing to add."
