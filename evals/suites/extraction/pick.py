"""Reproduce the candidate draw for the extraction suite (prints candidates in draw order).

Run from the repository root: python evals/suites/extraction/pick.py
"""
import gzip
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from tools.text import split_sentences  # noqa: E402

SEED = 20260712
XL = re.compile(r"cross-lingual|crosslingual|multilingual|low-resource|code-switch", re.I)
NUM = re.compile(r"\d+(\.\d+)?\s*(%|points|BLEU|F1|accuracy)", re.I)

excluded = set()
for d in ("evals/suites/arxiv-claims", "evals/retrieval"):
    for path in (ROOT / d).rglob("*"):
        if path.is_file():
            excluded |= set(re.findall(r"\b(\d{4}\.\d{4,5})(?:v\d+)?\b", path.read_text(errors="ignore")))

pool_x, pool_o = [], []
with gzip.open(ROOT / "tools/data/arxiv_snapshot.jsonl.gz", "rt") as f:
    for line in f:
        p = json.loads(line)
        if p["id"].split("v")[0] in excluded or "cs.CL" not in (p.get("categories") or []):
            continue
        n = len(split_sentences(p["abstract"]))
        if not 4 <= n <= 12 or not NUM.search(p["abstract"]):
            continue
        (pool_x if XL.search(p["title"] + " " + p["abstract"]) else pool_o).append(p)
pool_x.sort(key=lambda p: p["id"])
pool_o.sort(key=lambda p: p["id"])
print(f"pool: cross-lingual={len(pool_x)} other={len(pool_o)}")
rng = random.Random(SEED)
for tag, cands in (("X", rng.sample(pool_x, 40)), ("O", rng.sample(pool_o, 14))):
    for i, p in enumerate(cands):
        print(tag, i, p["id"], p["title"][:90])
