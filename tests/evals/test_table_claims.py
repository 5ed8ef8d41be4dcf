"""The table-claims suite: built deterministically from the bundled tables, balanced, and true to them."""

import importlib.util
import json
import re
from pathlib import Path

from evals.suite import load_suite

SUITE = Path(__file__).resolve().parents[2] / "evals" / "suites" / "table-claims"


def _builder():
    spec = importlib.util.spec_from_file_location("table_claims_build", SUITE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_suite_is_what_the_builder_writes(tmp_path):
    _builder().build(tmp_path)
    for name in ("claims.jsonl", "corpus.jsonl"):
        assert (tmp_path / name).read_text() == (SUITE / name).read_text()


def test_labels_are_balanced_and_stated_cells_are_in_their_table():
    items, corpus = load_suite(SUITE)
    assert {label: sum(i.label == label for i in items) for label in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")} == {
        "SUPPORTED": 50, "REFUTED": 50, "NOT_ENOUGH_INFO": 50}
    for item in items:
        table = corpus[item.cited_doc_ids[0]].abstract
        number = re.search(r"\b\d+\.\d\b", item.claim)
        if number and " than " not in item.claim and "outperforms" not in item.claim:
            model = re.split(r" (reaches|scores|obtains) ", item.claim.replace("With ", "").split(", ", 1)[-1])[0]
            line = next((s for s in corpus[item.cited_doc_ids[0]].sentences if s.startswith(f"{model}:")), "")
            cells = dict(re.findall(r"([A-Za-z][\w-]*) (\d+\.\d)", line.split(": ", 1)[-1]))
            column = next((c for c in cells if re.search(rf"\b(in|on) {re.escape(c)}\b", item.claim)), None)
            if item.label == "SUPPORTED":
                assert cells[column] == number.group(0), item.claim
            elif item.label == "REFUTED":
                assert cells[column] != number.group(0), item.claim
        assert json.dumps(table)  # every document is plain text
