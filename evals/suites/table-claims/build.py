"""Build the table-claims suite: claims about published result tables, each table given as text.

    python -m evals.suites.table-claims.build   (or: python evals/suites/table-claims/build.py)

Tables: the published result tables the project bundles for its experiments (`tools/data/xlt/
published_results.json`, each with its source repository and commit), one document per table and setting;
a document's sentences are a caption and one line per row ("mBERT: English 94.0, German 85.7, …"). Claims,
50 per label, seeded:
- SUPPORT: a cell stated (several phrasings), a comparison of two models on one language, or of two languages
  for one model, as the table has it;
- CONTRADICT: the same with the number changed by 2-6 points, or the comparison reversed;
- NOT_ENOUGH_INFO: a cell of a language, model or task the table does not have (the number plausible).
Measurement only: nothing is trained or tuned on this suite (`evals/train_judge.py` never reads it).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TABLES = ROOT / "tools" / "data" / "xlt" / "published_results.json"
OUT = Path(__file__).resolve().parent
PER_LABEL = 50
LANGUAGES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French", "ja": "Japanese", "ko": "Korean",
             "zh": "Chinese", "el": "Greek", "bg": "Bulgarian", "ru": "Russian", "tr": "Turkish", "ar": "Arabic",
             "vi": "Vietnamese", "th": "Thai", "hi": "Hindi", "sw": "Swahili", "ur": "Urdu"}
ABSENT_LANGUAGES = ["Finnish", "Indonesian", "Tamil", "Basque", "Yoruba", "Marathi"]
ABSENT_MODELS = ["mT5-XXL", "RemBERT", "BLOOM-7B", "mDeBERTa-v3", "Llama-2-13B"]
SETTINGS = {"Cross-lingual Transfer": "zero-shot transfer from English",
            "Translate-Train-All": "translate-train-all"}


def documents() -> list[dict]:
    """(doc id, task, setting words, {model: {column: value}}) per table and setting, with its text."""
    data = json.loads(TABLES.read_text(encoding="utf-8"))
    docs = []
    for key, task in (("pawsx_per_language_zero_shot", "PAWS-X"), ("xnli_per_language_from_ernie_m", "XNLI")):
        block = data[key]
        for setting, words in SETTINGS.items():
            rows = {r["model"]: {LANGUAGES[c]: v for c, v in r.items() if c in LANGUAGES and v is not None}
                    for r in block["rows"] if r["setting"] == setting}
            docs.append({"doc_id": f"{task.lower()}-{setting.split()[0].lower()}", "task": task, "setting": words,
                         "rows": rows, "columns": "language", "source": block["source"],
                         "caption": f"{task} test accuracy (%) per language, {words}."})
    block = data["xtreme_task_averages"]
    rows = {r["model"]: {c: v for c, v in r.items() if c not in ("setting", "model") and v is not None}
            for r in block["rows"]}
    docs.append({"doc_id": "xtreme-averages", "task": "XTREME", "setting": "zero-shot transfer from English",
                 "rows": rows, "columns": "task", "source": block["source"],
                 "caption": "XTREME zero-shot results, averaged over languages (accuracy for XNLI and PAWS-X, F1 "
                            "for the others)."})
    block = data["xnli_mbert_google_bert_repo"]
    rows = {r["model"]: {c: v for c, v in r.items() if c not in ("setting", "model") and v is not None}
            for r in block["rows"]}
    docs.append({"doc_id": "xnli-bert-release", "task": "XNLI", "setting": "as released with multilingual BERT",
                 "rows": rows, "columns": "language", "source": block["source"],
                 "caption": "XNLI test accuracy (%) of the multilingual BERT release, per system and language."})
    for doc in docs:
        doc["sentences"] = [doc["caption"]] + [
            f"{model}: " + ", ".join(f"{column} {value:.1f}" for column, value in cells.items()) + "."
            for model, cells in doc["rows"].items()]
    return docs


def _where(doc: dict, column: str) -> str:
    return f"on {column}" if doc["columns"] == "task" else f"on {doc['task']} in {column}"


def _cell(doc: dict, model: str, column: str, value: float, rng: random.Random) -> str:
    where = _where(doc, column)
    return rng.choice([
        f"{model} reaches {value:.1f} {where} ({doc['setting']}).",
        f"With {doc['setting']}, {model} scores {value:.1f} {where}.",
        f"{model} obtains {value:.1f} {where} under {doc['setting']}.",
    ])


def _comparison(doc: dict, better: str, worse: str, column: str, rng: random.Random) -> str:
    where = _where(doc, column)
    return rng.choice([f"{better} outperforms {worse} {where} ({doc['setting']}).",
                       f"{where[0].upper()}{where[1:]}, {better} does better than {worse}."])


def _languages(doc: dict, model: str, high: str, low: str, rng: random.Random) -> str:
    return rng.choice([f"{model} transfers better to {high} than to {low} on {doc['task']} ({doc['setting']}).",
                       f"On {doc['task']}, {model} is more accurate in {high} than in {low}."])


def claim(doc: dict, label: str, rng: random.Random) -> str:
    models = list(doc["rows"])
    model = rng.choice(models)
    columns = list(doc["rows"][model])
    column = rng.choice(columns)
    value = doc["rows"][model][column]
    kind = rng.choice(["cell", "cell", "models", "columns"])
    if label == "NOT_ENOUGH_INFO":
        if doc["columns"] == "language" and rng.random() < 0.5:
            return _cell(doc, model, rng.choice(ABSENT_LANGUAGES), round(value - rng.uniform(3, 12), 1), rng)
        absent = [m for m in ABSENT_MODELS if m not in doc["rows"]]
        return _cell(doc, rng.choice(absent), column, round(value + rng.uniform(-3, 3), 1), rng)
    if kind == "models":
        other = rng.choice([m for m in models if m != model and column in doc["rows"][m]
                            and doc["rows"][m][column] != value] or [None])
        if other:
            better, worse = (model, other) if value > doc["rows"][other][column] else (other, model)
            return _comparison(doc, *((better, worse) if label == "SUPPORTED" else (worse, better)), column, rng)
    if kind == "columns" and doc["columns"] == "language":
        other = rng.choice([c for c in columns if c != column and doc["rows"][model][c] != value])
        high, low = (column, other) if value > doc["rows"][model][other] else (other, column)
        return _languages(doc, model, *((high, low) if label == "SUPPORTED" else (low, high)), rng)
    if label == "REFUTED":
        value = round(value + rng.choice([-1, 1]) * rng.uniform(2, 6), 1)
    return _cell(doc, model, column, value, rng)


def build(out: Path = OUT, seed: int = 7) -> dict:
    rng = random.Random(seed)
    docs = documents()
    claims, seen = [], set()
    for label, gold in (("SUPPORTED", "SUPPORT"), ("REFUTED", "CONTRADICT"), ("NOT_ENOUGH_INFO", None)):
        made = 0
        while made < PER_LABEL:
            doc = docs[made % len(docs)]
            text = claim(doc, label, rng)
            if text in seen:
                continue
            seen.add(text)
            evidence = {doc["doc_id"]: [{"sentences": [], "label": gold}]} if gold else {}
            claims.append({"id": f"t{len(claims):03d}", "claim": text, "evidence": evidence,
                           "cited_doc_ids": [doc["doc_id"]], "provenance": {"table": doc["source"]}})
            made += 1
    (out / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    (out / "corpus.jsonl").write_text("".join(json.dumps({"doc_id": d["doc_id"], "title": d["caption"],
                                                          "abstract": d["sentences"]}) + "\n" for d in docs),
                                      encoding="utf-8")
    return {"claims": len(claims), "documents": len(docs)}


if __name__ == "__main__":
    print(json.dumps(build()))
