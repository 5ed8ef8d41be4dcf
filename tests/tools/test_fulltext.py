"""PDF full text: extraction, cleaning and chunking of PDFs made here with fpdf2, and downloads from a
local HTTP server. Offline and fast."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fpdf import FPDF

from agent.errors import AgentError
from tools.fulltext import (
    Chunk,
    FullTextError,
    arxiv_pdf_url,
    chunk_pages,
    clean_page_text,
    download_pdf,
    drop_running_lines,
    extract_pages,
    join_pages,
    pdf_chunks,
)
from tools.text import split_sentences

RUNNING_HEAD = "Preprint under review at TestConf 2024"
CROSS_PAGE_SENTENCE = ("The encoder is trained on English data and then evaluated on Swahili and Yoruba test sets "
                       "without any target-language labels.")


class _Paper(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, RUNNING_HEAD, new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 10, str(self.page_no()), align="C")


def _lines(pdf: FPDF, *lines: str, size: int = 11, style: str = "") -> None:
    pdf.set_font("Helvetica", style, size)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _make_paper(path: Path) -> Path:
    """Three pages: title, sections with a hyphenated line break and scores, a sentence across the
    page 2/3 break, then a References section."""
    pdf = _Paper()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _lines(pdf, "Intermediate Tasks for Cross-Lingual Transfer", size=16, style="B")
    _lines(pdf, "1 Introduction", size=12, style="B")
    _lines(pdf,
           "We study zero-shot cross-lingual trans-",
           "fer for low-resource languages with multilingual encoders. Our best model reaches 72.4 F1",
           "on the benchmark, which is 3.1 points above the baseline. Gains are largest for languages",
           "that are far from English.")
    _lines(pdf,
           "Intermediate training on semantic similarity data helps most when the target task is",
           "classification. It does not help question answering, where scores drop by 0.8 points.")
    pdf.add_page()
    _lines(pdf, "2 Method", size=12, style="B")
    _lines(pdf,
           "We fine-tune the encoder on STS-B for two epochs. Then we train it on the target task with",
           "a learning rate of 2e-5 and a batch size of 32. The encoder is trained on English data and",
           "then evaluated on")
    pdf.add_page()
    _lines(pdf,
           "Swahili and Yoruba test sets without any target-language labels. All numbers are means",
           "over five random seeds.")
    _lines(pdf, "3 Conclusion", size=12, style="B")
    _lines(pdf, "Similarity data is a cheap and useful intermediate task for transfer.")
    _lines(pdf, "References", size=12, style="B")
    _lines(pdf,
           "[1] Q. Zyxwvut and R. Author. A benchmark for transfer. In Proceedings of ACL, 2020.",
           "[2] S. Qwerty. Multilingual encoders revisited. arXiv preprint, 2021.")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def paper_pdf(tmp_path_factory) -> Path:
    return _make_paper(tmp_path_factory.mktemp("pdf") / "paper.pdf")


def _units(chunk: Chunk) -> list[str]:
    """The sentences (and heading lines) a chunk was built from: the chunker splits line by line."""
    return [sentence for line in chunk.text.splitlines() for sentence in split_sentences(line)]


def _cleaned(path: Path) -> list[str]:
    return [clean_page_text(page) for page in drop_running_lines(extract_pages(path))]


def test_paper_chunks_are_verbatim_sentences_with_page_spans(paper_pdf):
    assert len(extract_pages(paper_pdf)) == 3
    pages = _cleaned(paper_pdf)
    text = join_pages(pages)
    chunks = pdf_chunks(paper_pdf, target_words=40)
    assert chunks == chunk_pages(pages, target_words=40)
    assert len(chunks) >= 3
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    assert all(chunk.text in text for chunk in chunks)

    body = "\n".join(chunk.text for chunk in chunks)
    assert "cross-lingual transfer for low-resource languages" in body  # the hyphenated break is joined
    assert "trans-" not in text and "trans fer" not in text
    assert "Our best model reaches 72.4 F1 on the benchmark, which is 3.1 points above the baseline." in body
    assert "2e-5" in body and "0.8 points" in body
    # The References section, the running head and page numbers are gone.
    assert "Zyxwvut" not in body and "References" not in body and "Qwerty" not in body
    assert RUNNING_HEAD not in text
    assert not any(line.strip().isdigit() for page in pages for line in page.splitlines())
    # Headings stay on their own lines instead of being glued to the next sentence.
    assert "\n1 Introduction\n" in text and "\n2 Method\n" in text

    first = next(chunk for chunk in chunks if "trans" in chunk.text and "72.4" in chunk.text)
    assert (first.page_start, first.page_end) == (1, 1)
    across = next(chunk for chunk in chunks if CROSS_PAGE_SENTENCE in chunk.text)
    assert (across.page_start, across.page_end) == (2, 3)
    last = chunks[-1]
    assert "cheap and useful intermediate task" in last.text and last.page_end == 3
    assert all(a.page_start <= b.page_start for a, b in zip(chunks, chunks[1:]))

    # Consecutive chunks share one sentence, and every body sentence is in some chunk.
    for previous, current in zip(chunks, chunks[1:]):
        assert _units(current)[0] == _units(previous)[-1]
    in_chunks = {unit for chunk in chunks for unit in _units(chunk)}
    body_text = text[:text.index("\nReferences")]
    for line in body_text.splitlines():
        assert set(split_sentences(line)) <= in_chunks


def _sentence(number: int, words: int) -> str:
    return "Sentence " + " ".join(f"w{number}x{i}" for i in range(words - 2)) + f" ends{number}."


def test_long_text_makes_several_bounded_overlapping_chunks():
    sentences = [_sentence(n, 8 + (n * 7) % 18) for n in range(60)]
    pages = [" ".join(sentences[0:20]), " ".join(sentences[20:40]), " ".join(sentences[40:])]
    target = 60
    chunks = chunk_pages(pages, target_words=target)
    assert len(chunks) >= 6
    longest = max(len(sentence.split()) for sentence in sentences)
    assert all(len(chunk.text.split()) <= target + longest for chunk in chunks)
    text = join_pages(pages)
    assert all(chunk.text in text for chunk in chunks)
    for previous, current in zip(chunks, chunks[1:]):
        assert _units(current)[0] == _units(previous)[-1]
    covered = [s for chunk in chunks for s in _units(chunk)]
    assert list(dict.fromkeys(covered)) == sentences  # every sentence, in order, none split
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 3
    assert any(chunk.page_start < chunk.page_end for chunk in chunks)


def test_overlap_can_be_turned_off():
    sentences = [_sentence(n, 10) for n in range(20)]
    chunks = chunk_pages([" ".join(sentences)], target_words=30, overlap_sentences=0)
    assert [s for chunk in chunks for s in _units(chunk)] == sentences
    assert all(len(chunk.text.split()) <= 30 for chunk in chunks)


def test_a_very_long_sentence_is_a_chunk_of_its_own():
    before, long, after = _sentence(1, 10), _sentence(2, 100), _sentence(3, 10)
    chunks = chunk_pages([f"{before} {long} {after}"], target_words=30)
    assert [chunk.text for chunk in chunks] == [before, long, after]


def test_chunking_stops_at_a_references_heading_only():
    pages = ["Some body text. See the references in Table 2 for details.",
             "More body text here.\n6 REFERENCES\n[1] A. Author. Noise. 2020."]
    chunks = chunk_pages(pages)
    body = " ".join(chunk.text for chunk in chunks)
    assert "See the references in Table 2 for details." in body and "More body text here." in body
    assert "Noise" not in body and "REFERENCES" not in body
    assert chunk_pages(["Body.\nBibliography\nA. Author. 2020."])[0].text == "Body."
    assert chunk_pages([]) == [] and chunk_pages(["", "  "]) == []


def test_clean_page_text():
    raw = ("A  Study of   Transfer\n"
           "We use state-of-the-art encoders and a model pre-\n"
           "trained with trans-\n"
           "fer learning, then a ﬁne-tuned state-of-\n"
           "the-art model   scores 72.4 F1.\n"
           "\n"
           "12\n")
    assert clean_page_text(raw) == (
        "A Study of Transfer\n"
        "We use state-of-the-art encoders and a model pretrained with transfer learning, "
        "then a fine-tuned state-of-the-art model scores 72.4 F1.")
    assert clean_page_text("Page 3 of 9\nText.") == "Text."
    assert clean_page_text("") == ""
    # A lone number inside the page is data, not a page number; one at the page's foot is dropped.
    cleaned = clean_page_text("Header line.\nTable A\n2020\nCount\n\nText one.\nText two.\n7")
    assert "2020" in cleaned and not cleaned.endswith("7")


def test_a_sentence_continues_across_a_page_break():
    pages = ["The model is trained on", "labelled data. A new sen-", "tence ends here."]
    text = join_pages(pages)
    assert text == "The model is trained on labelled data. A new sentence ends here."
    chunks = chunk_pages(pages, target_words=6, overlap_sentences=0)
    assert [(c.text, c.page_start, c.page_end) for c in chunks] == [
        ("The model is trained on labelled data.", 1, 2), ("A new sentence ends here.", 2, 3)]


def test_bad_files_raise_full_text_error(tmp_path):
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("<html>not a pdf</html>")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    for path in (not_pdf, broken, tmp_path / "missing.pdf"):
        with pytest.raises(FullTextError):
            pdf_chunks(path)
    with pytest.raises(FullTextError, match="not a PDF"):
        extract_pages(not_pdf)
    assert issubclass(FullTextError, AgentError)


def test_pdf_without_text_raises(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50)  # a drawing but no text, like a scanned page
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    assert extract_pages(path) == [""]
    with pytest.raises(FullTextError, match="no extractable text"):
        pdf_chunks(path)


def test_encrypted_pdf(tmp_path):
    def write(name: str, **passwords: str) -> Path:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(0, 10, "Hidden text here.")
        pdf.set_encryption(**passwords)
        pdf.output(str(tmp_path / name))
        return tmp_path / name

    with pytest.raises(FullTextError, match="encrypted"):
        extract_pages(write("locked.pdf", owner_password="owner", user_password="secret"))
    # Only an owner password (restrictions, no secret): the text is readable.
    assert extract_pages(write("restricted.pdf", owner_password="owner")) == ["Hidden text here."]


def test_arxiv_pdf_url():
    assert arxiv_pdf_url("2104.07412") == "https://arxiv.org/pdf/2104.07412"
    assert arxiv_pdf_url(" arXiv:2104.07412v2 ") == "https://arxiv.org/pdf/2104.07412v2"
    assert arxiv_pdf_url("https://arxiv.org/abs/2104.07412") == "https://arxiv.org/pdf/2104.07412"
    assert arxiv_pdf_url("http://arxiv.org/pdf/2104.07412v1.pdf") == "https://arxiv.org/pdf/2104.07412v1"
    assert arxiv_pdf_url("cs/0112017") == "https://arxiv.org/pdf/cs/0112017"
    with pytest.raises(FullTextError):
        arxiv_pdf_url("not an id")


# --- downloads from a local server -------------------------------------------------------------------

STALL_SECONDS = 10.0


@pytest.fixture()
def server(paper_pdf):
    body = paper_pdf.read_bytes()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            try:
                self._answer()
            except OSError:  # the client gave up first: expected for the stall routes
                pass

        def _answer(self) -> None:
            if self.path == "/paper.pdf":
                self._send(200, "application/pdf", body)
            elif self.path == "/octet":
                self._send(200, "application/octet-stream", body)
            elif self.path == "/page.html":
                self._send(200, "text/html; charset=utf-8", b"<html><body>Sign in</body></html>")
            elif self.path == "/disguised.pdf":
                self._send(200, "application/pdf", b"<html>" + b"x" * 5000 + b"</html>")
            elif self.path == "/big-declared":
                self._send(200, "application/pdf", body)
            elif self.path == "/big-streamed":
                self._send(200, "application/pdf", body, length=False)
            elif self.path == "/stall":
                release.wait(STALL_SECONDS)
                self._send(200, "application/pdf", body)
            elif self.path == "/stall-body":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:2000])
                self.wfile.flush()
                release.wait(STALL_SECONDS)
            else:
                self._send(404, "text/html", b"<html>Not Found</html>")

        def _send(self, status: int, content_type: str, payload: bytes, length: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if length:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args) -> None:  # noqa: A002 (signature of the base class)
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()


def test_download_pdf_writes_the_file(server, paper_pdf, tmp_path):
    dest = tmp_path / "papers" / "2104.07412.pdf"
    assert download_pdf(f"{server}/paper.pdf", dest, timeout=5) == dest
    assert dest.read_bytes() == paper_pdf.read_bytes()
    assert [path.name for path in dest.parent.iterdir()] == [dest.name]
    assert pdf_chunks(dest, target_words=40)  # the downloaded file parses
    # A server that labels PDFs generically is fine: the %PDF header decides.
    other = tmp_path / "papers" / "other.pdf"
    download_pdf(f"{server}/octet", other, timeout=5)
    assert other.read_bytes() == paper_pdf.read_bytes()


@pytest.mark.parametrize(("route", "kwargs", "message"), [
    ("/page.html", {}, "not a PDF"),
    ("/disguised.pdf", {}, "not a PDF"),
    ("/missing.pdf", {}, "HTTP 404"),
    ("/big-declared", {"max_bytes": 1000}, "too large"),
    ("/big-streamed", {"max_bytes": 1000}, "too large"),
])
def test_download_failures_leave_nothing_behind(server, tmp_path, route, kwargs, message):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "paper.pdf").write_bytes(b"%PDF- an older good copy")
    with pytest.raises(FullTextError, match=message):
        download_pdf(f"{server}{route}", folder / "paper.pdf", timeout=5, **kwargs)
    assert [path.name for path in folder.iterdir()] == ["paper.pdf"]
    assert (folder / "paper.pdf").read_bytes() == b"%PDF- an older good copy"


@pytest.mark.parametrize("route", ["/stall", "/stall-body"])
def test_stalled_server_times_out(server, tmp_path, route):
    started = time.monotonic()
    with pytest.raises(FullTextError, match="download failed"):
        download_pdf(f"{server}{route}", tmp_path / "paper.pdf", timeout=0.5)
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server(tmp_path):
    with pytest.raises(FullTextError, match="download failed"):
        download_pdf("http://127.0.0.1:9/paper.pdf", tmp_path / "paper.pdf", timeout=2)
    with pytest.raises(FullTextError, match="download failed"):
        download_pdf("not a url", tmp_path / "paper.pdf")
    assert list(tmp_path.iterdir()) == []


def test_chunk_is_a_plain_record():
    chunk = Chunk(index=0, text="A sentence.", page_start=1, page_end=1)
    assert (chunk.index, chunk.text, chunk.page_start, chunk.page_end) == (0, "A sentence.", 1, 1)
