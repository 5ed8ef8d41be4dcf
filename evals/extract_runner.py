"""`agent eval extract`: precision and recall of extracted claims against gold claims.

Suite: `abstracts.jsonl` in the suite directory, one abstract per line:
`{"paper_id", "title", "sentences": [...], "claims": [{"claim", "sentences": [int], "kind"}]}`.

Matching rule. Within one abstract, a predicted claim and a gold claim are a candidate pair when the
predicted claim's anchor sentence(s) overlap the gold claim's sentences, or their MiniLM cosine is at
least MATCH_COSINE; pairs are scored by cosine and matched greedily one-to-one, best first, and a pair
counts when its cosine is at least PAIR_FLOOR (sentence overlap alone does not make two different
findings of one sentence the same claim). Precision = matched predictions / predictions; recall =
matched gold claims / gold claims. Also reported: the share of predictions whose numbers all occur in
the abstract (numbers kept exactly), and kind agreement on matched pairs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, Field

from agent.claims.extraction import extract_from_paper
from agent.services import Services
from evals.predictions import predict_resumably
from evals.suite import read_records
from tools.embeddings import default_embedder
from tools.llm.base import InvalidModelOutput
from tools.papers import Paper

MATCH_COSINE = 0.75
PAIR_FLOOR = 0.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


class GoldClaim(BaseModel):
    claim: str
    sentences: list[int] = Field(default_factory=list)
    kind: str = "result"


class GoldAbstract(BaseModel):
    paper_id: str
    title: str
    sentences: list[str]
    claims: list[GoldClaim]


def load_extraction_suite(suite_dir: Path) -> list[GoldAbstract]:
    return read_records(suite_dir / "abstracts.jsonl", GoldAbstract, "an extraction suite")


def match_claims(predicted: list[dict], gold: list[GoldClaim], embed) -> list[tuple[int, int, float]]:
    """(predicted index, gold index, cosine) of matched pairs under the rule in the module docstring."""
    if not predicted or not gold:
        return []
    vectors = embed([p["claim"] for p in predicted] + [g.claim for g in gold])
    pred_vecs, gold_vecs = vectors[: len(predicted)], vectors[len(predicted):]
    pairs = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            cosine = float(pred_vecs[i] @ gold_vecs[j])
            same_sentence = bool(set(p["sentences"]) & set(g.sentences))
            if (same_sentence and cosine >= PAIR_FLOOR) or cosine >= MATCH_COSINE:
                pairs.append((cosine, i, j))
    matched, used_p, used_g = [], set(), set()
    for cosine, i, j in sorted(pairs, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            matched.append((i, j, round(cosine, 4)))
    return matched


def _predict(abstract: GoldAbstract, services: Services, max_claims: int) -> dict:
    text = " ".join(abstract.sentences)
    paper = Paper(id=abstract.paper_id, title=abstract.title, abstract=text)
    try:
        claims = extract_from_paper(paper, services.provider, max_claims)
        error = None
    except InvalidModelOutput as exc:
        claims, error = [], str(exc)
    predicted = [{"claim": c.text, "quote": c.quote, "kind": c.kind,
                  "sentences": [i for i, s in enumerate(abstract.sentences) if s in c.quote]} for c in claims]
    return {"id": abstract.paper_id, "predicted": predicted, "error": error}


def score(abstracts: list[GoldAbstract], rows: dict[str, dict], embed) -> dict:
    n_pred = n_gold = n_matched_pred = n_matched_gold = numbers_ok = kind_agree = 0
    per_abstract = []
    for abstract in abstracts:
        row = rows[abstract.paper_id]
        matched = match_claims(row["predicted"], abstract.claims, embed)
        text = " ".join(abstract.sentences)
        n_pred += len(row["predicted"])
        n_gold += len(abstract.claims)
        n_matched_pred += len(matched)
        n_matched_gold += len(matched)
        numbers_ok += sum(all(n in text for n in _NUMBER.findall(p["claim"])) for p in row["predicted"])
        kind_agree += sum(row["predicted"][i]["kind"] == abstract.claims[j].kind for i, j, _ in matched)
        per_abstract.append({"id": abstract.paper_id, "predicted": len(row["predicted"]),
                             "gold": len(abstract.claims), "matched": len(matched)})
    precision = n_matched_pred / n_pred if n_pred else 0.0
    recall = n_matched_gold / n_gold if n_gold else 0.0
    return {
        "n_abstracts": len(abstracts), "n_predicted": n_pred, "n_gold": n_gold, "n_matched": n_matched_pred,
        "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "numbers_exact_share": round(numbers_ok / n_pred, 4) if n_pred else None,
        "kind_agreement_on_matches": round(kind_agree / n_matched_pred, 4) if n_matched_pred else None,
        "matching_rule": {"match_cosine": MATCH_COSINE, "pair_floor": PAIR_FLOOR},
        "per_abstract": per_abstract,
    }


def run_extract_eval(suite_dir: Path, services: Services, out_dir: Path, *, max_claims: int = 6,
                     limit: int | None = None, workers: int = 1,
                     on_progress: Callable[[int, int], None] | None = None) -> dict:
    abstracts = load_extraction_suite(suite_dir)[:limit] if limit else load_extraction_suite(suite_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _ = services.provider  # fail fast on a missing model or an unreachable server
    done, n_predicted, elapsed = predict_resumably(
        abstracts, lambda abstract: abstract.paper_id, lambda abstract: _predict(abstract, services, max_claims),
        out_dir / "predictions.jsonl", workers=workers, on_progress=on_progress)
    metrics = score(abstracts, done, default_embedder().embed)
    metrics.update({
        "suite": str(suite_dir), "max_claims_per_abstract": max_claims,
        "provider": {"name": services.provider.name, "model": services.provider.model},
        "failed_abstracts": sum(1 for a in abstracts if done[a.paper_id].get("error")),
        "seconds_per_abstract": round(elapsed / n_predicted, 2) if n_predicted else None,
    })
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics
