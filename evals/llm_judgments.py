"""The LLM judge's raw label probabilities on every labelled judgment set, computed once and cached.

    python -m evals.llm_judgments [--views passage,window] [--sets arxiv-dev,arxiv-test,real,scifact,table-claims]

Two views of a pair, each one first-token call of `prompts/judge.j2`:
- `passage`: as the shipped verifier asks (the passage screened, cut into windows of whole sentences when long,
  the most decisive window counting): the prompted judge as shipped;
- `window`: the passage screened, then only its sentences closest to the claim (`tools/judge/window.py`, the
  cross-encoder's window), which is a shorter prompt.
Rows go to `OUT/llm.jsonl` as they are made (a rerun resumes); pairs are judged in a stable hashed order within
each set, so a run stopped early leaves a random sample of each set, and pairs sharing a passage follow one
another, so the passage's KV prefix is reused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from agent.records import VERDICTS
from evals.judge_data import JudgePair, judgment_sets
from prompts import render

DEFAULT_CACHE = Path("runs/judge-llm/llm.jsonl")
VIEWS = ("passage", "window")


def pair_key(view: str, pair: JudgePair) -> str:
    return hashlib.sha256(json.dumps([view, pair.claim, pair.passage]).encode()).hexdigest()[:24]


def load_cache(path: Path = DEFAULT_CACHE) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    return {row["key"]: row["raw"] for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def view_prompts(view: str, pair: JudgePair, window_of) -> list[str]:
    """The passages the LLM reads for one pair under a view (several windows for a long passage)."""
    from agent.graphs.verifier.passages import prepare, screen_passage
    from agent.graphs.verifier.state import Passage

    passage = Passage(paper_id="", title="", text=pair.passage, is_source=True)
    if view == "passage":
        return [w["text"] for w in prepare([passage])]
    return [window_of(pair.claim, screen_passage(passage)["text"])]


def judge_view(view: str, pair: JudgePair, provider, window_of) -> dict[str, float]:
    judged = [provider.label_probs(render("judge", claim=pair.claim, title="", passage=text), VERDICTS)[0]
              for text in view_prompts(view, pair, window_of)]
    return max(judged, key=lambda p: max(p["SUPPORTED"], p["REFUTED"]))


def ordered(pairs: list[JudgePair]) -> list[JudgePair]:
    """Passages in a stable hashed order, each passage's pairs together."""
    return sorted(pairs, key=lambda p: (hashlib.sha256(p.passage.encode()).hexdigest(), p.claim))


def probabilities(view: str, pairs: list[JudgePair], cache: dict) -> np.ndarray:
    """(n, 3) in `VERDICTS` order from the cache; rows not judged yet are NaN."""
    rows = [cache.get(pair_key(view, p)) for p in pairs]
    return np.array([[r[v] for v in VERDICTS] if r else [np.nan] * 3 for r in rows])


def run(views: list[str], sets: list[str], out: Path, limit: int | None = None, log=print) -> None:
    from agent.services import Services
    from agent.settings import load_settings
    from tools.judge.cross_encoder import load_judge

    services = Services(settings=load_settings(offline=True))
    window_of = load_judge().window
    done = load_cache(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    all_sets = judgment_sets()
    with out.open("a", encoding="utf-8") as handle:
        for name in sets:
            pairs = ordered(all_sets[name])[:limit]  # a prefix of the hashed order: a random sample
            started, fresh = time.time(), 0
            for pair in pairs:
                for view in views:
                    key = pair_key(view, pair)
                    if key in done:
                        continue
                    done[key] = judge_view(view, pair, services.provider, window_of)
                    handle.write(json.dumps({"key": key, "view": view, "set": name, "raw": done[key]}) + "\n")
                    handle.flush()
                    fresh += 1
                    if fresh % 50 == 0:
                        log(f"{name}: {fresh} judgments ({(time.time() - started) / fresh:.1f} s each)", flush=True)
            log(f"{name}: done, {len(pairs)} pairs", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", default=",".join(VIEWS))
    parser.add_argument("--sets", default="arxiv-dev,arxiv-test,real,scifact,table-claims")
    parser.add_argument("--out", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pairs of each set (hashed order)")
    args = parser.parse_args(argv)
    run(args.views.split(","), args.sets.split(","), args.out, args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
