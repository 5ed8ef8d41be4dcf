"""The whole research graph against the scripted chat server, the real library and real embeddings."""

import json
import re

import jsonschema
import pytest

from agent.claims.citations import CITATION
from agent.claims.roles import is_claim, statement_role
from agent.claims.verdicts import claim_standing
from agent.graphs.research.run import run_research
from agent.report.checks import citation_problems
from agent.report.model import SCHEMA_PATH, Report, Share
from prompts import echoed_instructions
from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY
from tools.snapshot import snapshot_by_id


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, data_dir, chat_server):
    from agent.services import Services
    from agent.settings import load_settings

    out_dir = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENAI_API_KEY", TEST_API_KEY)
        settings = load_settings(provider="openai", model="scripted", openai_base_url=chat_server.base_url,
                                 data_dir=data_dir, offline=True)
        events: list[dict] = []
        report = run_research(EXAMPLE_QUESTION, Services(settings=settings), out_dir, on_event=events.append)
    return report, out_dir, events


def test_report_has_enough_claims_from_enough_papers(finished_run):
    report, _, _ = finished_run
    assert len(report.claims) >= 8
    assert len({c.paper_id for c in report.claims}) >= 4
    assert [c.id for c in report.claims] == [f"C{i}" for i in range(1, len(report.claims) + 1)]


def test_every_quote_is_verbatim_in_its_paper(finished_run):
    report, _, _ = finished_run
    papers = snapshot_by_id()
    for claim in report.claims:
        assert claim.quote and claim.quote in papers[claim.paper_id].abstract
        assert claim.evidence, f"{claim.id} was judged against no passage"
        assert any(e.paper_id == claim.paper_id for e in claim.evidence), "the source paper is always evidence"
        for evidence in claim.evidence:
            assert evidence.quote in papers[evidence.paper_id].abstract
        assert 0.0 <= claim.confidence <= 1.0


def test_answer_cites_only_existing_claims_and_references_match_citations(finished_run):
    report, _, _ = finished_run
    cited = set(re.findall(r"C\d+", " ".join(re.findall(r"\[(C[^\]]*)\]", report.answer))))
    assert cited and cited <= {c.id for c in report.claims}
    used = {c.paper_id for c in report.claims} | {e.paper_id for c in report.claims for e in c.evidence}
    assert {p.id for p in report.papers} == used
    assert any("C999" in w for w in report.warnings)
    assert citation_problems(report) == []
    by_id = {c.id: c for c in report.claims}
    for match in CITATION.finditer(report.answer):  # each citation names the papers of its claims
        claim_ids = [i.strip() for i in match.group(1).split(",")]
        assert match.group(2) and {f"arXiv:{by_id[i].paper_id}" for i in claim_ids} == {
            ref.strip() for ref in match.group(2).split(",")}


def test_computed_checks_and_method_come_from_the_run(finished_run):
    report, _, _ = finished_run
    checks = report.review.checks
    assert checks.claims_with_verbatim_quote == Share.of(len(report.claims), len(report.claims))
    assert all(c.quote_verbatim for c in report.claims)
    assert checks.evidence_quotes_verbatim.value == 1.0
    assert checks.answer_citations_resolved.value == 1.0
    assert checks.claims_verified.total == report.method.claims_extracted
    assert 0 < checks.references_cited_in_answer.count <= len(report.papers)
    assert report.method.papers_cited == len(report.papers)
    assert report.method.models["embeddings"] == "all-MiniLM-L6-v2"
    assert all(c.standing == claim_standing(c) for c in report.claims)
    assert checks.answer_citation_precision.total == checks.answer_sentences_citing_claims.count > 0


def test_claims_are_findings_about_the_question_and_never_refuted_by_their_own_source(finished_run):
    report, _, _ = finished_run
    for claim in report.claims:
        assert is_claim(statement_role(claim.text)), f"{claim.id} is background, an aim or a fragment: {claim.text}"
        assert all(e.stance != "REFUTED" for e in claim.evidence if e.is_source), claim.id
        assert claim.faithfulness is not None and claim.relevance in ("direct", "related", "background")
        assert claim.rewritten_from is None or claim.faithfulness >= 0.5, "a rewritten claim is entailed by its quote"
    tiers = [("direct", "related", "background").index(c.relevance) for c in report.claims]
    assert tiers == sorted(tiers), "C1…Cn run from the claims most relevant to the question"
    assert "direct" in {c.relevance for c in report.claims}


def test_nothing_the_prompts_say_appears_in_the_report(finished_run):
    _, out_dir, _ = finished_run
    for name in ("report.md", "report.json"):
        assert echoed_instructions((out_dir / name).read_text()) == [], name


def test_html_report_is_written_beside_the_json(finished_run):
    report, out_dir, _ = finished_run
    html = (out_dir / "report.html").read_text()
    assert f'<tr id="{report.claims[0].id}"' in html and "<h2>References</h2>" in html
    assert (out_dir / "figures" / "claims.png").exists()


def test_report_files_match_the_published_schema(finished_run):
    report, out_dir, _ = finished_run
    data = json.loads((out_dir / "report.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    assert Report.model_validate(data) == report
    markdown = (out_dir / "report.md").read_text()
    assert report.answer in markdown and "## Claims" in markdown and "## References" in markdown
    assert "not calibrated" in markdown


def test_method_usage_and_review_are_recorded(finished_run):
    report, _, events = finished_run
    assert report.method.papers_read == 6 and report.method.claims_verified == len(report.claims)
    assert sum(report.method.verdicts.values()) == len(report.claims)
    assert report.usage.llm_calls == sum(n.llm_calls for n in report.usage.per_node.values())
    assert {"plan", "extract", "verify.judge", "synthesize", "review"} <= set(report.usage.per_node)
    assert report.usage.prompt_tokens > 0 and report.usage.wall_seconds > 0
    assert [c.criterion for c in report.review.criteria] == report.review.rubric and report.review.score is not None
    assert report.provider.name == "openai" and report.provider.model == "scripted"
    stages = {e["stage"] for e in events}
    assert {"plan", "search", "read", "extract", "collect", "verify", "synthesize", "review", "report"} <= stages


def test_nothing_written_contains_the_api_key(finished_run, data_dir):
    _, out_dir, _ = finished_run
    checked = 0
    for path in [*out_dir.rglob("*"), *data_dir.rglob("*")]:  # reports, checkpoints, caches, logs, the store
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 50_000_000:
            assert TEST_API_KEY.encode() not in path.read_bytes(), path
            checked += 1
    assert checked > 10 and (data_dir / "runs.sqlite").exists()


def test_schema_file_is_in_sync_with_the_model():
    assert json.loads(SCHEMA_PATH.read_text()) == Report.model_json_schema()
