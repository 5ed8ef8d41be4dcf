"""Search benchmark: retrieval quality on a gold set, indexing throughput and query latency.

    python -m evals.search_bench                # offline; plans queries with the configured model once,
                                                # then reuses runs/search-bench/plans.json
    python -m evals.search_bench --replan       # plan again

Retrieval (recall@10, recall@20, MRR of the first gold paper) for:
  embeddings only      the question against the snapshot's Chroma index (the bare vector-store baseline);
  question alone       the question through the hybrid ranker (BM25 + embeddings + library, fused);
  question + rerank    the question's pool reranked (tools/rerank.py), no planning;
  planned queries      the question and the model's planned queries, fused, no rerank;
  planned + rerank     the same pool reranked against the question (what the research graph uses).
Speed, each next to bare Chroma on the same machine in the same run, as a ratio:
  indexing: papers/s through `PaperLibrary.add_papers` (embedding + dedup + upsert) vs `collection.add`
            of precomputed embeddings;
  query:    p50/p95 latency of one hybrid query vs one bare `collection.query` with a precomputed vector.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from agent.literature.plan import make_plan
from agent.services import Services
from agent.settings import load_settings
from tools.embeddings import default_embedder
from tools.library import PaperLibrary
from tools.llm.base import InvalidModelOutput
from tools.snapshot import load_snapshot, paper_document

QUESTIONS_PATH = Path(__file__).parent / "retrieval" / "questions.jsonl"
CUTOFFS = (10, 20)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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


def bench_retrieval(questions: list[dict], services: Services, plans: dict[str, list[str]]) -> dict:
    search = services.search
    per_config: dict[str, list[dict]] = {name: [] for name in
                                         ("embeddings only", "question alone", "question + rerank",
                                          "planned queries", "planned + rerank")}
    per_question = []
    for item in questions:
        gold = set(item["gold"])
        question = item["question"]
        queries = plans.get(item["id"], [])
        ranked = {
            "embeddings only": [h.paper_id for h in services.library.search_snapshot(question, k=20)],
            "question alone": [p.id for p in search.search([], question, limit=20, rerank=False).papers],
            "question + rerank": [p.id for p in search.search([], question, limit=20, rerank=True).papers],
            "planned queries": [p.id for p in search.search(queries, question, limit=20, rerank=False).papers],
            "planned + rerank": [p.id for p in search.search(queries, question, limit=20, rerank=True).papers],
        }
        row = {"id": item["id"], "difficulty": item.get("difficulty", "")}
        for name, ids in ranked.items():
            metrics = retrieval_metrics(ids, gold)
            per_config[name].append(metrics)
            row[name] = metrics
        row["missed"] = sorted(gold - set(ranked["planned + rerank"]))
        row["queries"] = queries
        per_question.append(row)
    return {"configs": {name: mean_metrics(rows) for name, rows in per_config.items()}, "questions": per_question}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def bench_speed(services: Services, questions: list[dict], n_index: int = 400) -> dict:
    embedder = default_embedder()
    papers = load_snapshot()[:n_index]
    with tempfile.TemporaryDirectory() as scratch:
        library = PaperLibrary(Path(scratch) / "chroma", embedder)
        started = time.perf_counter()
        library.add_papers(papers)
        ours = len(papers) / (time.perf_counter() - started)
        vectors = embedder.embed([paper_document(p) for p in papers])
        bare = library.client.get_or_create_collection("bare_bench", embedding_function=None,
                                                       metadata={"hnsw:space": "cosine"})
        started = time.perf_counter()
        bare.add(ids=[p.id for p in papers], embeddings=vectors, documents=[paper_document(p) for p in papers])
        bare_rate = len(papers) / (time.perf_counter() - started)
    texts = [item["question"] for item in questions]
    search = services.search
    search.search([], texts[0], limit=20)  # warm: BM25 index, model weights
    hybrid_ms = []
    for text in texts * 2:
        started = time.perf_counter()
        search.rank_query(text, 20, None, {}, set())
        hybrid_ms.append((time.perf_counter() - started) * 1000)
    query_vectors = embedder.embed(texts)
    bare_ms = []
    for vector in list(query_vectors) * 2:
        started = time.perf_counter()
        services.library.snapshot.query(query_embeddings=[vector], n_results=20)
        bare_ms.append((time.perf_counter() - started) * 1000)
    (h50, h95), (b50, b95) = _percentiles(hybrid_ms), _percentiles(bare_ms)
    return {
        "index_papers_per_s": round(ours, 1), "bare_chroma_add_papers_per_s": round(bare_rate, 1),
        "index_ratio_bare_over_ours": round(bare_rate / ours, 1),
        "query_p50_ms": round(h50, 1), "query_p95_ms": round(h95, 1),
        "bare_query_p50_ms": round(b50, 2), "bare_query_p95_ms": round(b95, 2),
        "query_p50_ratio": round(h50 / b50, 1), "query_p95_ratio": round(h95 / b95, 1),
        "n_index": len(papers), "n_queries": len(hybrid_ms),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=QUESTIONS_PATH)
    parser.add_argument("--out", type=Path, default=Path("runs/search-bench"))
    parser.add_argument("--replan", action="store_true", help="Plan queries again instead of reusing plans.json.")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    services = Services(settings=load_settings(offline=True, data_dir=args.data_dir))
    services.library.ensure_snapshot_indexed()
    plans = plan_all(questions, services, args.out / "plans.json", args.replan)
    retrieval = bench_retrieval(questions, services, plans)
    results = {"n_questions": len(questions), "n_gold": sum(len(q["gold"]) for q in questions),
               "model": services.settings.model, "retrieval": retrieval["configs"],
               "per_question": retrieval["questions"]}
    print(f"\nretrieval on {len(questions)} questions ({results['n_gold']} gold papers), offline snapshot")
    print(f"{'configuration':<20} {'recall@10':>10} {'recall@20':>10} {'MRR':>7}")
    for name, row in retrieval["configs"].items():
        print(f"{name:<20} {row['recall@10']:>10.3f} {row['recall@20']:>10.3f} {row['mrr']:>7.3f}")
    for difficulty in sorted({row["difficulty"] for row in retrieval["questions"]}):
        rows = [row["planned + rerank"] for row in retrieval["questions"] if row["difficulty"] == difficulty]
        summary = mean_metrics(rows)
        print(f"  planned + rerank, {difficulty or 'unlabelled'} questions (n={len(rows)}): "
              f"recall@20 {summary['recall@20']:.3f}, MRR {summary['mrr']:.3f}")
    if not args.skip_speed:
        speed = bench_speed(services, questions)
        results["speed"] = speed
        print(f"\nindexing: {speed['index_papers_per_s']} papers/s (embed + dedup + upsert) vs bare Chroma add "
              f"{speed['bare_chroma_add_papers_per_s']} papers/s -> bare is {speed['index_ratio_bare_over_ours']}x")
        print(f"query:    hybrid p50 {speed['query_p50_ms']} ms / p95 {speed['query_p95_ms']} ms vs bare Chroma "
              f"p50 {speed['bare_query_p50_ms']} ms / p95 {speed['bare_query_p95_ms']} ms -> "
              f"{speed['query_p50_ratio']}x / {speed['query_p95_ratio']}x")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
