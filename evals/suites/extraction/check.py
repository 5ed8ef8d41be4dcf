"""Validate abstracts.jsonl against the bundled arXiv snapshot.

Run from the repository root: python evals/suites/extraction/check.py
"""
import collections
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from tools.text import split_sentences  # noqa: E402

KINDS = {"result", "method", "dataset", "comparison"}


def main() -> int:
    snap = {}
    with gzip.open(ROOT / "tools/data/arxiv_snapshot.jsonl.gz", "rt") as f:
        for line in f:
            p = json.loads(line)
            snap[p["id"]] = p
    excluded = set()
    for d in ("evals/suites/arxiv-claims", "evals/retrieval"):
        for path in (ROOT / d).rglob("*"):
            if path.is_file():
                excluded |= set(re.findall(r"\b(\d{4}\.\d{4,5})", path.read_text(errors="ignore")))
    rows = [json.loads(l) for l in open(Path(__file__).parent / "abstracts.jsonl")]
    errors, kinds, seen = [], collections.Counter(), set()
    num = re.compile(r"\d+(?:[.,]\d+)*")
    for r in rows:
        pid = r["paper_id"]
        if pid in seen:
            errors.append(f"{pid}: duplicate")
        seen.add(pid)
        if pid in excluded:
            errors.append(f"{pid}: appears in arxiv-claims/retrieval")
        if pid not in snap:
            errors.append(f"{pid}: not in snapshot"); continue
        abstract = snap[pid]["abstract"]
        if r["sentences"] != split_sentences(abstract):
            errors.append(f"{pid}: sentences != split_sentences(abstract)")
        if r["title"] != snap[pid]["title"]:
            errors.append(f"{pid}: title mismatch")
        if not r["claims"]:
            errors.append(f"{pid}: no claims")
        for c in r["claims"]:
            kinds[c["kind"]] += 1
            if c["kind"] not in KINDS:
                errors.append(f"{pid}: bad kind {c['kind']}")
            if not c["sentences"] or any(
                not isinstance(i, int) or not 0 <= i < len(r["sentences"]) for i in c["sentences"]
            ):
                errors.append(f"{pid}: bad sentence index {c['sentences']}")
                continue
            # numbers must be copied from the abstract (names such as "Gemma-2-9b-it" may
            # come from a sentence other than the cited ones, so check the whole abstract)
            for n in num.findall(c["claim"]):
                if n not in abstract:
                    errors.append(f"{pid}: number {n!r} not in abstract: {c['claim']}")
    if len(rows) < 30:
        errors.append(f"only {len(rows)} abstracts")
    for e in errors:
        print("ERROR", e)
    n_claims = sum(kinds.values())
    print(f"abstracts={len(rows)} claims={n_claims} per_kind={dict(sorted(kinds.items()))}")
    lens = [len(r["sentences"]) for r in rows]
    print(f"sentences per abstract: min={min(lens)} max={max(lens)}; claims per abstract: "
          f"min={min(len(r['claims']) for r in rows)} max={max(len(r['claims']) for r in rows)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
