"""Papers from a reference manager's BibTeX export (Zotero, Mendeley, JabRef), for `agent index --bib`.

An entry that names an arXiv paper (`eprint` with `archivePrefix = arXiv`, an `arxivid` field, an arxiv.org
URL, an arXiv DOI, or Google Scholar's `journal = {arXiv preprint arXiv:…}`) becomes that arXiv paper (the
snapshot's record when the snapshot has it). Every other entry becomes a local paper with a stable id:
`local:doi-<DOI>` when it has a DOI, else `local:<citation key>`. Either keeps the entry itself
(`Paper.bib_entry`), so a report cites it under the user's own key. Titles, authors and abstracts are shown
with their TeX decoded (math kept as written); the entry keeps the TeX.

PDFs: each path in the `file` field (Zotero `Description:path:mime`, Mendeley `:path:pdf`, JabRef `:path:PDF`,
several separated by `;`), tried as written, beside the .bib file and under `--pdf-dir`, then `<key>.pdf` or
`<arXiv id>.pdf` under `--pdf-dir`. A malformed entry is skipped and named (`BibImport.problems`), never
stopping the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.exceptions import ParserStateException
from bibtexparser.middlewares.names import split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text

from tools.errors import InputError
from tools.papers import Paper
from tools.snapshot import snapshot_by_id

_ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_IN_TEXT = re.compile(rf"arxiv[\s:./]*(?:abs/|pdf/|org/abs/)?{_ARXIV_ID}", re.IGNORECASE)
_ARXIV_URL = re.compile(rf"arxiv\.org/(?:abs|pdf)/{_ARXIV_ID}", re.IGNORECASE)
_ARXIV_DOI = re.compile(rf"10\.48550/arxiv\.{_ARXIV_ID}", re.IGNORECASE)
_BARE_ID = re.compile(rf"^{_ARXIV_ID}$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


@dataclass
class BibPaper:
    paper: Paper
    pdfs: list[Path] = field(default_factory=list)  # the entry's PDFs that exist on disk
    missing_pdfs: list[str] = field(default_factory=list)  # paths its `file` field names that are not there


@dataclass
class BibImport:
    papers: list[BibPaper] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "entry smith2020 (line 12): no title"


def plain(tex: str) -> str:
    """A TeX field value as a reader sees it: accents and commands decoded, braces gone, math kept."""
    try:
        text = _LATEX.latex_to_text(tex)
    except Exception:  # noqa: BLE001 - pylatexenc raises bare errors on broken TeX: show it as written
        text = tex.replace("{", "").replace("}", "")
    return " ".join(text.split())


def arxiv_id_of(fields: dict[str, str]) -> str | None:
    """The arXiv id an entry names, if any (see the module's docstring for where it looks)."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and (prefix == "arxiv" or (not prefix and _BARE_ID.match(eprint))):
        match = _BARE_ID.match(re.sub(r"^arxiv:", "", eprint, flags=re.IGNORECASE))
        if match:
            return match.group(1)
    for name in ("arxivid", "arxiv"):
        if match := _BARE_ID.match(re.sub(r"^arxiv:", "", fields.get(name, "").strip(), flags=re.IGNORECASE)):
            return match.group(1)
    for name, pattern in (("doi", _ARXIV_DOI), ("url", _ARXIV_URL), ("journal", _ARXIV_IN_TEXT),
                          ("note", _ARXIV_IN_TEXT), ("howpublished", _ARXIV_IN_TEXT)):
        if match := pattern.search(fields.get(name, "")):
            return match.group(1)
    return None


def _safe(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9.\-]+", "-", value).strip("-.")


def _bare_doi(value: str) -> str:
    """`10.18653/v1/x` from a DOI written as such, as a doi.org URL or with a `doi:` prefix."""
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.IGNORECASE)


def local_id(key: str, fields: dict[str, str]) -> str:
    """`local:doi-10.18653-v1-2020.acl-main.747` from a DOI, else `local:<key>`: the same entry, the same id."""
    doi = _bare_doi(fields.get("doi", ""))
    return f"local:doi-{_safe(doi.lower())}" if doi else f"local:{_safe(key)}"


def _file_paths(value: str) -> list[str]:
    """The paths in a `file` field: `Description:path:mime` entries separated by `;` (Windows drive colons
    escaped as `\\:` by Mendeley and JabRef)."""
    paths = []
    for item in re.split(r"(?<!\\);", value):
        parts = [p.replace("\\:", ":").replace("\\\\", "\\") for p in re.split(r"(?<!\\):", item)]
        if len(parts) >= 3:
            path = ":".join(parts[1:-1])
        elif len(parts) == 2:
            path = parts[1] if parts[1].lower().endswith(".pdf") else parts[0]
        else:
            path = parts[0]
        if path.strip():
            paths.append(path.strip())
    return paths


