"""Full text into the library: local PDFs and cached arXiv PDFs (the download itself: test_fulltext)."""

import shutil

import pytest

from agent.errors import InputError
from agent.services import Services
from agent.settings import load_settings
from tools.snapshot import snapshot_by_id


def _write_pdf(path, lines):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


SALT_LINES = [
    "Self-Augmentation Improves Zero-Shot Cross-Lingual Transfer",
    "Abstract. We propose SALT, which mixes code-switched and embedding-mixup augmentation.",
    "On PAWS-X, SALT improves the average accuracy of mBERT by 1.9 points over the baseline.",
    "On XNLI, the gain is smaller but consistent across the fifteen languages.",
]


@pytest.fixture()
def services(tmp_path):
    return Services(settings=load_settings(data_dir=tmp_path / "data", offline=True))


def test_local_pdfs_are_indexed_with_their_arxiv_record_when_named_by_id(services, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    _write_pdf(folder / "2309.10891v2.pdf", SALT_LINES)
    _write_pdf(folder / "notes.pdf", ["Lab notes on Vulcan morphology", "Abstract: taggers transfer poorly."])
    (folder / "broken.pdf").write_bytes(b"this is not a pdf")
    stored = services.reader.index_pdfs([folder])
    assert stored >= 2
    salt = services.library.get_paper("2309.10891")
    assert salt.title == snapshot_by_id()["2309.10891"].title and salt.source == "pdf:2309.10891v2.pdf"
    notes = services.library.get_paper("local:notes")
    assert notes.title == "Lab notes on Vulcan morphology" and notes.abstract.startswith("taggers transfer poorly")
    hit = services.library.related_passages("SALT accuracy gain on PAWS-X", exclude_paper_id="local:notes", k=1)[0]
    assert hit.paper_id == "2309.10891" and hit.kind == "chunk" and "1.9 points" in hit.text


def test_missing_pdf_path_is_an_input_error(services, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        services.reader.index_pdfs([tmp_path / "nope.pdf"])


def test_fetch_full_text_reuses_the_cached_pdf(services, tmp_path):
    cached = services.settings.cache_dir / "pdf" / "2309.10891.pdf"
    cached.parent.mkdir(parents=True)
    shutil.copy(_write_pdf(tmp_path / "salt.pdf", SALT_LINES), cached)
    paper = snapshot_by_id()["2309.10891"]
    assert services.reader.fetch(paper) >= 1  # no network: the cached file is read
    assert services.library.has_full_text("2309.10891")
