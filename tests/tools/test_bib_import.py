"""A reference manager's BibTeX export into papers: arXiv entries, local entries with stable ids, PDFs found
from `file` fields, malformed entries named."""

import pytest

from tools.bib_import import arxiv_id_of, local_id, plain, read_bibtex
from tools.errors import InputError

ZOTERO_EXPORT = r"""
@article{huAutomaticallyEnhancing2023,
  title = {Self-Augmentation Improves Zero-Shot Cross-Lingual Transfer},
  author = {Wang, Fei and Huang, Kuan-Hao},
  year = {2023},
  eprint = {2309.10891},
  archiveprefix = {arXiv},
  file = {Full Text PDF:files/7/salt.pdf:application/pdf}
}

@inproceedings{sogaardVulcan2021,
  title = {Zero-Shot {Vulcan} Morphology with $k$-Shot Priors},
  author = {S{\o}gaard, Anders and M{\"u}ller, J{\"o}rg},
  booktitle = {Proceedings of the Interstellar Linguistics Workshop},
  year = {2021},
  doi = {10.9999/ILW.2021.7},
  abstract = {We tag Vulcan morphology without Vulcan training data.},
  file = {Accepted Version:files/9/vulcan.pdf:application/pdf}
}

@article{scholarStyle,
  title={Cross-lingual transfer for Klingon},
  author={Worf, Son of Mogh},
  journal={arXiv preprint arXiv:2401.01234},
  year={2024},
  abstract={We transfer taggers to Klingon.}
}

@misc{noTitle2020,
  author = {Nobody, A.},
  year = {2020}
}

@book{ghostPdf,
  title = {A Book Whose PDF Is Gone},
  author = {Lost, Al},
  file = {:C\:/Users/me/Mendeley/ghost.pdf:pdf}
}

@article{broken,
  title = {Missing its closing brace,
  author = {Oops, O.}

@article{afterBroken,
  title = {Still Read After a Broken Entry},
  author = {Late, L.},
  abstract = {This entry follows a broken one.}
}
"""


@pytest.fixture()
def export(tmp_path):
    (tmp_path / "files" / "7").mkdir(parents=True)
    (tmp_path / "files" / "7" / "salt.pdf").write_bytes(b"%PDF-1.4 stub")
    pdfs = tmp_path / "pdfs"
    (pdfs / "deep").mkdir(parents=True)
    (pdfs / "deep" / "vulcan.pdf").write_bytes(b"%PDF-1.4 stub")  # found under --pdf-dir by its file name
    bib = tmp_path / "My Library.bib"
    bib.write_text(ZOTERO_EXPORT, encoding="utf-8")
    return bib, pdfs


def test_entries_become_arxiv_or_local_papers(export):
    bib, pdfs = export
    result = read_bibtex(bib, pdfs)
    by_key = {p.paper.bib_entry["ID"]: p for p in result.papers}
    salt = by_key["huAutomaticallyEnhancing2023"]
    assert salt.paper.id == "2309.10891" and not salt.paper.is_local
    assert salt.paper.abstract  # the snapshot's record: its abstract, though the entry has none
    assert salt.pdfs == [bib.parent / "files" / "7" / "salt.pdf"]  # relative to the .bib file
    vulcan = by_key["sogaardVulcan2021"]
    assert vulcan.paper.id == "local:doi-10.9999-ilw.2021.7"
    assert vulcan.paper.title == "Zero-Shot Vulcan Morphology with $k$-Shot Priors"
    assert vulcan.paper.authors == ["Søgaard, Anders", "Müller, Jörg"] and vulcan.paper.year == 2021
    assert vulcan.paper.url == "https://doi.org/10.9999/ILW.2021.7"
    assert vulcan.paper.bib_entry["title"] == "Zero-Shot {Vulcan} Morphology with $k$-Shot Priors"  # TeX kept
    assert vulcan.pdfs == [pdfs / "deep" / "vulcan.pdf"]
    assert by_key["scholarStyle"].paper.id == "2401.01234"  # Google Scholar's journal field
    assert "afterBroken" in by_key


def test_malformed_and_empty_entries_are_named_not_fatal(export):
    bib, pdfs = export
    problems = " | ".join(read_bibtex(bib, pdfs).problems)
    assert "noTitle2020" in problems and "no title" in problems
    assert "ghostPdf" in problems and "C:/Users/me/Mendeley/ghost.pdf" in problems and "nothing to search" in problems
    assert "broken" in problems


def test_arxiv_ids_are_found_where_managers_put_them():
    assert arxiv_id_of({"eprint": "2104.07412v2", "archiveprefix": "arXiv"}) == "2104.07412"
    assert arxiv_id_of({"eprint": "arXiv:2104.07412", "eprinttype": "arxiv"}) == "2104.07412"
    assert arxiv_id_of({"arxivid": "1911.02116"}) == "1911.02116"  # Mendeley
    assert arxiv_id_of({"url": "https://arxiv.org/pdf/1911.02116v3.pdf"}) == "1911.02116"
    assert arxiv_id_of({"doi": "10.48550/arXiv.2203.08430"}) == "2203.08430"
    assert arxiv_id_of({"eprint": "hep-th/9901001", "archiveprefix": "arXiv"}) == "hep-th/9901001"
    assert arxiv_id_of({"eprint": "12345", "eprinttype": "pubmed"}) is None
    assert arxiv_id_of({"doi": "10.18653/v1/2020.acl-main.747"}) is None


def test_local_ids_are_stable_and_citable():
    from agent.claims.citations import PAPER_REF

    assert local_id("key", {"doi": "https://doi.org/10.18653/v1/2020.acl-main.747"}) == \
        "local:doi-10.18653-v1-2020.acl-main.747"
    assert local_id("Müller:2021 x", {}) == "local:M-ller-2021-x"
    for paper_id in (local_id("key", {"doi": "10.1/ABC(1)"}), local_id("smith_2020", {})):
        assert PAPER_REF.fullmatch(paper_id)


def test_plain_decodes_tex_and_keeps_math():
    assert plain(r"S{\o}gaard and M{\"u}ller") == "Søgaard and Müller"
    assert plain(r"{BERT} with $\alpha$-entmax") == r"BERT with $\alpha$-entmax"


def test_missing_file_or_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_bibtex(tmp_path / "none.bib")
    (tmp_path / "a.bib").write_text("@misc{a, title={T}, abstract={A}}", encoding="utf-8")
    with pytest.raises(InputError, match="no such folder"):
        read_bibtex(tmp_path / "a.bib", tmp_path / "nowhere")


def test_latin1_export_is_read(tmp_path):
    bib = tmp_path / "old.bib"
    bib.write_bytes("@misc{m, title={Caf\xe9 transfer}, abstract={A.}}".encode("latin-1"))
    [entry] = read_bibtex(bib).papers
    assert entry.paper.title == "Café transfer"
