"""Papers from a JSONL file, for `agent index --jsonl`.

Accepts the project's own `Paper` rows and the common arXiv metadata dumps: `id` or `arxiv_id`,
`abstract` or `summary`, authors as a list or one string, a year from `year`, `published`,
`listing_date` or the arXiv id itself (YYMM). A bad line is reported by number and skipped; it never
stops the rest of the file from being indexed.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tools.errors import InputError
from tools.papers import Paper

_NEW_STYLE_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


@dataclass
class ImportResult:
    papers: list[Paper] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 12: no title"


def _year(row: dict, paper_id: str) -> int | None:
    for key in ("year", "published", "listing_date", "date"):
        value = row.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.match(r"^\d{4}", value):
            return int(value[:4])
    match = _NEW_STYLE_ID.match(paper_id)
    return 2000 + int(match.group(1)) if match else None


def paper_from_row(row: dict, source: str) -> Paper:
    """A `Paper` from one metadata row; raises ValueError naming what is missing."""
    paper_id = str(row.get("id") or row.get("arxiv_id") or "").strip()
    title = " ".join(str(row.get("title") or "").split())
    abstract = " ".join(str(row.get("abstract") or row.get("summary") or "").split())
    if not paper_id:
        raise ValueError("no id")
    if not title:
        raise ValueError("no title")
    if not abstract:
        raise ValueError("no abstract")
    authors = row.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in re.split(r",| and ", authors) if a.strip()]
    categories = row.get("categories") or []
    if isinstance(categories, str):
        categories = categories.split()
    paper = Paper(id=paper_id, title=title, abstract=abstract, authors=[str(a) for a in authors],
                  categories=[str(c) for c in categories], url=str(row.get("url") or row.get("abs_url") or ""),
                  source=source)
    paper.year = _year(row, paper.id)
    return paper


def read_papers_jsonl(path: Path) -> ImportResult:
    """Every paper in a JSONL (or .jsonl.gz) file. A bad line (not UTF-8, not JSON, missing fields) is skipped
    and named in `problems`; so is the cut-off end of a truncated gzip, keeping the lines read before it."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    result = ImportResult()
    number = 0
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8")
                    if not line.strip():
                        continue
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("not a JSON object")
                    result.papers.append(paper_from_row(row, source=path.name))
                except UnicodeDecodeError as exc:
                    result.problems.append(
                        f"line {number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
                    )
                except (ValueError, ValidationError) as exc:
                    reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                    result.problems.append(f"line {number}: {reason}")
    except EOFError:
        if not result.papers and not result.problems:
            raise InputError(f"cannot read {path}: the compressed file is cut off before its first line") from None
        result.problems.append(f"the compressed file is cut off after line {number}: the lines before it were read")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    return result
