"""Read a claim about a result table against the table: the program compares the numbers, no model does.

A judge model cannot do arithmetic on a table given as text (the cross-encoder scores 0.24 macro-F1 on such
claims, the 1.5B LLM about chance), but a program can, once it knows which cells a claim is about. This module
parses a passage that is a table — "Row: Column value, Column value" lines (how the project renders published
tables), Markdown pipe tables, or a whitespace grid with a header line — and reads four kinds of claims:
- a cell: "XLM-R reaches 79.6 on Bulgarian" (one row, one column, one number);
- a comparison: two rows on a column ("XLM-R beats mBERT on German"), or two columns of a row ("mBERT transfers
  better to German than to Chinese"), optionally by a stated margin ("by 4.2 points");
- a superlative: "Korean is the hardest language for XLM" (the lowest of the row), "VECO scores highest on
  French" (the highest of the column);
- a cell the table does not have: a language or a model the claim names that the table lacks.
The reading is SUPPORTED, REFUTED or NOT_ENOUGH_INFO with the cells it used, or None when the passage is not a
table or the claim is not about its cells; the verifier's stack weighs it beside the judges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.languages import LANGUAGE_NAMES, canonical_language
from tools.text import split_sentences

_NUMBER = re.compile(r"(?<![\w.\-])[-+]?\d+(?:\.\d+)?(?![\w\-])")
_CELL_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_KEY_VALUE_ITEM = re.compile(r"^\s*([^\d,;:]*?[^\d\s,;:][^\d,;:]*?)\s*[:=]?\s*([-+]?\d+(?:\.\d+)?)\s*%?\s*$")
_HIGHER = re.compile(r"\b(?:better|higher|outperform\w*|exceed\w*|beat\w*|surpass\w*|stronger|above|superior|ahead"
                     r"|more effective\w*|greater|larger|easier|improves? (?:on|over))\b", re.I)
_LOWER = re.compile(r"\b(?:worse|lower|below|trail\w*|underperform\w*|weaker|behind|inferior|less effective\w*"
                    r"|smaller|harder|lags?|lagging|falls? short)\b", re.I)
_PASSIVE = re.compile(r"\b(?:outperformed|exceeded|beaten|surpassed|trailed) by\b", re.I)
_MAX = re.compile(r"\b(?:best|highest|top|strongest|easiest|largest)\b", re.I)
_MIN = re.compile(r"\b(?:worst|lowest|weakest|hardest|most difficult|smallest)\b", re.I)
_MARGIN = re.compile(r"\b(?:by|of|gap|difference|margin|points?|pp)\b", re.I)
_AVERAGE = re.compile(r"^(?:avg\.?|average|mean|all)$", re.I)
_SAYS_AVERAGE = re.compile(r"\b(?:average\w*|avg|mean|overall)\b", re.I)
_OVER_COLUMNS = re.compile(r"\blanguages?\b|\btasks?\b|\bdatasets?\b", re.I)
_OVER_ROWS = re.compile(r"\bmodels?\b|\bsystems?\b|\bmethods?\b|\bencoders?\b", re.I)
_QUALIFIER = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")
# a model-like name: two capitals or a digit in one token ("XLM-R", "mT5-XXL", "InfoXLM", "BLOOM-7B")
_MODEL_NAME = re.compile(r"(?<![\w\-])(?=[\w\-]*(?:[A-Z][\w\-]*[A-Z]|\d))(?=[\w\-]*[A-Za-z])[A-Za-z][\w\-]*[\w]")
_MODEL_ALIASES = {"mbert": "multilingual bert", "xlm-r": "xlm-roberta", "xlmr": "xlm-roberta"}


AMBIGUOUS = "\0ambiguous"  # a head two rows share, named without the qualifier that tells them apart


@dataclass
class Table:
    caption: str
    rows: dict[str, dict[str, float]]  # row label -> column label -> value

    @property
    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for cells in self.rows.values():
            seen.update(dict.fromkeys(cells))
        return list(seen)


@dataclass
class TableReading:
    verdict: str  # SUPPORTED | REFUTED | NOT_ENOUGH_INFO
    reason: str
    cells: list[tuple[str, str, float]] = field(default_factory=list)


def _first_number(text: str) -> float | None:
    match = _CELL_NUMBER.search(text.replace(",", ""))
    return float(match.group(0)) if match else None


def _key_value_rows(text: str) -> dict[str, dict[str, float]]:
    """'mBERT: English 94.0, German 85.7, …' lines (at least two cells a row)."""
    rows: dict[str, dict[str, float]] = {}
    for sentence in split_sentences(text):
        label, colon, rest = sentence.rstrip(".").partition(":")
        label = re.split(r"[.!?]\s+", label)[-1]  # a caption the sentence splitter left in front of the row
        if not colon or len(label) > 60 or not label.strip():
            continue
        cells = {}
        for item in re.split(r"[,;]", rest):
            match = _KEY_VALUE_ITEM.match(item)
            if match:
                cells[match.group(1).strip()] = float(match.group(2))
        if len(cells) >= 2:
            rows[label.strip()] = cells
    return rows


def _grid_rows(text: str) -> dict[str, dict[str, float]]:
    """A Markdown pipe table or a whitespace grid: a header line, then a label and numbers a line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    piped = [line for line in lines if line.count("|") >= 2]
    if len(piped) >= 3:
        split = [[cell.strip().strip("*") for cell in line.strip("|").split("|")] for line in piped
                 if not re.fullmatch(r"[\s|:\-]+", line)]
        widths = [len(cells) for cells in split]
        usual = max(set(widths), key=widths.count)
        # text run onto the header line ("Caption. | Model | en | …") is not a column
        split = [cells[1:] if len(cells) == usual + 1 else cells for cells in split]
    else:
        split = [re.split(r"\s{2,}|\t", line) for line in lines]
        split = [cells for cells in split if len(cells) >= 2]
    if len(split) < 3:
        return {}
    header, rows = split[0], {}
    for cells in split[1:]:
        if len(cells) != len(header):
            continue
        values = {header[i]: number for i in range(1, len(cells)) if (number := _first_number(cells[i])) is not None}
        if values:
            rows[cells[0]] = values
    return rows


