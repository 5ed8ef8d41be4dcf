"""Build the project's own verification suite from the bundled arXiv abstracts.

    python -m evals.build_arxiv_suite            # writes evals/suites/arxiv-claims/{dev,test}

For each selected cross-lingual paper (abstract of at least 4 sentences with a result-like sentence):
- SUPPORT: a result sentence of the abstract, restated: first-person references replaced by the authors
  ("we show" -> "Hu et al. show"), or attributed ("According to Hu et al., ...") when it has none;
- CONTRADICT: a controlled edit of a result sentence of the same abstract, the first that applies of:
  a changed number, a swapped dataset / model / language, a negated or reversed verb; the edit is recorded;
- NOT_ENOUGH_INFO: a result sentence of a topically close *other* paper, cited against this abstract,
  kept only if it shares less than half of its content words with any sentence of this abstract.
Papers are split between dev and test by a hash of their id, so no abstract is in both.
Every claim carries `provenance` (kind, edit, source sentence) so it can be checked by reading.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from agent.claims.anchoring import author_reference, make_self_contained, overlap
from tools.papers import Paper
from tools.snapshot import EMBEDDINGS_PATH, load_snapshot
from tools.text import split_sentences

OUT_DIR = Path(__file__).parent / "suites" / "arxiv-claims"
N_PAPERS = 120
RESULT_CUES = re.compile(r"\b(outperform\w*|improv\w*|achiev\w*|show\w*|find|found|demonstrat\w*|reduc\w*|"
                         r"increas\w*|surpass\w*|better|higher|lower|gains?|boost\w*|yield\w*)\b", re.IGNORECASE)
SWAPS = [("XNLI", "PAWS-X"), ("PAWS-X", "XNLI"), ("mBERT", "XLM-R"), ("XLM-R", "mBERT"), ("English", "Chinese"),
         ("German", "Japanese"), ("Swahili", "French"), ("Hindi", "Spanish"), ("Arabic", "Korean"),
         ("BERT", "GPT-2"), ("mT5", "mBART"), ("Llama", "Mistral"), ("GPT-4", "GPT-3.5"), ("NER", "POS tagging"),
         ("question answering", "summarization"), ("machine translation", "sentiment analysis")]
NEGATIONS = [(r"\boutperforms\b", "underperforms"), (r"\boutperform\b", "underperform"),
             (r"\bsignificantly improves\b", "significantly degrades"), (r"\bimproves\b", "does not improve"),
             (r"\bimprove\b", "fail to improve"), (r"\bimproved\b", "did not improve"),
             (r"\bincreases\b", "decreases"), (r"\breduces\b", "increases"), (r"\bbetter\b", "worse"),
             (r"\bhigher\b", "lower"), (r"\blower\b", "higher"), (r"\bsurpasses\b", "falls short of"),
             (r"\beffective\b", "ineffective"), (r"\bconsistently\b", "rarely"), (r"\bcan\b", "cannot")]
# A standalone number (not part of a name like "MMS-300M", "65k" or "4x5"), with an optional unit.
NUMBER = re.compile(r"(?<![\w.\-])(\d+(?:\.\d+)?)(?![\w\-])(\s?%| points?| BLEU| F1| accuracy)?")
DEICTIC_START = re.compile(r"^(this|these|those|such|it|they|their|its|the former|the latter)\b", re.IGNORECASE)


def _stable_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _result_sentences(sentences: list[str]) -> list[int]:
    return [i for i, s in enumerate(sentences) if i > 0 and RESULT_CUES.search(s) and 8 <= len(s.split()) <= 60]


def restate(sentence: str, paper: Paper) -> str:
    restated = make_self_contained(sentence, paper)
    if restated == sentence:
        restated = f"According to {author_reference(paper)}, {sentence[0].lower()}{sentence[1:]}"
    return restated


def contradict(sentence: str) -> tuple[str, str] | None:
    """A controlled edit that makes the sentence false for this abstract, and its name."""
    match = next((m for m in NUMBER.finditer(sentence) if m.group(1) not in ("1", "2", "3") or m.group(2)), None)
    if match:
        value = float(match.group(1))
        new = value * 2 + 7 if value < 50 else value / 2
        text = f"{new:.1f}" if "." in match.group(1) else str(int(new))
        return sentence[: match.start(1)] + text + sentence[match.end(1):], f"number {match.group(1)}->{text}"
    for old, new in SWAPS:
        if re.search(rf"\b{re.escape(old)}\b", sentence):
            return re.sub(rf"\b{re.escape(old)}\b", new, sentence, count=1), f"swap {old}->{new}"
    for pattern, replacement in NEGATIONS:
        if re.search(pattern, sentence):
            return re.sub(pattern, replacement, sentence, count=1), f"negation {pattern.strip(chr(92) + 'b')}"
    return None


def unsettled_sentences(other_sentences: list[str], other_results: list[int], sentences: list[str]) -> list[str]:
    """Result sentences of another paper that stand alone (no "we", no deictic opening) and share less than half
    of their content words with every sentence of this abstract: claims it does not settle."""
    return [other_sentences[i] for i in other_results
            if not re.search(r"\b(we|our|us)\b", other_sentences[i], re.IGNORECASE)
            and not DEICTIC_START.match(other_sentences[i])
            and max(overlap(other_sentences[i], s) for s in sentences) < 0.5]


def build(out_dir: Path = OUT_DIR, n_papers: int = N_PAPERS) -> dict[str, int]:
    snapshot = [p for p in load_snapshot() if p.source == "crosslingual.jsonl"]
    candidates = []
    for paper in sorted(snapshot, key=lambda p: _stable_hash(p.id)):
        sentences = split_sentences(paper.abstract)
        results = _result_sentences(sentences)
        if len(sentences) >= 4 and len(results) >= 2 and any(contradict(sentences[i]) for i in results):
            candidates.append((paper, sentences, results))
        if len(candidates) == n_papers:
            break
    stored = np.load(EMBEDDINGS_PATH)
    row_of = {pid: i for i, pid in enumerate(stored["ids"])}
    vectors = np.array([stored["vectors"][row_of[p.id]] for p, _, _ in candidates], dtype=np.float32)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1)

    splits: dict[str, tuple[list, list]] = {"dev": ([], []), "test": ([], [])}
    for index, (paper, sentences, results) in enumerate(candidates):
        split = "dev" if _stable_hash("split:" + paper.id) % 2 == 0 else "test"
        claims, corpus = splits[split]
        corpus.append({"doc_id": paper.id, "title": paper.title, "abstract": sentences})
        support_index = results[0]
        claims.append({"id": f"{paper.id}-S", "claim": restate(sentences[support_index], paper),
                       "evidence": {paper.id: [{"sentences": [support_index], "label": "SUPPORT"}]},
                       "cited_doc_ids": [paper.id],
                       "provenance": {"kind": "restated sentence", "source_sentence": sentences[support_index]}})
        edit_index = next(i for i in results if contradict(sentences[i]))
        edited, edit = contradict(sentences[edit_index])
        claims.append(
            {
                "id": f"{paper.id}-C",
                "claim": make_self_contained(edited, paper),
                "evidence": {paper.id: [{"sentences": [edit_index], "label": "CONTRADICT"}]},
                "cited_doc_ids": [paper.id],
                "provenance": {"kind": "controlled edit", "edit": edit, "source_sentence": sentences[edit_index]},
            }
        )
        for neighbour in np.argsort(-similarity[index]):
            other, other_sentences, other_results = candidates[neighbour]
            options = unsettled_sentences(other_sentences, other_results, sentences)
            if options:
                claims.append({"id": f"{paper.id}-N", "claim": options[0], "evidence": {}, "cited_doc_ids": [paper.id],
                               "provenance": {"kind": "sentence of a close other paper", "from_paper": other.id}})
                break

    counts = {}
    for split, (claims, corpus) in splits.items():
        directory = out_dir / split
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "claims.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in claims))
        (directory / "corpus.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in corpus))
        counts[split] = len(claims)
    return counts


if __name__ == "__main__":
    print(json.dumps(build()))