def _find_pdfs(key: str, arxiv_id: str | None, fields: dict[str, str], bib_dir: Path,
               pdf_dir: Path | None) -> tuple[list[Path], list[str]]:
    found, missing = [], []
    for written in _file_paths(fields.get("file", "")):
        if not written.lower().endswith(".pdf"):
            continue
        path = Path(written)
        candidates = [path] if path.is_absolute() else [bib_dir / path]
        if pdf_dir is not None:  # as written below it (an absolute path by its name), else anywhere below it
            candidates += [pdf_dir / (path.name if path.is_absolute() else path), *sorted(pdf_dir.rglob(path.name))]
        hit = next((c for c in candidates if c.is_file()), None)
        (found.append(hit) if hit else missing.append(written))
    if not found and pdf_dir is not None:
        names = [f"{key}.pdf"] + ([f"{arxiv_id}.pdf", f"{arxiv_id.replace('/', '_')}.pdf"] if arxiv_id else [])
        found += [pdf_dir / name for name in names if (pdf_dir / name).is_file()][:1]
    return list(dict.fromkeys(found)), missing


def _year(fields: dict[str, str]) -> int | None:
    match = _YEAR.search(fields.get("year", "") or fields.get("date", ""))
    return int(match.group(1)) if match else None


def paper_from_entry(entry_type: str, key: str, fields: dict[str, str]) -> Paper:
    """The `Paper` an entry describes (fields lower-cased, TeX as in the file); raises ValueError naming what
    is missing."""
    title = plain(fields.get("title", ""))
    if not title:
        raise ValueError("no title")
    bib_entry = {"ENTRYTYPE": entry_type.lower(), "ID": key, **fields}
    authors = [plain(name) for name in split_multiple_persons_names(fields.get("author", "") or fields.get(
        "editor", ""))]
    arxiv_id = arxiv_id_of(fields)
    if arxiv_id:
        known = snapshot_by_id().get(arxiv_id)
        if known is not None:
            return known.model_copy(update={"bib_entry": bib_entry, "source": "bib"})
        categories = [fields["primaryclass"]] if fields.get("primaryclass") else []
        return Paper(id=arxiv_id, title=title, authors=authors, year=_year(fields), categories=categories,
                     abstract=plain(fields.get("abstract", "")), source="bib", bib_entry=bib_entry)
    url = fields.get("url", "")
    if not url and fields.get("doi"):
        url = f"https://doi.org/{_bare_doi(fields['doi'])}"
    return Paper(id=local_id(key, fields), title=title, authors=authors, year=_year(fields),
                 abstract=plain(fields.get("abstract", "")), url=url or f"bib:{key}", source="bib",
                 bib_entry=bib_entry)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # older Mendeley and JabRef exports


def read_bibtex(path: Path, pdf_dir: Path | None = None) -> BibImport:
    """Every entry of a BibTeX file as a paper, with the PDFs found for it."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    if pdf_dir is not None and not pdf_dir.is_dir():
        raise InputError(f"no such folder: {pdf_dir}")
    try:
        library = bibtexparser.parse_string(_read_text(path))
    except ParserStateException as exc:
        raise InputError(f"cannot parse {path} as BibTeX: {exc}") from None
    result = BibImport()
    for block in library.failed_blocks:
        raw = (block.raw or "").strip().splitlines()
        what = raw[0][:60] if raw else "a block"
        result.problems.append(f"line {block.start_line + 1 if block.start_line is not None else '?'}: "
                               f"{what!r} is not a valid entry ({type(block.error).__name__}: {block.error})")
    for entry in library.entries:
        where = f"entry {entry.key} (line {entry.start_line + 1 if entry.start_line is not None else '?'})"
        fields = {f.key.lower(): str(f.value).strip() for f in entry.fields}
        try:
            paper = paper_from_entry(entry.entry_type, entry.key, fields)
        except ValueError as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        pdfs, missing = _find_pdfs(entry.key, None if paper.is_local else paper.id, fields, path.parent, pdf_dir)
        if not paper.abstract and not pdfs:
            reason = f"its PDF {missing[0]!r} is not there" if missing else "it has no PDF"
            result.problems.append(f"{where}: no abstract, and {reason}: nothing to search")
            continue
        result.papers.append(BibPaper(paper, pdfs, missing))
    return result