def parse_table(passage: str) -> Table | None:
    rows = _key_value_rows(passage) or _grid_rows(passage)
    if len(rows) < 2 or sum(len(cells) for cells in rows.values()) < 4:
        return None
    first = split_sentences(passage)[0]
    caption = first if ":" not in first and "|" not in first else ""
    return Table(caption=caption, rows=rows)


def _forms(label: str) -> set[str]:
    """The ways a claim may name a row or column: as written (a two-letter language code only by the language's
    name: "it" and "no" are words), a language's name for its code, "average" for Avg."""
    written = label.strip().lower().rstrip(".")
    forms = {written}
    language = canonical_language(written)
    if language:
        forms.add(language)
        if len(written) <= 2:
            forms.discard(written)
    if _AVERAGE.match(label.strip()):
        forms |= {"average", "avg", "mean", "averaged", "averages", "on average", "overall"}
    return {f for f in forms if f}


def _form_pattern(form: str) -> str:
    return r"(?<![\w\-])" + re.escape(form).replace(r"\-", r"[-\s]?").replace(r"\ ", r"\s+") + r"(?![\w\-])"


def _qualifier_words(qualifier: str) -> list[str]:
    return [w[:6] for w in re.findall(r"[a-z]{3,}", qualifier.lower())]


def _mentions(claim: str, labels: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each label the claim names, longest first where they overlap, in claim order.

    A label with a parenthesised qualifier ("XLM-R (Paper)") is named by its head ("XLM-R") with a word of the
    qualifier ("paper's", "reported in the paper") within a few words of it; when two labels share a head and
    the claim says neither qualifier there, the head names neither."""
    lowered = claim.lower()
    found = []
    heads: dict[str, list[tuple[str, list[str]]]] = {}
    for label in labels:
        qualified = _QUALIFIER.match(label)
        if qualified and qualified.group(1).strip():
            heads.setdefault(qualified.group(1).strip(), []).append((label, _qualifier_words(qualified.group(2))))
        for form in _forms(label):
            found += [(m.start(), m.end(), label) for m in re.finditer(_form_pattern(form), lowered)]
    for head, options in heads.items():
        for form in _forms(head):
            for match in re.finditer(_form_pattern(form), lowered):
                near = lowered[max(0, match.start() - 30):match.end() + 30]
                fitting = [label for label, words in options if any(w in near for w in words)]
                if not fitting:  # no qualifier next to it: one said elsewhere in the claim
                    fitting = [label for label, words in options if any(w in lowered for w in words)]
                if len(options) == 1 and not fitting:
                    fitting = [options[0][0]]
                found.append((match.start(), match.end(), fitting[0] if len(fitting) == 1 else AMBIGUOUS))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    chosen: list[tuple[int, int, str]] = []
    for mention in found:
        if all(mention[0] >= end or mention[1] <= start for start, end, _ in chosen):
            chosen.append(mention)
    return sorted(chosen)


def _unique(mentions: list[tuple[int, int, str]]) -> list[str]:
    return list(dict.fromkeys(label for _, _, label in mentions if label != AMBIGUOUS))


def _claim_numbers(claim: str, spans: list[tuple[int, int, str]]) -> list[tuple[float, int]]:
    """(value, decimals) of the numbers a claim states outside the names it uses."""
    numbers = []
    for match in _NUMBER.finditer(claim):
        if any(start <= match.start() < end for start, end, _ in spans):
            continue
        text = match.group(0).lstrip("+")
        numbers.append((float(text), len(text.partition(".")[2])))
    return numbers


def _close(stated: float, decimals: int, value: float) -> bool:
    tolerance = max(0.051, 0.5 * 10 ** -decimals)
    return abs(stated - value) <= tolerance or (0 < stated <= 1 < value and abs(stated * 100 - value) <= 0.051)


def _unknown_names(claim: str, spans: list[tuple[int, int, str]], table: Table, passage: str) -> list[str]:
    """Languages and model-like names in the claim that the passage (its caption, header and rows) never names."""
    masked = claim
    for start, end, _ in spans:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    text = passage.lower()
    named = {canonical_language(label) for label in [*table.rows, *table.columns]} - {None}

    def known(name: str) -> bool:
        lowered = name.lower()
        return lowered in text or _MODEL_ALIASES.get(lowered, "\0") in text or canonical_language(lowered) in named

    unknown = [name for name in LANGUAGE_NAMES if re.search(rf"\b{name}\b", masked, re.I) and not known(name)]
    return unknown + [m.group(0) for m in _MODEL_NAME.finditer(masked) if not known(m.group(0))]


def _compare(first: float, second: float, claim: str, numbers: list[tuple[float, int]]) -> tuple[bool, str] | None:
    """Whether `first` stands to `second` as the claim says (None: the claim states no direction)."""
    higher, lower = bool(_HIGHER.search(claim)), bool(_LOWER.search(claim))
    if higher == lower:
        return None
    says_higher = higher != bool(_PASSIVE.search(claim))
    holds = first > second if says_higher else first < second
    if numbers and _MARGIN.search(claim):
        margin, decimals = numbers[0]
        holds = holds and _close(margin, decimals, abs(first - second))
    return holds, "higher" if says_higher else "lower"


def _superlative(claim: str, table: Table, row: str, column: str, row_first: bool) -> TableReading | None:
    """'Korean is the hardest language for XLM' (the row's extreme) or 'VECO scores highest on French' (the
    column's): which one the claim's words say ("languages" / "models"), else the first named is the subject."""
    kind = "max" if _MAX.search(claim) else "min" if _MIN.search(claim) else None
    if kind is None or column not in table.rows[row]:
        return None
    rows_are_languages = sum(map(bool, map(canonical_language, table.rows))) > len(table.rows) / 2
    if _OVER_COLUMNS.search(claim) and not _OVER_ROWS.search(claim):
        over_columns = not rows_are_languages
    elif _OVER_ROWS.search(claim) and not _OVER_COLUMNS.search(claim):
        over_columns = rows_are_languages
    else:
        over_columns = not row_first
    if len(table.columns) == 1:
        over_columns = False
    if over_columns:
        pool = {c: v for c, v in table.rows[row].items() if not _AVERAGE.match(c)}
        scope = f"of the {row} row"
    else:
        pool = {r: cells[column] for r, cells in table.rows.items() if column in cells and not _AVERAGE.match(r)}
        scope = f"of the {column} column"
    value = table.rows[row][column]
    extreme = max(pool.values()) if kind == "max" else min(pool.values())
    return TableReading("SUPPORTED" if value == extreme else "REFUTED",
                        f"{row}/{column} = {value:g}; the {kind} {scope} is {extreme:g}", [(row, column, value)])


def read_claim(claim: str, passage: str) -> TableReading | None:
    """The table's answer to a claim about its cells, or None (not a table, or not a claim about its cells)."""
    table = parse_table(passage)
    if table is None:
        return None
    row_spans = _mentions(claim, list(table.rows))
    column_spans = _mentions(claim, [c for c in table.columns if c not in table.rows])
    rows, columns = _unique(row_spans), _unique(column_spans)
    spans = row_spans + column_spans
    numbers = _claim_numbers(claim, spans)
    unknown = _unknown_names(claim, spans, table, passage)
    language_table = any(canonical_language(label) for label in [*table.rows, *table.columns])
    about_table = bool(spans) or (language_table and any(canonical_language(u) for u in unknown))
    if not about_table:
        return None
    if unknown and (numbers or _HIGHER.search(claim) or _LOWER.search(claim) or _MAX.search(claim)
                    or _MIN.search(claim)):
        return TableReading("NOT_ENOUGH_INFO", f"the table has no {unknown[0]}")
    if any(label == AMBIGUOUS for _, _, label in row_spans) and len(rows) < 2:
        return None
    if len(table.columns) == 1:
        columns = table.columns
    if not columns and _SAYS_AVERAGE.search(claim):
        columns = [c for c in table.columns if _AVERAGE.match(c)][:1]
    if not rows and len(table.rows) == 1:
        rows = list(table.rows)
    cells = [(r, c, table.rows[r][c]) for r in rows for c in columns if c in table.rows[r]]

    if len(rows) == 1 and len(columns) == 1:
        row_first = bool(row_spans) and (not column_spans or row_spans[0][0] < column_spans[0][0])
        reading = _superlative(claim, table, rows[0], columns[0], row_first)
        if reading:
            return reading
    if len(rows) == 2 and columns:
        pairs = [(table.rows[rows[0]].get(c), table.rows[rows[1]].get(c)) for c in columns]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        if pairs:
            first, second = (sum(a for a, _ in pairs) / len(pairs), sum(b for _, b in pairs) / len(pairs))
            compared = _compare(first, second, claim, numbers)
            if compared:
                holds, direction = compared
                return TableReading("SUPPORTED" if holds else "REFUTED",
                                    f"{rows[0]} {first:g} vs {rows[1]} {second:g} on {', '.join(columns)}: "
                                    f"claimed {direction}", cells)
    if len(rows) == 1 and len(columns) == 2:
        values = [table.rows[rows[0]].get(c) for c in columns]
        if None not in values:
            compared = _compare(values[0], values[1], claim, numbers)
            if compared:
                holds, direction = compared
                return TableReading("SUPPORTED" if holds else "REFUTED",
                                    f"{rows[0]}: {columns[0]} {values[0]:g} vs {columns[1]} {values[1]:g}: "
                                    f"claimed {direction}", cells)
    if len(cells) == 1 and len(numbers) == 1:
        row, column, value = cells[0]
        stated, decimals = numbers[0]
        verdict = "SUPPORTED" if _close(stated, decimals, value) else "REFUTED"
        return TableReading(verdict, f"{row}/{column} is {value:g}; the claim says {stated:g}", cells)
    if numbers and ((rows and columns and not cells) or (columns and not rows and len(table.rows) > 1)):
        return TableReading("NOT_ENOUGH_INFO", "the table has no cell for what the claim names", cells)
    return None
