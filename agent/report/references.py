"""A report's references for reference managers and spreadsheets: `references.bib` (BibTeX),
`references.json` (CSL-JSON) and `claims.csv`.

BibTeX is built and written with bibtexparser 2 (its entry model, field enclosing and name splitting), not by
string formatting. Values are written as UTF-8 (biber, bibtex8 and pdfLaTeX's default UTF-8 input read them),
with their TeX and math as given: arXiv titles are TeX already. Only what would break LaTeX or the file is
escaped: a bare `&`, `%` or `#` outside math, and all braces of a value whose braces do not balance.

Citation keys are `<first author's last name><year><first content word of the title>` (ASCII, lowercase),
like Google Scholar's: the same paper gets the same key in every run. Papers that share one within a report
get their paper id appended. A paper imported from the user's reference manager (`agent index --bib`) keeps
the user's own key and entry, so a citation already in their manuscript still resolves.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import bibtexparser
from bibtexparser import model as bib
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

from agent.report.model import Report, ReportPaper

_STOPWORDS = frozenset("a an the on of for in to and with from towards toward is are do does how what why when "
                       "can via by at as into beyond".split())
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")
_SPECIAL = re.compile(r"(?<!\\)([&%#])")
_ARXIV_DOI = "10.48550/arXiv.{}"
# fields of a user's entry that are the library's own bookkeeping, not bibliography
_PRIVATE_FIELDS = frozenset({"file", "abstract", "keywords", "annote", "note_private", "mendeley-tags",
                             "mendeley-groups", "groups", "owner", "timestamp", "readstatus", "ENTRYTYPE", "ID"})


def tex_escape(value: str) -> str:
    """`value` made safe to write as a BibTeX field: `&`, `%`, `#` escaped outside `$…$` math, and every
    brace escaped when they do not balance (a balanced `{BERT}` is kept: it protects the capitals)."""
    parts, last = [], 0
    for match in _MATH.finditer(value):
        parts += [_SPECIAL.sub(r"\\\1", value[last:match.start()]), match.group()]
        last = match.end()
    parts.append(_SPECIAL.sub(r"\\\1", value[last:]))
    text = "".join(parts)
    return text if _balanced(text) else re.sub(r"(?<!\\)([{}])", r"\\\1", text)


def _balanced(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        if char in "{}" and index and text[index - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l",
                       "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _last_name(author: str) -> str:
    try:
        parts = parse_single_name_into_parts(author, strict=False)
        return " ".join(parts.last) or author
    except InvalidNameError:
        return author


def base_key(paper: ReportPaper) -> str:
    """The key a paper's metadata gives it, e.g. `conneau2020unsupervised` (before disambiguation)."""
    if paper.bib_entry.get("ID"):
        return paper.bib_entry["ID"]
    author = _ascii_word(_last_name(paper.authors[0])) if paper.authors else "anon"
    words = [_ascii_word(w) for w in re.split(r"[\s\-:/]+", re.sub(r"\$.*?\$|\\\w+", " ", paper.title))]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    return f"{author or 'anon'}{paper.year or 'nd'}{word}"


def citation_keys(papers: list[ReportPaper]) -> dict[str, str]:
    """paper id -> its citation key, unique within the list."""
    keys = {paper.id: base_key(paper) for paper in papers}
    taken: dict[str, int] = {}
    for key in keys.values():
        taken[key] = taken.get(key, 0) + 1
    return {pid: key if taken[key] == 1 else f"{key}:{re.sub(r'[^A-Za-z0-9.-]', '_', pid)}"
            for pid, key in keys.items()}


def _authors_field(authors: list[str]) -> str:
    # a name with " and " inside would split into two people: braces keep it one
    return " and ".join(f"{{{a}}}" if re.search(r"\band\b", a) else tex_escape(a) for a in authors)


def _arxiv_fields(paper: ReportPaper) -> list[tuple[str, str]]:
    fields = [("title", tex_escape(paper.title)), ("author", _authors_field(paper.authors))]
    if paper.year:
        fields.append(("year", str(paper.year)))
    fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]
    if paper.categories:
        fields.append(("primaryClass", paper.categories[0]))
    fields += [("doi", _ARXIV_DOI.format(paper.id)), ("url", f"https://arxiv.org/abs/{paper.id}")]
    return fields


