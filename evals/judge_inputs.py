"""What each judge says about every labelled pair, and the program's signals on it: the stack's inputs.

- the LLM: its cached raw probabilities (`evals/llm_judgments.py`), per view (`window`, `passage`);
- the cross-encoder: on SciFact its out-of-fold probabilities (`agent eval train-judge --cv`: a model that
  never trained on the claim's family), elsewhere the shipped model's (never trained on those sets; the real-run
  pairs' fit half is the exception, and is marked so);
- the signals (`tools/judge/signals.py`), from the passage's sentences matched to the claim.
Cross-encoder probabilities and signals are cached in `OUT/inputs.jsonl`, keyed by the pair and the shipped
weights' sha256, so a rerun computes only what is new.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.records import VERDICTS
from evals.judge_data import JudgePair
from evals.llm_judgments import load_cache, pair_key
from tools.judge.signals import PairSignals, pair_signals
from tools.judge.window import SentenceMatch, match_sentences
from tools.text import split_sentences

DEFAULT_OOF = Path("runs/train-judge/all/oof.jsonl")


@dataclass
class PairInputs:
    cross_encoder: dict[str, float]
    signals: PairSignals
    llm: dict[str, dict[str, float]]  # view -> raw probabilities (a view not judged yet is absent)


def _oof_by_pair(path: Path, scifact: list[JudgePair]) -> dict[int, dict[str, float]]:
    """Out-of-fold rows are written per group in the order of the group's cited pairs."""
    rows: dict[str, list[dict]] = {}
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        rows.setdefault(row["group"], []).append(row["probabilities"])
    taken: dict[str, int] = {}
    out = {}
    for index, pair in enumerate(scifact):
        position = taken.get(pair.group, 0)
        taken[pair.group] = position + 1
        out[index] = rows[pair.group][position]
    return out


def _input_key(pair: JudgePair, weights_sha: str) -> str:
    return hashlib.sha256(json.dumps([weights_sha, pair.claim, pair.passage]).encode()).hexdigest()[:24]


def gather_inputs(sets: dict[str, list[JudgePair]], out: Path, llm_cache: Path, oof: Path = DEFAULT_OOF,
                  log=print) -> dict[str, list[PairInputs]]:
    from tools.judge.cross_encoder import MANIFEST_PATH, JudgeManifest, load_judge

    judge = load_judge()
    weights_sha = JudgeManifest.read(MANIFEST_PATH).sha256
    cache_path = out / "inputs.jsonl"
    cached = {}
    if cache_path.exists():
        cached = {row["key"]: row for row in map(json.loads, cache_path.read_text(encoding="utf-8").splitlines())}
    llm = load_cache(llm_cache)
    if "scifact" in sets and not oof.exists():
        raise FileNotFoundError(f"{oof}: the cross-encoder's out-of-fold SciFact probabilities "
                                "(agent eval train-judge --cv) are needed: the shipped model trained on SciFact")
    oof_rows = _oof_by_pair(oof, sets["scifact"]) if "scifact" in sets else {}
    out.mkdir(parents=True, exist_ok=True)
    # SciFact's cross-encoder column comes from the out-of-fold file: only its sentences' cosines are computed
    missing = {_input_key(p, weights_sha): (p, name != "scifact") for name, pairs in sets.items() for p in pairs}
    missing = {k: v for k, v in missing.items() if k not in cached or (v[1] and cached[k]["cross_encoder"] is None)}
    if missing:
        log(f"  inputs: {len(missing)} pairs")
        with cache_path.open("a", encoding="utf-8") as handle:
            for row in _judge_in_batches(judge, list(missing.items())):
                cached[row["key"]] = row
                handle.write(json.dumps(row) + "\n")
            handle.flush()
    result: dict[str, list[PairInputs]] = {}
    for name, pairs in sets.items():
        result[name] = []
        for index, pair in enumerate(pairs):
            row = cached[_input_key(pair, weights_sha)]
            # signals are recomputed each time (cheap once the sentences' cosines are known)
            match = SentenceMatch(pair.passage, split_sentences(pair.passage),
                                  np.array(row["similarities"], dtype=np.float32))
            cross_encoder = oof_rows[index] if name == "scifact" else row["cross_encoder"]
            views = {view: llm[k] for view in ("window", "passage") if (k := pair_key(view, pair)) in llm}
            result[name].append(PairInputs(cross_encoder, pair_signals(pair.claim, match), views))
    return result


def _looked_up(vectors: dict[str, np.ndarray], texts: list[str]) -> np.ndarray:
    return np.stack([vectors[t] for t in texts])


def _judge_in_batches(judge, keyed: list[tuple[str, tuple[JudgePair, bool]]], chunk: int = 128):
    """Cache rows for pairs, a chunk at a time: every sentence and claim embedded in one pass, then the windows
    of the pairs that need it through the cross-encoder in its batches (per pair, both cost several times more)."""
    for start in range(0, len(keyed), chunk):
        part = keyed[start:start + chunk]
        pairs = [pair for _, (pair, _) in part]
        texts = list(dict.fromkeys(t for p in pairs for t in [p.claim, *split_sentences(p.passage)]))
        vectors = dict(zip(texts, judge.embed(texts), strict=True))
        embedded = functools.partial(_looked_up, vectors)
        matches = [match_sentences(p.claim, p.passage, embedded) for p in pairs]
        judged = [i for i, (_, (_, needs)) in enumerate(part) if needs]
        probabilities = dict(zip(judged, judge.pair_probabilities(
            [pairs[i].claim for i in judged], [matches[i].window(judge.window_sentences) for i in judged]),
            strict=True))
        for i, ((key, _), match) in enumerate(zip(part, matches, strict=True)):
            yield {"key": key, "cross_encoder": probabilities.get(i),
                   "similarities": [round(float(x), 5) for x in match.similarities]}


def probability_matrix(rows: list[dict[str, float] | None]) -> np.ndarray:
    return np.array([[r[v] for v in VERDICTS] if r else [np.nan] * 3 for r in rows])
