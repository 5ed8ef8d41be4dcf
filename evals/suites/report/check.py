"""Check questions.jsonl: ids in snapshot, gold unchanged vs retrieval set, sentences verbatim,
labels valid, 3-5 facts per question with >=1 REFUTED, >=10 questions.
Run: .venv/bin/python evals/suites/report/check.py"""
from __future__ import annotations

import collections
import gzip
import json
from pathlib import Path

from tools.text import split_sentences

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


def main() -> None:
    snap = {}
    with gzip.open(ROOT / "tools/data/arxiv_snapshot.jsonl.gz", "rt") as fh:
        for line in fh:
            d = json.loads(line)
            snap[d["id"]] = d
    retrieval = {
        q["id"]: q for q in map(json.loads, (ROOT / "evals/retrieval/questions.jsonl").read_text().splitlines())
    }
    rows = [json.loads(l) for l in (HERE / "questions.jsonl").read_text().splitlines() if l.strip()]
    assert len(rows) >= 10, len(rows)
    assert len({r["id"] for r in rows}) == len(rows)
    labels = collections.Counter()
    for r in rows:
        ref = retrieval[r["id"]]
        assert r["question"] == ref["question"] and r["gold_papers"] == ref["gold"], r["id"]
        assert all(p in snap for p in r["gold_papers"]), r["id"]
        assert 3 <= len(r["facts"]) <= 5, r["id"]
        assert any(f["label"] == "REFUTED" for f in r["facts"]), r["id"]
        for f in r["facts"]:
            assert f["label"] in {"SUPPORTED", "REFUTED"}, f
            assert f["paper_id"] in r["gold_papers"], f
            assert f["sentence"] in split_sentences(snap[f["paper_id"]]["abstract"]), f
            assert f["fact"].strip(), f
            assert f["label"] == "SUPPORTED" or f["fact"] != f["sentence"], f
            labels[f["label"]] += 1
    diff = collections.Counter(r["difficulty"] for r in rows)
    papers = {f["paper_id"] for r in rows for f in r["facts"]}
    print(
        f"OK: {len(rows)} questions, {sum(labels.values())} facts {dict(labels)}, "
        f"{len(papers)} distinct fact papers, {sum(len(r['gold_papers']) for r in rows)} gold ids, "
        f"difficulty {dict(diff)}"
    )


if __name__ == "__main__":
    main()
