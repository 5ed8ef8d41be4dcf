"""Search benchmark: retrieval quality on the gold set beside plain BM25, and how fast a search is.

    python -m evals.search_bench                # offline; plans queries with the configured model once,
                                                # then reuses runs/search-bench/plans.json
    python -m evals.search_bench --replan       # plan again
    python -m evals.search_bench --skip-speed   # quality only

Retrieval (recall@10, recall@20, MRR of the first gold paper), per half of the gold set (`tune`: what the
ranking was designed on; `held_out`: never tuned on) and per subset (`easy`: shared vocabulary,
`paraphrase`, `long`: 35 words or more), for:
  bm25                 plain BM25 of the question over the snapshot: the baseline every subset is held to;
  embeddings           the question's embedding cosine over the snapshot;
  question (hybrid)    BM25 and embeddings fused: what `agent search QUESTION` does;
  planned (hybrid)     the question and the model's planned queries, fused by specificity: what `agent ask` reads.
Speed, each measured in this run: building the snapshot index (BM25 matrix; vectors load), a warm query in
process, and a cold `agent search` (a new process) on a data directory where the index is built.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from agent.literature.plan import make_plan
from agent.services import Services
from agent.settings import load_settings
from tools.llm.base import InvalidModelOutput
from tools.snapshot_index import SnapshotIndex

QUESTIONS_PATH = Path(__file__).parent / "retrieval" / "questions.jsonl"
CUTOFFS = (10, 20)
LONG_WORDS = 35
CONFIGS = ("bm25", "embeddings", "question (hybrid)", "planned (hybrid)")


def load_questions(path: Path = QUESTIONS_PATH) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def subsets(item: dict) -> list[str]:
    names = ["all", item.get("difficulty", "")]
    if len(item["question"].split()) >= LONG_WORDS:
        names.append("long")
    return [n for n in names if n]


def retrieval_metrics(ranked: list[str], gold: set[str]) -> dict[str, float]:
    row = {f"recall@{k}": len(gold & set(ranked[:k])) / len(gold) for k in CUTOFFS}
    first = next((rank for rank, pid in enumerate(ranked, start=1) if pid in gold), None)
    row["mrr"] = 1.0 / first if first else 0.0
    return row


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.fmean(row[key] for row in rows), 3) for key in rows[0]}


def plan_all(questions: list[dict], services: Services, plans_path: Path, replan: bool) -> dict[str, list[str]]:
    plans: dict[str, list[str]] = {}
    if plans_path.exists() and not replan:
        plans = json.loads(plans_path.read_text(encoding="utf-8"))
    for item in questions:
        if item["id"] in plans:
            continue
        try:
            queries, _ = make_plan(item["question"], services.provider)
        except InvalidModelOutput:
            queries = []
        plans[item["id"]] = queries
        print(f"planned {item['id']}: {queries}", flush=True)
        plans_path.parent.mkdir(parents=True, exist_ok=True)
        plans_path.write_text(json.dumps(plans, indent=1, ensure_ascii=False), encoding="utf-8")
    return plans


def _top(scores: np.ndarray, ids: list[str], k: int = 20, positive: bool = False) -> list[str]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [ids[i] for i in order if not positive or scores[i] > 0]


def rankings_for(item: dict, services: Services, queries: list[str]) -> dict[str, list[str]]:
    search = services.search
    snapshot = search.snapshot
    question = item["question"]
    return {
        "bm25": _top(snapshot.lexical_scores(question), snapshot.ids, positive=True),
        "embeddings": _top(snapshot.dense_scores(services.library.embedder.embed([question])[0]), snapshot.ids),
        "question (hybrid)": [p.id for p in search.search([], question, limit=20).papers],
        "planned (hybrid)": [p.id for p in search.search(queries, question, limit=20).papers],
    }


def bench_retrieval(questions: list[dict], services: Services, plans: dict[str, list[str]]) -> dict:
    table: dict[str, dict[str, dict[str, list[dict]]]] = {}
    per_question = []
    for item in questions:
        ranked = rankings_for(item, services, plans.get(item["id"], []))
        gold = set(item["gold"])
        row = {"id": item["id"], "split": item.get("split", "tune"), "subsets": subsets(item)}
        for name, ids in ranked.items():
            metrics = retrieval_metrics(ids, gold)
            row[name] = metrics
            for subset in row["subsets"]:
                table.setdefault(row["split"], {}).setdefault(subset, {}).setdefault(name, []).append(metrics)
        row["missed"] = sorted(gold - set(ranked["planned (hybrid)"]))
        per_question.append(row)
    summary = {split: {subset: {name: {**mean_metrics(rows), "n": len(rows)} for name, rows in configs.items()}
                       for subset, configs in by_subset.items()} for split, by_subset in table.items()}
    return {"summary": summary, "questions": per_question}


def bench_speed(services: Services, query: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        index = SnapshotIndex(Path(scratch))
        index.lexical_scores(query)
        build = time.perf_counter() - started
        started = time.perf_counter()
        _ = index.vectors
        vectors = time.perf_counter() - started
    search = services.search
    search.search([], query, limit=20)  # warm
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        search.search([], query, limit=20)
        warm.append(time.perf_counter() - started)
    env = {**os.environ, "AGENT_DATA_DIR": str(services.settings.data_dir), "AGENT_OFFLINE": "1"}
    cold = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent.cli", "search", query, "--k", "20", "--json"], env=env,
                       check=True, capture_output=True)
        cold.append(time.perf_counter() - started)
    return {"index_build_s": round(build, 2), "vectors_load_s": round(vectors, 3),
            "warm_query_ms": round(1000 * statistics.median(warm), 1), "cold_cli_search_s": round(min(cold), 2)}


def _print_summary(summary: dict) -> None:
    for split in ("tune", "held_out"):
        if split not in summary:
            continue
        for subset in ("all", "easy", "paraphrase", "long"):
            configs = summary[split].get(subset)
            if not configs:
                continue
            n = next(iter(configs.values()))["n"]
            print(f"\n{split} · {subset} (n={n})")
            print(f"  {'configuration':<20} {'recall@10':>10} {'recall@20':>10} {'MRR':>7}")
            for name in CONFIGS:
                row = configs[name]
                print(f"  {name:<20} {row['recall@10']:>10.3f} {row['recall@20']:>10.3f} {row['mrr']:>7.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=QUESTIONS_PATH)
    parser.add_argument("--out", type=Path, default=Path("runs/search-bench"))
    parser.add_argument("--replan", action="store_true", help="Plan queries again instead of reusing plans.json.")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--split", choices=("tune", "held_out"), default=None, help="Only this half.")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)

    questions = [q for q in load_questions(args.questions) if args.split is None or q.get("split") == args.split]
    services = Services(settings=load_settings(offline=True, data_dir=args.data_dir))
    plans = plan_all(questions, services, args.out / "plans.json", args.replan)
    retrieval = bench_retrieval(questions, services, plans)
    results = {"n_questions": len(questions), "model": services.settings.model, "retrieval": retrieval["summary"],
               "per_question": retrieval["questions"]}
    print(f"retrieval on {len(questions)} questions, offline snapshot")
    _print_summary(retrieval["summary"])
    if not args.skip_speed:
        speed = bench_speed(services, questions[0]["question"])
        results["speed"] = speed
        print(f"\nspeed: snapshot index built in {speed['index_build_s']} s (vectors load "
              f"{speed['vectors_load_s']} s); warm query {speed['warm_query_ms']} ms; cold `agent search` "
              f"{speed['cold_cli_search_s']} s")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
