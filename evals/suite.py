"""Read a verification suite in the SciFact layout.

A suite is a directory with `claims.jsonl` and `corpus.jsonl` (either may be gzipped as `.jsonl.gz`):
- claims: `{"id", "claim", "evidence": {"<doc_id>": [{"sentences": [int], "label": "SUPPORT"|"CONTRADICT"}]},
  "cited_doc_ids": [...]}`; empty `evidence` means NOT_ENOUGH_INFO for the cited documents;
- corpus: `{"doc_id", "title", "abstract": ["sentence", ...]}`.
Doc ids may be integers or strings; they are compared as strings.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from agent.errors import InputError

GOLD_LABELS = {"SUPPORT": "SUPPORTED", "CONTRADICT": "REFUTED"}


@dataclass
class SuiteDocument:
    doc_id: str
    title: str
    sentences: list[str]

    @property
    def abstract(self) -> str:
        return " ".join(self.sentences)


@dataclass
class SuiteItem:
    id: str
    claim: str
    label: str  # SUPPORTED | REFUTED | NOT_ENOUGH_INFO, claim level
    cited_doc_ids: list[str]
    rationales: dict[str, list[int]] = field(default_factory=dict)  # doc id -> gold sentence indices
    doc_labels: dict[str, str] = field(default_factory=dict)  # doc id -> SUPPORTED | REFUTED (gold evidence)


def _open_jsonl(directory: Path, stem: str) -> list[dict]:
    for name in (f"{stem}.jsonl", f"{stem}.jsonl.gz"):
        path = directory / name
        if path.exists():
            opener = gzip.open if name.endswith(".gz") else open
            rows = []
            with opener(path, "rt", encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            return rows
    raise InputError(f"suite {directory} has no {stem}.jsonl")


def suite_label(directory: Path) -> str:
    """A readable name for a suite: `arxiv-claims/test` rather than `test`."""
    directory = Path(directory).resolve()
    return f"{directory.parent.name}/{directory.name}" if directory.parent.name else directory.name


def claim_label(evidence: dict) -> str:
    """Claim-level label: CONTRADICT anywhere wins over SUPPORT (a refuting abstract settles it)."""
    labels = {entry["label"] for entries in evidence.values() for entry in entries}
    if "CONTRADICT" in labels:
        return "REFUTED"
    if "SUPPORT" in labels:
        return "SUPPORTED"
    return "NOT_ENOUGH_INFO"


def load_suite(directory: Path) -> tuple[list[SuiteItem], dict[str, SuiteDocument]]:
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"suite directory not found: {directory}")
    corpus = {}
    for row in _open_jsonl(directory, "corpus"):
        try:
            corpus[str(row["doc_id"])] = SuiteDocument(str(row["doc_id"]), row.get("title", ""), list(row["abstract"]))
        except (KeyError, TypeError):
            raise InputError(f"{directory}/corpus.jsonl: a row lacks doc_id or abstract") from None
    items = []
    for row in _open_jsonl(directory, "claims"):
        try:
            evidence = {str(k): v for k, v in (row.get("evidence") or {}).items()}
            cited = [str(d) for d in row.get("cited_doc_ids") or evidence.keys()]
            items.append(SuiteItem(
                id=str(row["id"]), claim=row["claim"], label=claim_label(evidence), cited_doc_ids=cited,
                rationales={doc: sorted({i for e in entries for i in e.get("sentences", [])})
                            for doc, entries in evidence.items()},
                doc_labels={doc: claim_label({doc: entries}) for doc, entries in evidence.items()},
            ))
        except (KeyError, TypeError):
            raise InputError(f"{directory}/claims.jsonl: claim row lacks id or claim") from None
    missing = {d for item in items for d in item.cited_doc_ids} - set(corpus)
    if missing:
        raise InputError(f"suite {directory}: {len(missing)} cited doc ids are not in corpus.jsonl "
                         f"(e.g. {sorted(missing)[:3]})")
    return items, corpus


def read_records(path: Path, model: type[BaseModel], what: str) -> list:
    """One `model` per non-empty line of a JSONL file; a bad line is an InputError naming its number."""
    if not path.is_file():
        raise InputError(f"{path.parent} is not {what} (no {path.name})")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(model.model_validate_json(line))
            except ValidationError as exc:
                raise InputError(f"{path} line {number}: {exc.errors()[0]['msg']}") from None
    return records