def _local_fields(paper: ReportPaper) -> list[tuple[str, str]]:
    entry = {k: v for k, v in paper.bib_entry.items() if k not in _PRIVATE_FIELDS and v}
    fields = [("title", entry.pop("title", None) or tex_escape(paper.title)),
              ("author", entry.pop("author", None) or _authors_field(paper.authors))]
    year = entry.pop("year", None) or (str(paper.year) if paper.year else None)
    if year:
        fields.append(("year", year))
    fields += sorted(entry.items())  # the user's own fields as they wrote them (they are TeX already)
    if paper.url.startswith(("https://", "http://")) and "url" not in entry:
        fields.append(("url", paper.url))
    return fields


def bibtex_entry(paper: ReportPaper, key: str) -> bib.Entry:
    if paper.id.startswith("local:"):
        entry_type, fields = paper.bib_entry.get("ENTRYTYPE", "misc").lower(), _local_fields(paper)
    else:
        entry_type, fields = "misc", _arxiv_fields(paper)
        for name, value in paper.bib_entry.items():  # an arXiv paper from the user's library keeps its venue
            if name in ("journal", "booktitle", "volume", "pages", "publisher") and value:
                fields.append((name, value))
    return bib.Entry(entry_type, key, [bib.Field(name, value) for name, value in fields])


def render_bibtex(report: Report) -> str:
    """`references.bib`: one entry per reference of the report, in the report's order."""
    keys = citation_keys(report.papers)
    library = bibtexparser.Library([bibtex_entry(p, keys[p.id]) for p in report.papers])
    header = f"% References of: {report.question}\n% Written by research-agent on {report.created_at}\n\n"
    return header + bibtexparser.write_string(library)


_CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
              "proceedings": "book", "book": "book", "incollection": "chapter", "inbook": "chapter",
              "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
              "report": "report", "online": "webpage", "misc": "document", "unpublished": "manuscript"}


def _csl_name(author: str) -> dict[str, str]:
    try:
        parts = parse_single_name_into_parts(author, strict=False)
    except InvalidNameError:
        return {"literal": author}
    if not parts.last or not parts.first:
        return {"literal": author}
    name = {"family": " ".join(parts.von + parts.last), "given": " ".join(parts.first)}
    if parts.jr:
        name["suffix"] = " ".join(parts.jr)
    return name


def csl_item(paper: ReportPaper, key: str) -> dict:
    item: dict = {"id": key, "title": paper.title, "author": [_csl_name(a) for a in paper.authors]}
    if paper.year:
        item["issued"] = {"date-parts": [[paper.year]]}
    if paper.id.startswith("local:"):
        entry = paper.bib_entry
        item["type"] = _CSL_TYPES.get(entry.get("ENTRYTYPE", "").lower(), "document")
        if paper.venue:
            item["container-title"] = paper.venue
        for csl, field in (("DOI", "doi"), ("volume", "volume"), ("issue", "number"), ("page", "pages"),
                           ("publisher", "publisher")):
            if entry.get(field):
                item[csl] = entry[field]
        if paper.url.startswith(("https://", "http://")):
            item["URL"] = paper.url
        return item
    item.update({"type": "article", "publisher": "arXiv", "number": f"arXiv:{paper.id}",
                 "DOI": _ARXIV_DOI.format(paper.id), "URL": f"https://arxiv.org/abs/{paper.id}"})
    if paper.categories:
        item["genre"] = "preprint"
        item["keyword"] = ", ".join(paper.categories)
    return item


def render_csl_json(report: Report) -> str:
    """`references.json`: the references as CSL-JSON items (Zotero, Mendeley, pandoc's citeproc import it)."""
    keys = citation_keys(report.papers)
    return json.dumps([csl_item(p, keys[p.id]) for p in report.papers], ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("claim_id", "claim", "verdict", "confidence", "calibrated", "standing", "relevance", "paper_id",
               "citation_key", "quote", "quote_verbatim", "supporting_papers", "contradicting_papers")


def render_claims_csv(report: Report) -> str:
    """`claims.csv`: the claims table, one row a claim, for spreadsheets."""
    keys = citation_keys(report.papers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for claim in report.claims:
        others = [e for e in claim.evidence if not e.is_source]
        writer.writerow([
            claim.id, claim.text, claim.verdict, f"{claim.confidence:.3f}", claim.calibrated, claim.standing,
            claim.relevance, claim.paper_id, keys.get(claim.paper_id, ""), claim.quote,
            "" if claim.quote_verbatim is None else claim.quote_verbatim,
            " ".join(sorted({e.paper_id for e in others if e.label == "supports"})),
            " ".join(sorted({e.paper_id for e in others if e.label == "contradicts"})),
        ])
    return out.getvalue()
