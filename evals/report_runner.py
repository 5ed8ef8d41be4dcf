"""`agent eval report`: the whole research graph on questions with gold papers and gold facts.

Suite: `questions.jsonl`, one question per line:
`{"id", "question", "gold_papers": [...], "facts": [{"fact", "paper_id", "sentence", "label"}]}`.

Per question the research graph writes its report under `OUT/<id>/` (a finished question is not run
again: runs resume). Scored:
- gold paper recall: gold papers among the papers the report read;
- verbatim quotes: claim quotes that occur verbatim in the cited paper's text (abstract, or a
  full-text chunk stored in the library);
- fact verdict accuracy: each gold fact through the verifier graph (source = its paper, evidence from
  the library the run filled), verdict against the gold label (SUPPORTED, or REFUTED for the
  controlled edits);
- what a reader would object to: gold facts covered by the report's claims (a claim quoting the fact's
  sentence, or sharing most of its content words), claims refuted by their own source (target 0),
  background, aim or fragment claims (target 0), answer sentences citing claims, and the answer's citation
  precision (sentences entailed by the claims they cite, as the model wrote them).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Callable

from pydantic import BaseModel

from agent.claims.anchoring import overlap
from agent.claims.roles import is_claim, statement_role
from agent.graphs.context import RunContext
from agent.graphs.research.run import run_research
from agent.graphs.verifier import verify
from agent.records import Claim
from agent.report.checks import is_verbatim
from agent.report.model import Report
from agent.services import Services
from evals.suite import read_records
from tools.snapshot import snapshot_by_id


class GoldFact(BaseModel):
    fact: str
    paper_id: str
    sentence: str
    label: str


class ReportQuestion(BaseModel):
    id: str
    question: str
    gold_papers: list[str]
    facts: list[GoldFact]


def load_report_suite(suite_dir: Path) -> list[ReportQuestion]:
    return read_records(suite_dir / "questions.jsonl", ReportQuestion, "a report suite")


def _paper_texts(paper_id: str, services: Services) -> list[str]:
    snapshot = snapshot_by_id().get(paper_id)
    return ([snapshot.abstract] if snapshot else []) + services.library.stored_texts(paper_id)


FACT_OVERLAP = 0.6


def fact_covered(fact: GoldFact, report: Report) -> bool:
    """Some claim of the report states the gold fact: it quotes the fact's sentence, or shares most of its words."""
    return any((c.paper_id == fact.paper_id and fact.sentence.strip() in c.quote)
               or overlap(fact.fact, c.text) >= FACT_OVERLAP for c in report.claims)


def score_question(item: ReportQuestion, report: Report, services: Services) -> dict:
    read = {paper.id for paper in report.papers}
    verbatim = [is_verbatim(claim.quote, _paper_texts(claim.paper_id, services)) for claim in report.claims]
    facts = []
    for number, fact in enumerate(item.facts, start=1):
        claim = Claim(id=f"F{number}", text=fact.fact, paper_id=fact.paper_id, quote="")
        result = verify(claim, RunContext(services))
        facts.append({"fact": fact.fact, "gold": fact.label, "predicted": result.verdict,
                      "confidence": result.confidence, "correct": result.verdict == fact.label})
    checks = report.review.checks
    citing, precision = (checks.answer_sentences_citing_claims, checks.answer_citation_precision) if checks else (None,
                                                                                                                 None)
    return {
        "id": item.id, "gold_paper_recall": len(read & set(item.gold_papers)) / len(item.gold_papers),
        "gold_facts_covered": sum(fact_covered(fact, report) for fact in item.facts), "gold_facts": len(item.facts),
        "refuted_by_own_source": sum(any(e.is_source and e.stance == "REFUTED" for e in c.evidence)
                                     for c in report.claims),
        "background_or_fragment_claims": [c.text for c in report.claims if not is_claim(statement_role(c.text))],
        "answer_sentences_citing": [citing.count, citing.total] if citing else None,
        "answer_citation_precision": [precision.count, precision.total] if precision else None,
        "review_score": report.review.score,
        "gold_papers_read": sorted(read & set(item.gold_papers)), "papers_read": len(read),
        "claims": len(report.claims), "verbatim_quote_share": statistics.fmean(verbatim) if verbatim else None,
        "fact_accuracy": statistics.fmean(f["correct"] for f in facts) if facts else None, "facts": facts,
        "wall_seconds": report.usage.wall_seconds,
    }


def run_report_eval(suite_dir: Path, services: Services, out_dir: Path, *, limit: int | None = None,
                    on_progress: Callable[[int, int], None] | None = None) -> dict:
    questions = load_report_suite(suite_dir)
    questions = questions[:limit] if limit else questions
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for done, item in enumerate(questions, start=1):
        question_dir = out_dir / item.id
        scored_path = question_dir / "score.json"
        if scored_path.exists():
            rows.append(json.loads(scored_path.read_text(encoding="utf-8")))
        else:
            report_path = question_dir / "report.json"
            report = (Report.model_validate_json(report_path.read_text(encoding="utf-8")) if report_path.exists()
                      else run_research(item.question, services, question_dir))
            row = score_question(item, report, services)
            scored_path.write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")
            rows.append(row)
        if on_progress:
            on_progress(done, len(questions))
    all_facts = [f for row in rows for f in row["facts"]]
    quote_shares = [row["verbatim_quote_share"] for row in rows if row["verbatim_quote_share"] is not None]
    metrics = {
        "suite": str(suite_dir), "n_questions": len(rows),
        "provider": {"name": services.provider.name, "model": services.provider.model},
        "gold_paper_recall": round(statistics.fmean(r["gold_paper_recall"] for r in rows), 4) if rows else None,
        "verbatim_quote_share": round(statistics.fmean(quote_shares), 4) if quote_shares else None,
        "fact_accuracy": round(statistics.fmean(f["correct"] for f in all_facts), 4) if all_facts else None,
        "gold_facts_covered": [sum(r.get("gold_facts_covered", 0) for r in rows),
                               sum(r.get("gold_facts", 0) for r in rows)],
        "refuted_by_own_source": sum(r.get("refuted_by_own_source", 0) for r in rows),
        "background_or_fragment_claims": sum(len(r.get("background_or_fragment_claims", [])) for r in rows),
        "claims": sum(r["claims"] for r in rows),
        "answer_sentences_citing": _summed(rows, "answer_sentences_citing"),
        "answer_citation_precision": _summed(rows, "answer_citation_precision"),
        "fact_accuracy_by_label": {
            label: round(statistics.fmean(f["correct"] for f in all_facts if f["gold"] == label), 4)
            for label in sorted({f["gold"] for f in all_facts})},
        "questions": [{k: v for k, v in row.items() if k != "facts"} for row in rows],
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def _summed(rows: list[dict], key: str) -> list[int] | None:
    pairs = [r[key] for r in rows if r.get(key)]
    return [sum(p[0] for p in pairs), sum(p[1] for p in pairs)] if pairs else None
