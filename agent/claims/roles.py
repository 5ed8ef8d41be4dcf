"""What a sentence of a paper does: report a finding, describe a method or dataset, or only set the scene.

Decided by the program from the sentence's wording, because a small model labels nearly everything "result":
background (what the field does, what is known or missing), aims ("we investigate whether …") and
fragments (no main clause) are not claims. Findings are kinds of their own: a comparison (better than,
outperforms, against a baseline) or a result (an effect, a number).
"""

from __future__ import annotations

import re
from typing import Literal

from agent.records import ClaimKind

Role = Literal["finding", "method", "dataset", "background", "aim", "fragment"]

_FLAGS = re.IGNORECASE
_BACKGROUND = [re.compile(p, _FLAGS) for p in (
    r"\b(?:has|have) (?:become|been (?:widely|increasingly|extensively|commonly)|gained|attracted|emerged|drawn|"
    r"seen)\b",
    r"\b(?:remains?|is still|are still) (?:a |an )?(?:\w+ )?(?:challeng|open|unclear|difficult|limited|"
    r"underexplored|scarce|problem)",
    r"^(?:earlier|previous|prior|existing|traditional) (?:efforts|work|works|approaches|methods|studies)\b",
    r"^(?:one|a) (?:notable|popular|common|prominent|widely used|standard) (?:approach|method|technique|line)\b",
    r"\b(?:prior|previous|earlier) (?:studies|work|works) (?:have|has)\b",
    r"^(?:most|many|several|some|recent|prior|previous|existing) (?:existing |recent |prior )?(?:work|works|studies|"
    r"approaches|methods|research|efforts|models|papers)\b",
    r"\blittle (?:is known|attention|work|research)\b",
    r"\b(?:is|are) (?:a |an )?(?:crucial|important|key|fundamental|central|essential|promising|popular|common|"
    r"widely used|de facto)\b",
    r"\bde facto\b",
    r"\b(?:lack|lacks|scarcity|shortage) of\b",
    r"^(?:however|yet|unfortunately),? (?:it|this|these|such|the)\b",
    r"\b(?:is|are) (?:often|usually|typically|commonly) (?:used|assumed|considered)\b",
    r"\b(?:is|are) (?:emerging|becoming|gaining)\b",
    r"^(?:recently|traditionally|nowadays|today|historically)\b",
    r"\[\d+(?:[,–-]\s*\d+)*\](?:\s*\[\d+\])*\s*[.;]?$",  # ends citing prior work: "[14] [13]."
    r"\b(?:can|could|may|might|will|should) (?:have (?:an )?(?:immediate |important |significant )?impact|"
    r"inform|guide|inspire|benefit) (?:on |future )?",
    r"\bfuture (?:work|research|benchmark|studies)\b",
)]
_AIM = [re.compile(p, _FLAGS) for p in (
    r"\b(?:aims?|seeks?|sets? out|attempts?|strives?) to\b",
    r"\b(?:we|authors?|et al\.|paper|study|work) (?:investigates?|explores?|examines?|studies|asks?|addresses|"
    r"analy[sz]es|focus(?:es)? on|revisits?|considers?)\b(?!.{0,60}\b(?:find|found|show|shows|showed|reveal))",
    r"^(?:in this|this) (?:paper|work|study)\b(?!.{0,80}\b(?:find|found|show|shows|showed|outperform|improv))",
    r"\b(?:we|paper|work) (?:discuss|describe|present an overview|outline)\b",
    r"\b(?:also )?(?:look|looks|looked) into\b",
    r"\b(?:we|authors?|et al\.) (?:further |also |then |finally )?(?:discuss|describe|outline|summari[sz]e)",
    r"\b(?:review|reviews|survey|surveys) (?:how|the|recent|existing)\b",
    r"\b(?:whether|how)\b.{0,80}\?$",
)]
_GERUND_START = re.compile(r"^[A-Z][a-z]+ing\b")
_INFINITIVE_START = re.compile(r"^[Tt]o [a-z]+\b")
_MAIN_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|does|did|can|could|may|might|will|would|must|shows?|showed|finds?|found|"
    r"outperforms?|improves?|improved|yields?|achieves?|reaches?|helps?|hurts?|leads?|reduces?|increases?|"
    r"transfers?|performs?|beats?|holds?|remains?|works?|gives?|brings?|matters?|benefits?|suffers?|scales?|"
    r"surpasses?|exceeds?|degrades?|drops?|falls?|rises?|boosts?|enables?|requires?|depends?|correlates?)\b",
    re.IGNORECASE)
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|can|could|may|might|will|would|shall|should|must|"
    r"[a-z]{3,}(?:ed|es)|shows?|finds?|outperforms?|improves?|yields?|achieves?|reaches?|helps?|hurts?|leads?|"
    r"reduces?|increases?|transfers?|performs?|beats?|holds?|remains?|works?|gets?|makes?|gives?|brings?|"
    r"matters?|benefits?|suffers?|scales?|surpasses?|exceeds?|degrades?|drops?|falls?|rises?)\b", _FLAGS)
