"""PDF full text: download a paper's PDF, extract its text per page, clean it, and cut it into chunks.

Chunks are whole sentences and verbatim slices of the cleaned document text (`join_pages`), so a quote
taken from a chunk can be checked against the text it came from. Reference lists are left out.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import requests
from pypdf import PdfReader
from pypdf.errors import DependencyError

from tools.errors import UserError
from tools.files import open_atomically
from tools.text import split_sentences

log = logging.getLogger(__name__)

_USER_AGENT = "research-agent/0.1 (full-text indexing)"
_CHUNK_BYTES = 64 * 1024
_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024  # the PDF spec lets the header start anywhere in the first 1024 bytes

_ARXIV_ID = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?"
    r"(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.-]*/\d{7}(?:v\d+)?)(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_CHAR_FIXES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
    "\ufb06": "st", "\u00a0": " ", "\x00": None,
})
_SPACES = re.compile(r"[^\S\n]+")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?(?:\s+of\s+\d{1,4})?$", re.I)
_ARXIV_STAMP = re.compile(r"^arXiv:\S+\s+\[[^\]]+\]\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}$")
# A word broken at the end of a line: letters, then a hyphen (plain, Unicode or soft).
_HYPHEN_END = re.compile(r"([A-Za-z]+)[-\u2010\u00ad]$")
_LEADING_WORD = re.compile(r"[a-z]+")
_SENTENCE_END = re.compile(r"[.!?:][\"')\]]*$")
_REFERENCES = re.compile(
    r"^[ \t]*(?:(?:\d+|[IVX]+)\.?[ \t]+)?(?:r ?eferences|bibliography|literature cited|works cited)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADING_MAX_WORDS = 10
_EDGE_LINES = 3  # page numbers and running headers live among a page's first and last few lines


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str  # verbatim slice of the cleaned document text (whole sentences)
    page_start: int  # 1-based pages the chunk spans
    page_end: int


class FullTextError(UserError):
    """A PDF could not be fetched or read: download failed, not a PDF, encrypted, broken, no text."""


def arxiv_pdf_url(paper_id: str) -> str:
    """`2104.07412`, `arXiv:2104.07412v2` or an abs/pdf URL -> `https://arxiv.org/pdf/<id>` (version kept)."""
    match = _ARXIV_ID.match(paper_id.strip())
    if not match:
        raise FullTextError(f"not an arXiv id: {paper_id!r}")
    return f"https://arxiv.org/pdf/{match.group('id')}"


def download_pdf(url: str, dest: Path, *, timeout: float = 30.0, max_bytes: int = 50_000_000,
                 session: requests.Session | None = None) -> Path:
    """Download the PDF at `url` to `dest`; `dest` is only ever replaced by a complete, checked PDF.

    `timeout` bounds connecting and every wait for data (a stalled server fails after it), `max_bytes`
    bounds the size. Any failure raises FullTextError and leaves no partial file behind.
    """
    dest = Path(dest)
    http = session or requests.Session()
    try:
        with open_atomically(dest) as out:
            size = _stream_pdf(http, url, out, timeout=timeout, max_bytes=max_bytes)
    except OSError as exc:  # requests' own errors are turned into FullTextError before this
        raise FullTextError(f"cannot save PDF to {dest}: {exc.strerror or _one_line(exc)}") from None
    finally:
        if session is None:
            http.close()
    log.info("downloaded %s (%d bytes) to %s", url, size, dest)
    return dest


def _stream_pdf(http: requests.Session, url: str, out: BinaryIO, *, timeout: float, max_bytes: int) -> int:
    """Write the body at `url` to `out`, checking status, type, magic bytes and size; returns the size."""
    headers = {"User-Agent": _USER_AGENT, "Accept": "application/pdf"}
    try:
        with http.get(url, stream=True, timeout=(timeout, timeout), headers=headers) as response:
            if response.status_code != 200:
                raise FullTextError(f"download failed: HTTP {response.status_code} for {url}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type.startswith("text/") or content_type.endswith(("html", "json", "xml")):
                raise FullTextError(f"not a PDF: {url} answered with {content_type}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FullTextError(f"PDF too large: {url} is {int(declared)} bytes (limit {max_bytes})")
            size = 0
            head = b""
            for block in response.iter_content(_CHUNK_BYTES):
                size += len(block)
                if size > max_bytes:
                    raise FullTextError(f"PDF too large: {url} exceeds {max_bytes} bytes")
                if len(head) < _MAGIC_WINDOW:
                    head += block
                    if len(head) >= _MAGIC_WINDOW and _MAGIC not in head[:_MAGIC_WINDOW]:
                        break
                out.write(block)
    except requests.RequestException as exc:
        raise FullTextError(f"download failed: {url}: {_one_line(exc)}") from None
    if _MAGIC not in head[:_MAGIC_WINDOW]:
        raise FullTextError(f"not a PDF: {url} (no %PDF header)")
    return size


def extract_pages(path: Path) -> list[str]:
    """The text of each page, in order; a page whose text cannot be extracted is ''."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(_MAGIC_WINDOW)
    except OSError as exc:
        raise FullTextError(f"cannot read PDF {path}: {exc.strerror or exc}") from None
    if _MAGIC not in head:
        raise FullTextError(f"not a PDF: {path}")
    # pypdf raises many exception types on malformed files; any of them means "unreadable" here.
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FullTextError(f"encrypted PDF (needs a password): {path}")
        pages = list(reader.pages)
    except FullTextError:
        raise
    except DependencyError:
        raise FullTextError(f"encrypted PDF (decrypting it needs the 'cryptography' package): {path}") from None
    except Exception as exc:
        raise FullTextError(f"unreadable PDF {path}: {_one_line(exc)}") from None
    texts = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one broken page should not lose the rest of the paper
            log.warning("no text from page %d of %s: %s", number, path, _one_line(exc))
            texts.append("")
    return texts


