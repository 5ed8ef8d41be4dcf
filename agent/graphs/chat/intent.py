"""What a chat message asks for, decided by the program: a small model picks tools badly (it answered a
literature question from its own weights and started an experiment on a question), so the turn's first move
comes from the message's form, and the model chooses only where the choice is real.

- `literature`: what papers say, which papers, how X compares with Y → search first, then answer from it;
- `follow_up`: a question about the papers already in the thread ("which of those used XNLI?") → answer
  from them, no new search;
- `verify`: "check …", "is it true that …", "is C3 supported?" → the verifier;
- `open_paper`, `extract_claims`, `write_report`: a paper or the thread named as the object;
- `run_experiment`, `experiment_status`, `cancel_experiment`: only on an explicit request (an imperative or
  "can you run …"), never on a question about what papers found;
- `small_talk`: greetings, thanks, what the assistant can do → a short reply, no tool, no citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.claims.anchoring import content_words
from agent.experiments.claim_tests import LANGUAGE_NAMES

IntentKind = Literal["literature", "follow_up", "verify", "claim_status", "open_paper", "extract_claims",
                     "write_report", "run_experiment", "test_claim", "experiment_status", "cancel_experiment",
                     "small_talk"]
SIDE_EFFECTS = frozenset({"run_experiment", "test_claim", "cancel_experiment"})

LANGUAGES = LANGUAGE_NAMES
LANGUAGE_CODES = frozenset(LANGUAGES.values())

ARXIV_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
JOB_ID = re.compile(r"\b(?:xnli|pawsx)-[0-9a-f]{12}\b")
CLAIM_REF = re.compile(r"\bC(\d{1,3})\b")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_PAPER_NUMBER = re.compile(r"\[(\d{1,2})\]|\bpaper (\d{1,2})\b|\bthe (" + "|".join(_ORDINALS)
                           + r"|last) (?:paper|one|result|article)\b", re.IGNORECASE)

_POLITE = r"(?:please\s+|(?:ok|okay|now|then|so|go ahead and|let'?s|i want to|i'?d like to|we should)[,\s]+)*"
_MODAL = r"(?:can|could|would|will)\s+you\s+(?:please\s+)?"
_VERB = r"(?<![\w-])(?:run|start|launch|kick\s+off|fine-?tune|train|test)(?![\w-])"


def _request(verbs: str) -> re.Pattern:
    """An explicit request for an action: an imperative at the start of a clause ("Run …", "please start …",
    "then run …") or "can you run …" anywhere. A question about what papers found is not one."""
    return re.compile(rf"(?:^|[.;!?]\s+|,\s*(?:and|then)\s+){_POLITE}{verbs}|{_MODAL}{verbs}", re.IGNORECASE)


_RUN_REQUEST = _request(_VERB)
_CANCEL_REQUEST = _request(r"(?<![\w-])(?:cancel|stop|abort|kill|terminate)(?![\w-])")
_EXPERIMENT_OBJECT = re.compile(r"\b(?:experiments?|runs?|jobs?|fine-?tun\w*|xnli|paws-?x|zero-shot|transfer|it|this|"
                                r"that)\b", re.IGNORECASE)
# "can you check C14 by running it?", "test C3 with an experiment", "run C2's experiment"
_TEST_BY_RUNNING = re.compile(r"\b(?:by|with) (?:running|an? experiments?|experiments?)\b|"
                              r"\brun(?:ning)? (?:it|C\d+|its experiment|the experiment)\b|\bC\d+'s experiment\b|"
                              r"\breproduce\b", re.IGNORECASE)
_STATUS = re.compile(r"\b(?:status|progress|doing|done|finished|results?|how is|how's)\b", re.IGNORECASE)
_VERIFY = re.compile(r"^\s*(?:please\s+)?(?:fact-?check|check|verify)\b[:\s]*|\bis it (?:really )?true that\b|"
                     rf"{_MODAL}(?:fact-?check|check|verify)\b(?: (?:whether|if|that))?[:\s]*|"
                     r"\b(?:true or false)\b[:\s]*", re.IGNORECASE)
_CLAIM_STATUS = re.compile(r"\bC\d{1,3}\b.*\b(?:supported|true|right|correct|verified|hold|refuted|wrong|"
                           r"confiden\w*|evidence)\b|\b(?:is|was|are)\s+C\d{1,3}\b", re.IGNORECASE)
_OPEN = re.compile(r"^\s*(?:please\s+)?(?:open|read|show(?: me)?)\b|\b(?:abstract|full text) of\b|"
                   r"\btell me (?:more )?about (?:the |paper |arxiv:)?(?:\[?\d|first|second|third|last)",
                   re.IGNORECASE)
_EXTRACT = re.compile(r"\b(?:what|which|list|extract)\b.*\bclaims?\b|\bclaims? (?:of|in|from|does|do)\b",
                      re.IGNORECASE)
_REPORT = re.compile(r"^\s*/report\b|\b(?:write|make|create|produce|save|export)\b.*\breport\b", re.IGNORECASE)
_SMALL_TALK = re.compile(r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening)|thanks?(?: you)?|thank you|"
                         r"cheers|ok(?:ay)?|great|bye|goodbye|see you|help|who are you|what can you do|"
                         r"what are you)\b[\s!.?,]*(?:\w+[\s!.?]*){0,4}$", re.IGNORECASE)
_ANAPHORA = re.compile(r"\b(?:those|these|them|they|their|it|its|that|this|the (?:" + "|".join(_ORDINALS)
                       + r"|last|same|above|previous) (?:paper|one|papers|ones|result|study|studies|work)s?|above|"
                       r"earlier|you (?:found|mentioned|listed|cited)|which (?:one|ones|paper|papers) (?:show|say|"
                       r"report|find|found|used?|mention))\b", re.IGNORECASE)
_FOLLOW_UP_WORDS = frozenset({"paper", "papers", "show", "shows", "say", "says", "said", "use", "used", "uses",
                              "report", "reports", "find", "found", "mention", "mentions", "give", "list", "ids",
                              "arxiv", "recent", "newest", "oldest", "one", "ones", "most", "study", "studies",
                              "result", "results", "id", "cite", "cited", "source", "sources", "more", "mentioned",
                              "listed", "first", "second", "third", "last", "earliest", "latest", "which", "name",
                              "names", "tell", "authors", "wrote", "written", "year", "published", "finding",
                              "findings", "conclude", "concluded", "claim", "claims", "mean", "means", "explain"})


@dataclass
class Intent:
    kind: IntentKind
    claim: str = ""  # verify: the claim in the user's words
    claim_ref: str = ""  # verify / claim_status: "C3"
    paper_id: str = ""  # open_paper / extract_claims / verify: an arXiv id, or the thread's paper by number
    job_id: str = ""
    task: str = ""  # run_experiment: "xnli" or "pawsx", "" when not named
    languages: list[str] = field(default_factory=list)
    path: str = ""  # write_report: the directory, when named

    @property
    def side_effect(self) -> bool:
        return self.kind in SIDE_EFFECTS


def paper_reference(message: str, papers: list[dict]) -> str:
    """The paper a message names: an arXiv id, or the thread's paper by its number ("[2]", "the second paper",
    "the last one"); "" when none."""
    found = ARXIV_ID.search(message)
    if found:
        return found.group(1)
    match = _PAPER_NUMBER.search(message)
    if not match or not papers:
        return ""
    word = (match.group(3) or "").lower()
    number = len(papers) if word == "last" else _ORDINALS.get(word) or int(match.group(1) or match.group(2))
    return papers[number - 1]["id"] if 1 <= number <= len(papers) else ""


def experiment_arguments(message: str) -> tuple[str, list[str]]:
    """The task and evaluation languages a request names (language names or ISO codes), in the order given."""
    lowered = message.lower()
    task = "pawsx" if re.search(r"\bpaws-?\s?x\b|\bpaws\b", lowered) else "xnli" if "xnli" in lowered else ""
    languages: list[str] = []
    for token in re.findall(r"[a-z]+", lowered):
        code = LANGUAGES.get(token) or (token if token in LANGUAGE_CODES and len(token) == 2
                                        and re.search(rf"(?<![\w-]){token}(?![\w-])", message) else None)
        if code and code != "en" and code not in languages:
            languages.append(code)
    return task, languages


def _claim_text(message: str) -> str:
    """The claim of a verify request: what follows "check:" or "is it true that", without a trailing "?" and
    without the arXiv id the user added as its source."""
    match = _VERIFY.search(message)
    text = message[match.end():] if match else message
    text = ARXIV_ID.sub("", text.replace("arXiv:", ""))
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    return " ".join(text.split()).strip(" ?:,;")


_WHICH_PAPERS = re.compile(r"\bwhich (?:papers?|ones?|studies|works?|articles?|of (?:those|these|them|the papers))\b|"
                           r"\b(?:give|list|name|cite)\b.*\b(?:ids?|papers|sources|references)\b", re.IGNORECASE)


def asks_which_papers(message: str) -> bool:
    """"Which of those used XNLI?", "Which papers show that? Give arXiv ids.": the answer is a list of papers."""
    return bool(_WHICH_PAPERS.search(message))


def refers_back(message: str) -> bool:
    """The message points at something earlier in the thread ("those papers", "does this hold …")."""
    return bool(_ANAPHORA.search(message))


def _is_follow_up(message: str) -> bool:
    """A question about the papers already in the thread: it refers back to them and either asks which of them
    ("which of those used XNLI?") or brings in no topic of its own ("what did they find?"). One that adds a
    topic ("does this hold for Swahili?") is searched again, with the question it follows."""
    if not refers_back(message):
        return False
    return asks_which_papers(message) or not [w for w in content_words(message) if w not in _FOLLOW_UP_WORDS]


def classify(message: str, papers: list[dict] | None = None) -> Intent:
    """The intent of one user message. `papers`: the thread's papers in order."""
    papers = papers or []
    text = message.strip()
    job = JOB_ID.search(text)
    if _CANCEL_REQUEST.search(text) and (job or _EXPERIMENT_OBJECT.search(text)):
        return Intent("cancel_experiment", job_id=job.group(0) if job else "")
    if job and _STATUS.search(text):
        return Intent("experiment_status", job_id=job.group(0))
    claim_to_test = CLAIM_REF.search(text)
    if claim_to_test and _TEST_BY_RUNNING.search(text):
        return Intent("test_claim", claim_ref=f"C{claim_to_test.group(1)}")
    if _RUN_REQUEST.search(text) and _EXPERIMENT_OBJECT.search(text):
        task, languages = experiment_arguments(text)
        return Intent("run_experiment", task=task, languages=languages)
    if job:
        return Intent("experiment_status", job_id=job.group(0))
    if _REPORT.search(text):
        path = re.search(r"\b(?:to|in|into|at)\s+(\S+/\S*|\S+\.?\w*/?)\s*$", text)
        return Intent("write_report", path=path.group(1) if path else "")
    claim_ref = CLAIM_REF.search(text)
    if claim_ref and _CLAIM_STATUS.search(text) and not _VERIFY.search(text):
        return Intent("claim_status", claim_ref=f"C{claim_ref.group(1)}")
    if _VERIFY.search(text):
        claim = _claim_text(text)
        ref = CLAIM_REF.search(claim)
        ref = ref if ref and len(CLAIM_REF.sub("", claim).split()) <= 4 else None  # "check C3 (again)"
        found = ARXIV_ID.search(text)
        return Intent("verify", claim="" if ref else claim, claim_ref=ref.group(0) if ref else "",
                      paper_id=found.group(1) if found else "")
    paper = paper_reference(text, papers)
    if paper and _EXTRACT.search(text):
        return Intent("extract_claims", paper_id=paper)
    if paper and (_OPEN.search(text) or not content_words(ARXIV_ID.sub("", text))):
        return Intent("open_paper", paper_id=paper)
    if _SMALL_TALK.match(text):
        return Intent("small_talk")
    if not content_words(text):  # "what did they find?"
        return Intent("follow_up" if papers and refers_back(text) else "small_talk")
    if paper and not ARXIV_ID.search(text):  # "the second paper", "[3]": about a paper of the thread
        return Intent("follow_up", paper_id=paper)
    if papers and _is_follow_up(text):
        return Intent("follow_up", paper_id=paper)
    return Intent("literature", paper_id=paper)
