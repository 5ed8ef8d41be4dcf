"""`agent eval report` on one question, with the scripted chat server as the model (deterministic)."""

import json

from evals.report_runner import run_report_eval
from tests.conftest import EXAMPLE_QUESTION


def test_report_eval_scores_papers_quotes_and_facts(tmp_path, scripted_services, chat_server):
    suite = tmp_path / "suite"
    suite.mkdir()
    salt = ("Experimental results on XNLI and PAWS-X show that our method is able to improve zero-shot "
            "cross-lingual transferability without external data.")
    row = {"id": "q1", "question": EXAMPLE_QUESTION, "gold_papers": ["2309.10891", "0000.00000"],
           "facts": [{"fact": "Experimental results on XNLI and PAWS-X show that SALT is able to improve zero-shot "
                              "cross-lingual transferability without external data.",
                      "paper_id": "2309.10891", "sentence": salt, "label": "SUPPORTED"}]}
    (suite / "questions.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    metrics = run_report_eval(suite, scripted_services, out)
    assert metrics["n_questions"] == 1 and (out / "q1" / "report.json").exists()
    question = metrics["questions"][0]
    assert 0 <= question["gold_paper_recall"] <= 0.5, "the made-up gold id can never be read"
    assert metrics["verbatim_quote_share"] == 1.0
    assert metrics["fact_accuracy"] == 1.0 and metrics["fact_accuracy_by_label"] == {"SUPPORTED": 1.0}
    assert metrics["refuted_by_own_source"] == 0 and metrics["background_or_fragment_claims"] == 0
    assert metrics["claims"] == question["claims"] > 0 and metrics["gold_facts_covered"][1] == 1
    citing, precision = metrics["answer_sentences_citing"], metrics["answer_citation_precision"]
    assert 0 < citing[0] <= citing[1] and precision[1] == citing[0] and 0 <= precision[0] <= precision[1]
    before = len(chat_server.requests)
    assert run_report_eval(suite, scripted_services, out)["fact_accuracy"] == 1.0
    assert len(chat_server.requests) == before, "a scored question is not run again"
