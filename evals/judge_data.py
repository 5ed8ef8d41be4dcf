"""Labelled claim–passage pairs for training and measuring the cross-encoder judge (`evals/train_judge.py`).

Sources, each pair carrying its source and a group (the unit a split keeps together):
- `scifact`: SciFact train (human labels; biomedical). Each claim against each cited abstract, labelled by its
  gold evidence for that abstract (none: NOT_ENOUGH_INFO); for training also against its rationale sentences
  alone, and against the corpus abstract closest to it that it does not cite (NOT_ENOUGH_INFO). Group: claim.
- `generated`: the arXiv generator (`evals/build_arxiv_suite.py`'s restatements and controlled edits) over
  snapshot abstracts that are in no suite: SUPPORT (a restated result sentence), CONTRADICT (an edit),
  NOT_ENOUGH_INFO (a close other paper's result sentence; and the restated sentence against its own abstract
  with that sentence removed, a near miss on the same subject). Group: paper.
- `real`: the hand-labelled pairs of real runs (`suites/judgment-pairs/`), split by question as their
  calibration is (`question_splits`). Group: question.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from agent.claims.anchoring import overlap
from evals.build_arxiv_suite import _result_sentences, contradict, restate, unsettled_sentences
from evals.pairs_calibration import LABEL_NAMES, load_pairs, question_splits
from evals.suite import load_suite
from tools.snapshot import EMBEDDINGS_PATH, load_snapshot
from tools.text import split_sentences

SUITES = Path(__file__).parent / "suites"
SCIFACT = SUITES / "scifact-train"
ARXIV_SUITES = (SUITES / "arxiv-claims" / "dev", SUITES / "arxiv-claims" / "test")
TABLE_CLAIMS = SUITES / "table-claims"
TABLE_CLAIMS_WRITTEN = SUITES / "table-claims-written"
FOLDS = 5


@dataclass(frozen=True)
class JudgePair:
    claim: str
    passage: str
    label: str  # SUPPORTED | REFUTED | NOT_ENOUGH_INFO
    source: str  # scifact | generated | real | table
    group: str
    role: str = "cited"  # cited | rationale | retrieved | near_miss | other_paper
    cluster: str = ""  # what a split keeps together, when wider than the group (SciFact: claims citing one abstract)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @property
    def fold(self) -> int:
        return fold_of(self.cluster or self.group)


def fold_of(group: str, folds: int = FOLDS) -> int:
    return int(hashlib.sha256(f"fold:{group}".encode()).hexdigest()[:8], 16) % folds


def _shared_abstract_clusters(items) -> dict:
    """Claim id -> the smallest abstract id among the claims that cite, directly or through each other, the same
    abstracts. SciFact's claims come in families written from one citation (a claim and its negation, one number
    and another), and a model that saw a claim's sibling against the same abstract has half-seen the claim: folds
    keep a family together."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for item in items:
        docs = [f"doc:{d}" for d in item.cited_doc_ids] or [f"claim:{item.id}"]
        for node in [*docs[1:], f"claim:{item.id}"]:
            parent[root(node)] = root(docs[0])
    members: dict[str, list[str]] = {}
    for node in list(parent):
        members.setdefault(root(node), []).append(node)
    name = {r: min(nodes) for r, nodes in members.items()}
    return {item.id: name[root(f"claim:{item.id}")] for item in items}


def scifact_pairs(augment: bool = True, suite: Path = SCIFACT) -> list[JudgePair]:
    """Every (claim, cited abstract) of SciFact train; with `augment`, the rationale-only and the retrieved
    NOT_ENOUGH_INFO pairs as well (training only: measuring uses the cited abstracts as the verifier sees them)."""
    items, corpus = load_suite(suite)
    clusters = _shared_abstract_clusters(items)
    pairs = []
    for item in items:
        group, cluster = f"scifact:{item.id}", f"scifact:{clusters[item.id]}"
        for doc_id in item.cited_doc_ids:
            label = item.doc_labels.get(doc_id, "NOT_ENOUGH_INFO")
            pairs.append(JudgePair(item.claim, corpus[doc_id].abstract, label, "scifact", group, cluster=cluster))
            rationale = item.rationales.get(doc_id)
            if augment and rationale and label != "NOT_ENOUGH_INFO":
                text = " ".join(corpus[doc_id].sentences[i] for i in rationale if i < len(corpus[doc_id].sentences))
                pairs.append(JudgePair(item.claim, text, label, "scifact", group, "rationale", cluster))
    if augment:
        pairs += [JudgePair(p.claim, p.passage, p.label, p.source, p.group, p.role, f"scifact:{clusters[p.group[8:]]}")
                  for p in _retrieved_negatives(items, corpus)]
    return pairs


