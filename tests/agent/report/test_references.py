"""references.bib, references.json (CSL-JSON) and claims.csv: written from a report, parsed back by two
independent BibTeX readers."""

import csv
import io
import json

import bibtexparser
import pybtex.database
import pytest

from agent.report.model import ReportPaper
from agent.report.references import (
    base_key,
    citation_keys,
    render_bibtex,
    render_claims_csv,
    render_csl_json,
    tex_escape,
)
from tests.support.sample_report import sample_report

TRICKY = ReportPaper(
    id="2004.09813", title="{BERT} and $\\mathcal{O}(n^2)$ attention: S{\\o}gaard's view of Q&A at 100% #1",
    authors=["Anders Søgaard", "Zoë van der Berg", "Jörg Tiedemann", "Research and Development Team"],
    year=2020, url="https://arxiv.org/abs/2004.09813", categories=["cs.CL", "cs.LG"],
)
LOCAL = ReportPaper(
    id="local:doi-10.18653-v1-2020.acl-main.747", title="Unsupervised Cross-lingual Representation Learning at Scale",
    authors=["Alexis Conneau", "Kartikay Khandelwal"], year=2020, url="https://doi.org/10.18653/v1/2020.acl-main.747",
    bib_entry={"ENTRYTYPE": "inproceedings", "ID": "conneau-etal-2020-unsupervised",
               "title": "Unsupervised Cross-lingual Representation Learning at Scale",
               "author": "Conneau, Alexis and Khandelwal, Kartikay", "booktitle": "Proceedings of ACL",
               "year": "2020", "pages": "8440--8451", "doi": "10.18653/v1/2020.acl-main.747",
               "file": "Full Text PDF:/home/me/Zotero/storage/X/conneau.pdf:application/pdf",
               "abstract": "We show that pretraining at scale..."},
)


def _report(papers):
    report = sample_report()
    report.papers = papers
    return report


def test_bibtex_round_trips_non_ascii_braces_tex_and_math_through_two_readers():
    text = render_bibtex(_report([TRICKY, LOCAL]))
    parsed = bibtexparser.parse_string(text)
    assert not parsed.failed_blocks
    arxiv, local = parsed.entries
    assert arxiv.key == "sogaard2020bert" and arxiv.entry_type == "misc"
    # exactly what was written comes back: TeX and math as given, only &, %, # escaped outside math
    assert arxiv["title"] == ("{BERT} and $\\mathcal{O}(n^2)$ attention: S{\\o}gaard's view of Q\\&A at 100\\% \\#1")
    assert arxiv["author"] == ("Anders Søgaard and Zoë van der Berg and Jörg Tiedemann and "
                               "{Research and Development Team}")
    assert (arxiv["eprint"], arxiv["archivePrefix"], arxiv["primaryClass"], arxiv["year"]) == \
        ("2004.09813", "arXiv", "cs.CL", "2020")
    assert arxiv["url"] == "https://arxiv.org/abs/2004.09813"
    # the user's entry keeps its key and fields; the library's own bookkeeping (file, abstract) is left out
    assert local.key == "conneau-etal-2020-unsupervised" and local.entry_type == "inproceedings"
    assert local["pages"] == "8440--8451" and local["booktitle"] == "Proceedings of ACL"
    assert "file" not in local.fields_dict and "abstract" not in local.fields_dict

    database = pybtex.database.parse_string(text, "bibtex")  # a second, independent reader
    entry = database.entries["sogaard2020bert"]
    names = [str(person) for person in entry.persons["author"]]
    assert names[0] == "Søgaard, Anders" and names[1] == "van der Berg, Zoë" and len(names) == 4
    assert entry.fields["title"] == arxiv["title"]


@pytest.mark.parametrize("raw, written", [
    ("Plain title", "Plain title"),
    ("Q&A for 50% of #tags", "Q\\&A for 50\\% of \\#tags"),
    ("Already \\& escaped", "Already \\& escaped"),
    ("Math $a \\& b$ stays", "Math $a \\& b$ stays"),
    ("An unbalanced { brace", "An unbalanced \\{ brace"),
    ("A stray } and {BERT}", "A stray \\} and \\{BERT\\}"),
])
def test_tex_escape(raw, written):
    assert tex_escape(raw) == written
    assert bibtexparser.parse_string(f"@misc{{k, title = {{{written}}}}}").entries[0]["title"] == written


def test_keys_are_stable_and_unique():
    other = TRICKY.model_copy(update={"id": "2104.00001"})
    assert base_key(TRICKY) == "sogaard2020bert"
    keys = citation_keys([TRICKY, other, LOCAL])
    assert keys == {"2004.09813": "sogaard2020bert:2004.09813", "2104.00001": "sogaard2020bert:2104.00001",
                    LOCAL.id: "conneau-etal-2020-unsupervised"}
    assert citation_keys([TRICKY]) == citation_keys([TRICKY])
    nameless = ReportPaper(id="2101.00002", title="On the Transfer of Everything", authors=[], year=None, url="")
    assert base_key(nameless) == "anonndtransfer"


def test_every_reference_of_the_sample_report_is_one_entry():
    report = sample_report()
    entries = bibtexparser.parse_string(render_bibtex(report)).entries
    assert [e["eprint"] for e in entries] == [p.id for p in report.papers]
    assert len({e.key for e in entries}) == len(entries)


def test_csl_json():
    items = json.loads(render_csl_json(_report([TRICKY, LOCAL])))
    arxiv, local = items
    assert arxiv["id"] == "sogaard2020bert" and arxiv["type"] == "article" and arxiv["number"] == "arXiv:2004.09813"
    assert arxiv["author"][0] == {"family": "Søgaard", "given": "Anders"}
    assert arxiv["author"][1] == {"family": "van der Berg", "given": "Zoë"}
    assert arxiv["issued"] == {"date-parts": [[2020]]} and arxiv["DOI"] == "10.48550/arXiv.2004.09813"
    assert local["type"] == "paper-conference" and local["container-title"] == "Proceedings of ACL"
    assert local["DOI"] == "10.18653/v1/2020.acl-main.747" and local["page"] == "8440--8451"


def test_claims_csv_has_one_row_a_claim_with_quotes_intact():
    report = sample_report()
    rows = list(csv.DictReader(io.StringIO(render_claims_csv(report))))
    assert [r["claim_id"] for r in rows] == [c.id for c in report.claims]
    first, claim = rows[0], report.claims[0]
    assert first["quote"] == claim.quote and first["verdict"] == claim.verdict
    assert float(first["confidence"]) == pytest.approx(claim.confidence, abs=1e-3)
    assert first["citation_key"] == citation_keys(report.papers)[claim.paper_id]
