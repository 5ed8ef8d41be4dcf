"""`agent eval chat` against the scripted model server: conversations run turn by turn and are scored."""

import json

from evals.chat_runner import GroundingCheck, load_conversations, run_chat_eval, score_turn


def test_the_suite_has_a_held_out_half_and_every_kind_of_turn():
    conversations = load_conversations(split="all")
    assert len(conversations) >= 25
    held_out = [c for c in conversations if c.split == "held_out"]
    assert len(held_out) >= len(conversations) // 2
    kinds = {t["answer"] for c in conversations for t in c.turns}
    tools = {tool for c in conversations for t in c.turns for tool in (t["tools"] or [])}
    assert kinds == {"literature", "none_found", "record", "any"}
    assert {"search_papers", "verify_claim", "start_experiment", "cancel_experiment", "open_paper"} <= tools


def test_conversations_are_scored_per_turn_and_a_run_resumes(scripted_services, tmp_path):
    metrics = run_chat_eval(scripted_services, tmp_path, split="tune", limit=2)
    tune = metrics["by_split"]["tune"]
    assert tune["conversations"] == 2 and tune["unrequested_side_effects"] == 0
    assert tune["right_tool"]["share"] == 1.0 and tune["grounded"]["of"] == 4
    assert tune["cites_thread_only"]["share"] == 1.0
    assert tune["draft_cites_thread_only"]["share"] < 1.0, "the scripted model's draft cites an invented id"
    rows = [json.loads(line) for line in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["c01", "c02"]
    again = run_chat_eval(scripted_services, tmp_path, split="tune", limit=2)
    assert again["by_split"] == metrics["by_split"] and len((tmp_path / "predictions.jsonl").read_text()
                                                            .splitlines()) == 2


def test_a_sentence_is_grounded_when_it_restates_a_sentence_of_a_paper_it_cites(scripted_services):
    check = GroundingCheck(scripted_services)
    papers = {"2309.10891": {"id": "2309.10891", "title": "Self-Augmentation Improves Zero-Shot Cross-Lingual "
                             "Transfer", "abstract": "We propose SALT, which improves zero-shot cross-lingual "
                             "transfer without external parallel data."}}
    assert check.sentences_backed("SALT improves zero-shot cross-lingual transfer without parallel data "
                                  "(arXiv:2309.10891).", papers) == (1, 1, True)
    assert check.sentences_backed("Protein folding is solved by diffusion models (arXiv:2309.10891). The papers "
                                  "found do not say more.", papers) == (1, 0, True)
    assert check.sentences_backed("See arXiv:9999.99999.", papers)[2] is False
    row = score_turn({"user": "q", "tools": ["search_papers"], "answer": "none_found"},
                     {"messages": [{"role": "tool", "tool": "search_papers", "content": "…"},
                                   {"role": "assistant", "content": "I found no paper in the snapshot …"}]}, 0, check)
    assert row["right_tool"] and row["says_none_found"] and not row["unrequested_side_effect"]
