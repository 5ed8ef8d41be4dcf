"""Candidate judgment pairs from real runs over the bundled snapshot, for hand labelling.

For each question of the report suite (`evals/suites/report/questions.jsonl`), what `agent ask` does with the
embedded defaults: the search's top papers are read, the claims are the most relevant finding sentences of
each abstract (`sentence_claims`), and each claim meets the other read papers' abstracts the way the verifier's
`evidence_passages` meets the library: the most similar ones by MiniLM cosine, at least 0.35, two per claim.
Each pair records whether it passes the relevance gate (`same_subject`). Labels are added by hand
(`label.py`); nothing here looks at a label.

Faithfulness pairs (`--faithfulness`): the model writes claims from the same papers (`extract_from_paper`, what
`AGENT_EXTRACTION=model` does), and each claim meets its own abstract, as the verifier shows it.

    python evals/suites/judgment-pairs/build.py [--faithfulness]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from agent.claims.extraction import sentence_claims  # noqa: E402
from agent.graphs.verifier.passages import MIN_RELATED_SIMILARITY, same_subject  # noqa: E402
from agent.services import Services  # noqa: E402
from agent.settings import load_settings  # noqa: E402

PAPERS_READ = 6
CLAIMS_PER_PAPER = 3
PASSAGES_PER_CLAIM = 2
OUT = Path(__file__).parent / "candidates.jsonl"  # labelled by hand into pairs.jsonl


def faithfulness_candidates(services: Services, questions: list[dict], papers_per_question: int = 3) -> list[dict]:
    from agent.claims.extraction import extract_from_paper
    from tools.llm.base import InvalidModelOutput

    embed = services.library.embedder.embed
    rows, seen = [], set()
    for item in questions:
        papers = [p for p in services.search.search([], item["question"], limit=PAPERS_READ).papers
                  if p.id not in seen][:papers_per_question]
        for rank, paper in enumerate(papers):
            seen.add(paper.id)
            try:
                claims = extract_from_paper(paper, services.provider, CLAIMS_PER_PAPER, rank, item["question"],
                                            embed=embed)
            except InvalidModelOutput:
                continue
            for claim in claims:
                rows.append({"id": f"{item['id']}-f{len(rows):03d}", "kind": "faithfulness", "question": item["id"],
                             "claim": claim.text, "quote": claim.quote, "claim_paper": paper.id,
                             "passage_paper": paper.id, "passage": paper.abstract})
            print(f"{paper.id}: {len(claims)} claims", flush=True)
    return rows


def main() -> None:
    services = Services(settings=load_settings(offline=True))
    if "--faithfulness" in sys.argv:
        questions = [json.loads(line)
                     for line in (ROOT / "evals/suites/report/questions.jsonl").read_text().splitlines()]
        rows = faithfulness_candidates(services, questions)
        out = OUT.with_name("faithfulness-candidates.jsonl")
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{len(rows)} faithfulness pairs -> {out}")
        return
    embed = services.library.embedder.embed
    questions = [json.loads(line) for line in (ROOT / "evals/suites/report/questions.jsonl").read_text().splitlines()]
    rows = []
    for item in questions:
        papers = services.search.search([], item["question"], limit=PAPERS_READ).papers
        vectors = embed([p.abstract for p in papers])
        for rank, paper in enumerate(papers):
            for claim in sentence_claims(paper, CLAIMS_PER_PAPER, rank, item["question"], embed=embed):
                scores = vectors @ embed([claim.text])[0]
                others = [i for i in np.argsort(-scores) if papers[i].id != paper.id
                          and scores[i] >= MIN_RELATED_SIMILARITY][:PASSAGES_PER_CLAIM]
                for i in others:
                    rows.append({"id": f"{item['id']}-{len(rows):04d}", "kind": "corroboration",
                                 "question": item["id"], "claim": claim.text, "claim_paper": paper.id,
                                 "passage_paper": papers[i].id, "passage": papers[i].abstract,
                                 "cosine": round(float(scores[i]), 3),
                                 "same_subject": same_subject(claim.text, papers[i].abstract, float(scores[i]))})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} candidate pairs, {sum(r['same_subject'] for r in rows)} through the gate -> {OUT}")


if __name__ == "__main__":
    main()