_COMPARISON = re.compile(
    r"\b(?:outperform\w*|better|worse|than|compared (?:to|with)|over (?:the |a )?(?:baseline|state)|surpass\w*|"
    r"beat\w*|exceed\w*|higher|lower|superior|inferior|versus|vs\.?)\b", _FLAGS)
_RESULT = re.compile(
    r"\d|\b(?:improv\w*|gain\w*|boost\w*|increas\w*|decreas\w*|reduc\w*|degrad\w*|drop\w*|hurt\w*|help\w*|"
    r"effective\w*|significant\w*|correlat\w*|achiev\w*|find|found|show|shows|showed|reveal\w*|demonstrat\w*|"
    r"no (?:effect|gain|improvement)|fails?|failed|well|poorly|strong(?:ly)?|weak(?:ly)?|robust\w*|competitive|"
    r"state[- ]of[- ]the[- ]art|benefit\w*|comparabl[ey]|on par|at par|match(?:es|ed)?|lags?|suffers?|"
    r"accura\w+|succeed\w*)\b", _FLAGS)
_METHOD = re.compile(r"\b(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|design(?:s|ed)?|develop(?:s|ed)?)\b",
                     _FLAGS)
_DATASET_FACT = re.compile(r"\b(?:dataset|benchmark|corpus|corpora|treebank)s?\b.{0,40}\b(?:covers?|contains?|"
                           r"consists?|includes?|spans?|comprises?|has|holds)\b", _FLAGS)
_DATASET = re.compile(r"\b(?:dataset|benchmark|corpus|corpora|test set|treebank)\b", _FLAGS)


def is_fragment(text: str) -> bool:
    """No main clause: "Investigating how language family proximity affects …", "To study transfer, …"."""
    words = text.split()
    if len(words) < 5:
        return True
    text = text.strip()
    first = text.split()[0]
    if not first[0].isalnum() or (")" in first and "(" not in first) or first.isalpha() and first.islower():
        return True  # a piece cut from the middle of a sentence: "English), our …", "and shows …" (not "mBERT …")
    if _GERUND_START.match(text):  # "Investigating how …" unless a main verb follows: "Training on X improves Y"
        return not _MAIN_VERB.search(text)
    if _INFINITIVE_START.match(text):  # "To study transfer." unless a clause follows the comma
        return "," not in text or not _FINITE_VERB.search(text.split(",", 1)[1])
    return not _FINITE_VERB.search(" ".join(words[1:]))


def statement_role(text: str) -> Role:
    """The role of one sentence (a claim or the sentence it quotes), by its wording."""
    text = " ".join(text.split())
    if is_fragment(text):
        return "fragment"
    findings = bool(_COMPARISON.search(text) or _RESULT.search(text))
    if any(p.search(text) for p in _AIM) and not re.search(r"\b(?:find|found|show|shows|showed|reveal)", text, _FLAGS):
        return "aim"
    has_numbers = bool(re.search(r"\d", re.sub(r"\[\d[^\]]*\]", "", text)))  # not counting citation marks
    if any(p.search(text) for p in _BACKGROUND) and not has_numbers:
        return "background"
    if _METHOD.search(text) and not _COMPARISON.search(text):
        return "dataset" if _DATASET.search(text) else "method"
    if findings:
        return "finding"
    if _DATASET_FACT.search(text):  # "The XNLI benchmark covers fifteen languages including Swahili"
        return "dataset"
    # Neither a finding nor a contribution ("English is the dominant source language for transfer", "These
    # vectors are then composed with the model"): a premise or a description, not a claim.
    return "background"


def claim_kind(text: str, role: Role, model_kind: ClaimKind) -> ClaimKind:
    """The kind shown with a claim: decided from its wording; the model's label only breaks ties."""
    if role == "dataset":
        return "dataset"
    if role == "method":
        return "method" if model_kind in ("result", "comparison") else model_kind
    if _COMPARISON.search(text):
        return "comparison"
    return "result"


def is_claim(role: Role) -> bool:
    return role in ("finding", "method", "dataset")