def _retrieved_negatives(items, corpus) -> list[JudgePair]:
    """Each claim against the closest corpus abstract it does not cite: same field, not its evidence."""
    from tools.embeddings import default_embedder

    doc_ids = sorted(corpus)
    embedder = default_embedder()
    doc_vectors = embedder.embed([f"{corpus[d].title}. {corpus[d].abstract}" for d in doc_ids])
    claim_vectors = embedder.embed([item.claim for item in items])
    pairs = []
    for item, vector in zip(items, claim_vectors, strict=True):
        if fold_of(f"retrieved:{item.id}", 2):  # half the claims: easy negatives, CPU time is what they cost
            continue
        for index in np.argsort(-(doc_vectors @ vector)):
            if doc_ids[index] not in item.cited_doc_ids:
                pairs.append(JudgePair(item.claim, corpus[doc_ids[index]].abstract, "NOT_ENOUGH_INFO", "scifact",
                                       f"scifact:{item.id}", "retrieved"))
                break
    return pairs


def _suite_paper_ids() -> set[str]:
    ids = set()
    for suite in ARXIV_SUITES:
        _, corpus = load_suite(suite)
        ids |= set(corpus)
    return ids


def generated_pairs(n_papers: int = 1500, seed: int = 0) -> list[JudgePair]:
    """Controlled edits and near misses from snapshot abstracts outside every suite (deterministic)."""
    excluded = _suite_paper_ids()
    papers = [p for p in load_snapshot() if p.id not in excluded]
    random.Random(seed).shuffle(papers)
    stored = np.load(EMBEDDINGS_PATH)
    row_of = {pid: i for i, pid in enumerate(stored["ids"])}
    chosen = []
    for paper in papers:
        sentences = split_sentences(paper.abstract)
        results = _result_sentences(sentences)
        if len(sentences) >= 4 and results and paper.id in row_of:
            chosen.append((paper, sentences, results))
        if len(chosen) == n_papers:
            break
    vectors = np.array([stored["vectors"][row_of[p.id]] for p, _, _ in chosen], dtype=np.float32)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1)
    pairs: list[JudgePair] = []
    for index, (paper, sentences, results) in enumerate(chosen):
        group, abstract = f"arxiv:{paper.id}", " ".join(sentences)
        first = results[0]
        claim = restate(sentences[first], paper)
        pairs.append(JudgePair(claim, abstract, "SUPPORTED", "generated", group))
        rest = [s for i, s in enumerate(sentences) if i != first]
        if max(overlap(sentences[first], s) for s in rest) < 0.5:
            pairs.append(JudgePair(claim, " ".join(rest), "NOT_ENOUGH_INFO", "generated", group, "near_miss"))
        editable = [i for i in results if contradict(sentences[i])]
        if editable:
            edited, _ = contradict(sentences[editable[-1]])
            pairs.append(JudgePair(restate(edited, paper), abstract, "REFUTED", "generated", group))
        for neighbour in np.argsort(-similarity[index])[:5]:
            other, other_sentences, other_results = chosen[neighbour]
            options = unsettled_sentences(other_sentences, other_results, sentences)
            if options:
                pairs.append(JudgePair(options[0], abstract, "NOT_ENOUGH_INFO", "generated", group, "other_paper"))
                break
    return pairs


def real_pairs() -> tuple[list[JudgePair], list[JudgePair]]:
    """(fit half, held-out half) of the hand-labelled real-run pairs, split by question per kind."""
    halves: dict[str, list[JudgePair]] = {"fit": [], "held_out": []}
    pairs = [p for p in load_pairs() if p.get("label")]
    for kind in sorted({p["kind"] for p in pairs}):
        of_kind = [p for p in pairs if p["kind"] == kind]
        splits = question_splits(of_kind)
        for p in of_kind:
            halves[splits[p["question"]]].append(JudgePair(p["claim"], p["passage"], LABEL_NAMES[p["label"]], "real",
                                                           f"real:{kind}:{p['question']}", kind))
    return halves["fit"], halves["held_out"]


def suite_pairs(directory: Path, name: str) -> list[JudgePair]:
    """A SciFact-layout suite as pairs: each claim against each cited document (group: the claim)."""
    items, corpus = load_suite(directory)
    return [JudgePair(item.claim, corpus[doc].abstract, item.doc_labels.get(doc, "NOT_ENOUGH_INFO"), name,
                      f"{name}:{item.id}") for item in items for doc in item.cited_doc_ids]


def arxiv_suite_pairs(split: str) -> list[JudgePair]:
    """The project's arXiv suite (`dev` or `test`): never trained on."""
    return [JudgePair(p.claim, p.passage, p.label, "arxiv", p.group)
            for p in suite_pairs(SUITES / "arxiv-claims" / split, f"arxiv-{split}")]


def label_counts(pairs: list[JudgePair]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for pair in pairs:
        key = f"{pair.source}/{pair.role}"
        counts.setdefault(key, {}).setdefault(pair.label, 0)
        counts[key][pair.label] += 1
    return dict(sorted(counts.items()))


def judgment_sets() -> dict[str, list[JudgePair]]:
    """Every labelled set a judge is measured on, by name: each claim against each passage it is judged with."""
    real_fit, real_held_out = real_pairs()
    return {"arxiv-dev": arxiv_suite_pairs("dev"), "arxiv-test": arxiv_suite_pairs("test"),
            "real": real_fit + real_held_out, "scifact": scifact_pairs(augment=False),
            "table-claims": suite_pairs(TABLE_CLAIMS, "table-claims"),
            "table-written": suite_pairs(TABLE_CLAIMS_WRITTEN, "table-written")}
