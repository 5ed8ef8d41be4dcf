"""Reading papers from JSONL files in the shapes people have them."""

import gzip
import json

import pytest

from agent.errors import InputError
from tools.paper_import import read_papers_jsonl


def test_reads_project_and_arxiv_dump_rows_and_reports_bad_lines(tmp_path):
    rows = [
        {"id": "2309.10891v2", "title": "Self-Augmentation", "abstract": "SALT helps.", "authors": ["F. Wang"],
         "year": 2023, "categories": ["cs.CL"]},
        # the shape of the daily arXiv listing dump: summary/listing_date/abs_url, a year from the listing date
        {"id": "2505.18673", "title": "A  dump\n row", "summary": "Text.", "authors": "A. B, C. D and E. F",
         "listing_date": "2025-05-26", "categories": "cs.CL cs.AI", "abs_url": "https://arxiv.org/abs/2505.18673"},
        {"arxiv_id": "2104.07412", "title": "XTREME-R", "abstract": "Benchmark."},  # year from the id
        {"id": "2401.1", "title": "", "abstract": "No title."},
        {"id": "2401.2", "title": "No abstract"},
    ]
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n[1, 2]\n\n", encoding="utf-8")
    result = read_papers_jsonl(path)
    assert [p.id for p in result.papers] == ["2309.10891", "2505.18673", "2104.07412"]
    dump = result.papers[1]
    assert dump.title == "A dump row" and dump.authors == ["A. B", "C. D", "E. F"]
    assert dump.year == 2025 and dump.categories == ["cs.CL", "cs.AI"]
    assert result.papers[2].year == 2021
    assert result.problems == [
        "line 4: no title",
        "line 5: no abstract",
        "line 6: Expecting value: line 1 column 1 (char 0)",
        "line 7: not a JSON object",
    ]


def test_gzip_files_and_missing_files(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "2003.11080", "title": "XTREME", "abstract": "A benchmark."}) + "\n")
    assert [p.id for p in read_papers_jsonl(path).papers] == ["2003.11080"]
    with pytest.raises(InputError, match="no such file"):
        read_papers_jsonl(tmp_path / "missing.jsonl")


def test_a_line_that_is_not_utf8_is_skipped_and_named_and_the_rest_is_read(tmp_path):
    good = json.dumps({"id": "2003.11080", "title": "XTREME", "abstract": "A benchmark."}).encode()
    latin1 = json.dumps({"id": "2601.00001", "title": "Café", "abstract": "x"}, ensure_ascii=False).encode("latin-1")
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(good + b"\n" + latin1 + b"\n" + good.replace(b"2003.11080", b"2104.07412") + b"\n")
    result = read_papers_jsonl(path)
    assert [p.id for p in result.papers] == ["2003.11080", "2104.07412"]
    assert result.problems == ["line 2: not UTF-8 (byte 0xe9 at column 35)"]


@pytest.mark.faults
def test_a_truncated_gzip_keeps_the_lines_before_the_cut(tmp_path):
    lines = "".join(json.dumps({"id": f"2003.{11080 + i}", "title": f"Paper {i}", "abstract": "Text " * 50}) + "\n"
                    for i in range(200))
    whole = gzip.compress(lines.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    result = read_papers_jsonl(path)
    assert 0 < len(result.papers) < 200 and result.papers[0].id == "2003.11080"
    assert result.problems[-1].startswith("the compressed file is cut off after line")
    path.write_bytes(whole[:12])
    with pytest.raises(InputError, match="cut off before its first line"):
        read_papers_jsonl(path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="cannot read"):
        read_papers_jsonl(path)
