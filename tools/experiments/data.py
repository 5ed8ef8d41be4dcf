"""The labelled XTREME dev sets bundled with the project, and the one train/eval split used in every language.

The dev sets of a task are translations of the same items, row for row. So the split is by item, the same in
every language: training reads the train items in the train language, evaluation reads the other items in
each evaluation language, and no evaluated item (in any translation) was seen in training.

- Items are grouped by their English first sentence (XNLI: a premise comes with three hypotheses, one per
  label; PAWS-X: several pairs share a source sentence), and whole groups go to one side, so a test premise
  never appears in training.
- The groups are shuffled with a fixed seed (`SPLIT_SEED`, independent of the training seeds) and the first
  `eval_fraction` of them are held out for evaluation.
- PAWS-X has untranslated placeholders ("NS"): an item is dropped wherever either sentence is "NS" in the
  train language or in any evaluated language, and the number dropped is reported.
"""

from __future__ import annotations

import csv
import gzip
import random
from dataclasses import dataclass, field
from pathlib import Path

from tools.experiments.spec import TASK_LABELS, ExperimentSpec

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "xlt"
SPLIT_SEED = 2020
UNTRANSLATED = "NS"


@dataclass(frozen=True)
class Example:
    text_a: str
    text_b: str
    label: int


@dataclass
class TransferData:
    train: list[Example]
    eval: dict[str, list[Example]]
    notes: list[str] = field(default_factory=list)


def read_rows(task: str, language: str) -> list[tuple[str, str, str]]:
    """The rows of one dev file: (sentence 1, sentence 2, label). XTREME's TSVs have no quoting."""
    path = DATA_DIR / task / f"dev-{language}.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [tuple(row) for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    bad = [i for i, row in enumerate(rows, 1) if len(row) != 3]
    if bad:
        raise ValueError(f"{path}: rows {bad[:5]} do not have 3 columns")
    return rows  # type: ignore[return-value]


def split_items(english: list[tuple[str, str, str]], eval_fraction: float) -> tuple[list[int], list[int]]:
    """Train and eval item indices: whole groups of items sharing a first sentence go to one side."""
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(english):
        groups.setdefault(row[0], []).append(index)
    keys = sorted(groups)
    random.Random(SPLIT_SEED).shuffle(keys)
    n_eval = round(len(keys) * eval_fraction)
    eval_items = sorted(i for key in keys[:n_eval] for i in groups[key])
    train_items = sorted(i for key in keys[n_eval:] for i in groups[key])
    return train_items, eval_items


def _examples(rows: list[tuple[str, str, str]], items: list[int], labels: tuple[str, ...]) -> list[Example]:
    index = {label: i for i, label in enumerate(labels)}
    return [Example(rows[i][0], rows[i][1], index[rows[i][2]]) for i in items]


def _limit(items: list[int], limit: int | None, seed: int) -> list[int]:
    """A seeded sample of `limit` items, kept in file order."""
    if limit is None or len(items) <= limit:
        return items
    return sorted(random.Random(seed).sample(items, limit))


def load_transfer_data(spec: ExperimentSpec) -> TransferData:
    labels = TASK_LABELS[spec.task]
    languages = list(dict.fromkeys([spec.train_language, *spec.eval_languages]))
    rows = {lang: read_rows(spec.task, lang) for lang in dict.fromkeys(["en", *languages])}
    sizes = {lang: len(r) for lang, r in rows.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"the {spec.task} dev sets are not parallel: {sizes}")
    train_items, eval_items = split_items(rows["en"], spec.data.eval_fraction)
    notes = [f"split: {len(train_items)} train items, {len(eval_items)} eval items, by groups of items sharing "
             f"an English first sentence (seed {SPLIT_SEED}); the same items in every language"]
    untranslated = {i for lang in languages for i, row in enumerate(rows[lang]) if UNTRANSLATED in row[:2]}
    if untranslated:
        notes.append(f"dropped {len(untranslated)} items whose sentence is untranslated (\"NS\") in "
                     f"{', '.join(languages)}")
        train_items = [i for i in train_items if i not in untranslated]
        eval_items = [i for i in eval_items if i not in untranslated]
    train_items = _limit(train_items, spec.data.max_train_examples, SPLIT_SEED)
    eval_items = _limit(eval_items, spec.data.max_eval_examples, SPLIT_SEED + 1)
    return TransferData(
        train=_examples(rows[spec.train_language], train_items, labels),
        eval={lang: _examples(rows[lang], eval_items, labels) for lang in spec.eval_languages},
        notes=notes,
    )