def clean_page_text(text: str) -> str:
    """Undo PDF line layout: join hyphenated breaks, unwrap paragraph lines, collapse whitespace,
    drop lone page numbers. Headings and other short standalone lines stay on lines of their own."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.translate(_CHAR_FIXES).splitlines()]
    filled = [i for i, line in enumerate(lines) if line]
    for i in filled[:2] + filled[-2:]:
        if _PAGE_NUMBER.match(lines[i]) or _ARXIV_STAMP.match(lines[i]):
            lines[i] = ""
    # Lines inside a paragraph run to (nearly) the full text width; headings are clearly shorter.
    lengths = sorted(len(line) for line in lines if line)
    full_width = lengths[int(len(lengths) * 0.8)] if len(lengths) >= 4 else None
    paragraphs: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not line or _is_heading(line, current, following, full_width):
            if current:
                paragraphs.append(current)
            current = ""
            if line:
                paragraphs.append(line)
        elif not current:
            current = line
        elif line[0].islower() and (broken := _HYPHEN_END.search(current)):
            current = _dehyphenate(current, broken.group(1), line, text) + line
        else:
            current = f"{current} {line}"
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def _is_heading(line: str, current: str, following: str, full_width: int | None) -> bool:
    """A short line that starts like a title, ends without punctuation, after a finished sentence."""
    return (len(line.split()) <= _HEADING_MAX_WORDS
            and (full_width is None or len(line) <= 0.75 * full_width)
            and (line[0].isupper() or line[0].isdigit())
            and line[-1] not in ".,;:!?-\u2010\u00ad"
            and (not current or bool(_SENTENCE_END.search(current)))
            and (not following or following[0].isupper() or following[0].isdigit() or following[0] in "[("))


def _dehyphenate(left: str, first: str, right: str, context: str) -> str:
    """`left` without the hyphen that ends it (after the word part `first`), ready to be followed by
    `right`. The hyphen stays for a compound that `context` also spells with one elsewhere
    ("state-of-" + "the-art" when "state-of-the-art" occurs)."""
    second = _LEADING_WORD.match(right)
    if second and re.search(rf"\b{re.escape(first)}-{re.escape(second.group())}", context, re.IGNORECASE):
        return left[:-1] + "-"
    return left[:-1]


def join_pages(pages: list[str]) -> str:
    """The cleaned document text that chunk texts are verbatim slices of."""
    return _join_with_offsets(pages)[0]


def _join_with_offsets(pages: list[str]) -> tuple[str, list[int]]:
    """Join cleaned pages, continuing a sentence (or a hyphenated word) across a page break; also
    return where each page starts in the joined text."""
    text = ""
    starts: list[int] = []
    context = "\n".join(pages)
    for page in pages:
        page = page.strip()
        if text and page:
            if page[0].islower() and (broken := _HYPHEN_END.search(text)):
                text = _dehyphenate(text, broken.group(1), page, context)
            elif _SENTENCE_END.search(text) or _REFERENCES.match(page):
                text += "\n"
            else:
                text += " "
        starts.append(len(text))
        text += page
    return text, starts


def chunk_pages(pages: list[str], *, target_words: int = 180, overlap_sentences: int = 1) -> list[Chunk]:
    """Cut cleaned pages into chunks of whole sentences, about `target_words` words each.

    A chunk never splits a sentence; a sentence longer than `target_words` is a chunk of its own.
    Consecutive chunks share `overlap_sentences` sentences (fewer when they would fill half a chunk).
    Text from a "References"/"Bibliography" heading on is left out.
    """
    if target_words < 1 or overlap_sentences < 0:
        raise ValueError("target_words must be >= 1 and overlap_sentences >= 0")
    text, starts = _join_with_offsets(pages)
    for match in _REFERENCES.finditer(text):
        if text[:match.start()].strip():
            text = text[:match.start()]
            break
    spans: list[tuple[int, int]] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        cursor = 0
        for sentence in split_sentences(paragraph.group()):
            at = paragraph.group().index(sentence, cursor)
            spans.append((paragraph.start() + at, paragraph.start() + at + len(sentence)))
            cursor = at + len(sentence)
    words = [len(text[start:end].split()) for start, end in spans]

    def page_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)  # 1-based: the count of pages starting at or before

    chunks: list[Chunk] = []
    for first, last in _group_sentences(words, target_words, overlap_sentences):
        start, end = spans[first][0], spans[last - 1][1]
        chunks.append(Chunk(index=len(chunks), text=text[start:end],
                            page_start=page_of(start), page_end=page_of(end - 1)))
    return chunks


def _group_sentences(words: list[int], target: int, overlap: int) -> list[tuple[int, int]]:
    """(first, end) sentence ranges: each adds at least one new sentence after up to `overlap` carried."""
    groups: list[tuple[int, int]] = []
    carried = 0  # first sentence carried over from the previous chunk
    new = 0  # first sentence not yet in any chunk
    while new < len(words):
        if words[new] > target:
            groups.append((new, new + 1))
            new = carried = new + 1
            continue
        total = sum(words[carried:new])
        end = new
        while end < len(words) and (end == new or total + words[end] <= target):
            total += words[end]
            end += 1
        groups.append((carried, end))
        carried, new = max(carried, end - overlap), end
        while carried < new and sum(words[carried:new]) > target // 2:
            carried += 1
    return groups


def drop_running_lines(pages: list[str]) -> list[str]:
    """Remove running headers/footers: edge lines that recur (digits aside) on at least half the pages."""
    if len(pages) < 3:
        return pages
    page_lines = [page.splitlines() for page in pages]

    def edges(lines: list[str]) -> list[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    counts: dict[str, int] = {}
    for lines in page_lines:
        for k in {key(lines[i]) for i in edges(lines)}:
            counts[k] = counts.get(k, 0) + 1
    running = {k for k, count in counts.items() if count >= max(3, len(pages) / 2)}
    if not running:
        return pages
    cleaned = []
    for lines in page_lines:
        drop = {i for i in edges(lines) if key(lines[i]) in running}
        cleaned.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return cleaned


def pdf_chunks(path: Path, *, target_words: int = 180, overlap_sentences: int = 1) -> list[Chunk]:
    """Extract, clean and chunk the PDF at `path`; FullTextError if it has no usable text."""
    pages = [clean_page_text(page) for page in drop_running_lines(extract_pages(path))]
    if not any(pages):
        raise FullTextError(f"no extractable text in {Path(path).name} (a scanned PDF needs OCR first)")
    chunks = chunk_pages(pages, target_words=target_words, overlap_sentences=overlap_sentences)
    if not chunks:
        raise FullTextError(f"no body text in {Path(path).name} before its references")
    log.info("%s: %d pages, %d chunks", Path(path).name, len(pages), len(chunks))
    return chunks


def _one_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message[:200]
