"""The shipped arXiv verification suite: rebuildable, balanced, and each kind of claim made as documented."""

import json

from agent.claims.anchoring import overlap
from evals.build_arxiv_suite import OUT_DIR, build, contradict
from evals.suite import load_suite


def test_suite_is_what_the_builder_makes(tmp_path):
    counts = build(tmp_path)
    assert counts["dev"] + counts["test"] >= 300
    for split in ("dev", "test"):
        for name in ("claims.jsonl", "corpus.jsonl"):
            assert (tmp_path / split / name).read_text() == (OUT_DIR / split / name).read_text()


def test_splits_are_disjoint_and_balanced():
    dev_items, dev_corpus = load_suite(OUT_DIR / "dev")
    test_items, test_corpus = load_suite(OUT_DIR / "test")
    assert not set(dev_corpus) & set(test_corpus)
    for items in (dev_items, test_items):
        labels = [item.label for item in items]
        assert labels.count("SUPPORTED") == labels.count("REFUTED") == labels.count("NOT_ENOUGH_INFO")


def test_each_kind_of_claim_is_made_as_documented():
    for split in ("dev", "test"):
        _, corpus = load_suite(OUT_DIR / split)
        for line in (OUT_DIR / split / "claims.jsonl").read_text().splitlines():
            row = json.loads(line)
            doc = corpus[row["cited_doc_ids"][0]]
            provenance = row["provenance"]
            if row["id"].endswith("-S") or row["id"].endswith("-C"):
                (entries,) = row["evidence"].values()
                assert doc.sentences[entries[0]["sentences"][0]] == provenance["source_sentence"]
            if row["id"].endswith("-C"):
                assert row["claim"] != provenance["source_sentence"] and provenance["edit"]
            if row["id"].endswith("-N"):
                assert row["evidence"] == {} and provenance["from_paper"] != doc.doc_id
                assert max(overlap(row["claim"], s) for s in doc.sentences) < 0.5


def test_controlled_edits():
    assert contradict("XLM-R gains 4.5 points on XNLI.")[1] == "number 4.5->16.0"
    assert contradict("Fine-tuning MMS-300M helps on XNLI.")[1] == "swap XNLI->PAWS-X"
    assert contradict("Our method outperforms the baseline.")[0] == "Our method underperforms the baseline."
    assert contradict("Nothing to edit here.") is None
