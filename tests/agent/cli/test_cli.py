"""The `agent` command as a user runs it: a real subprocess."""

import csv
import json
import os
import subprocess
import sys

import bibtexparser
import pytest

from tests.conftest import EXAMPLE_QUESTION, TEST_API_KEY


def _agent(*args, env_extra=None, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def _no_traceback(result):
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_one_line_and_exit_2(question):
    result = _agent("ask", question)
    assert result.returncode == 2
    assert "the question is empty" in result.stderr
    _no_traceback(result)


def test_invalid_setting_names_the_variable(tmp_path):
    result = _agent("ask", "q?", env_extra={"AGENT_PROVIDER": "bogus"})
    assert result.returncode == 2 and "AGENT_PROVIDER" in result.stderr
    _no_traceback(result)


def test_missing_model_file_is_a_clear_error(tmp_path):
    result = _agent("ask", "q?", "--model", str(tmp_path / "nope.gguf"), "--data-dir", str(tmp_path))
    assert result.returncode == 3 and "model file not found" in result.stderr
    _no_traceback(result)


def test_unreachable_base_url_is_a_clear_error(tmp_path):
    result = _agent("ask", "q?", "--provider", "openai", "--data-dir", str(tmp_path), "--offline",
                    env_extra={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": TEST_API_KEY,
                               "AGENT_MODEL": "m"})
    assert result.returncode == 3 and "cannot reach the model server" in result.stderr
    assert TEST_API_KEY not in result.stdout + result.stderr
    _no_traceback(result)


def test_ask_writes_the_report_and_prints_its_paths(tmp_path, chat_server):
    # Its own data directory: Chroma does not support two processes on one store (the test session's).
    out = tmp_path / "out"
    result = _agent("ask", EXAMPLE_QUESTION, "--out", str(out), "--provider", "openai", "--offline",
                    "--data-dir", str(tmp_path / "data"),
                    env_extra={"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY,
                               "AGENT_MODEL": "scripted"})
    assert result.returncode == 0, result.stderr
    assert str(out / "report.md") in result.stdout and str(out / "report.json") in result.stdout
    assert (out / "report.json").exists() and (out / "report.md").exists() and (out / "report.html").exists()
    assert "Claims" in result.stdout and "model calls" in result.stdout
    _no_traceback(result)
    # every run writes its references for reference managers, one entry per reference of the report
    report = json.loads((out / "report.json").read_text())
    parsed = bibtexparser.parse_file(str(out / "references.bib"))
    assert not parsed.failed_blocks and len(parsed.entries) == len(report["papers"]) > 0
    assert {e["eprint"] for e in parsed.entries} == {p["id"] for p in report["papers"]}
    csl = json.loads((out / "references.json").read_text())
    assert [item["id"] for item in csl] == [e.key for e in parsed.entries]
    # the report of the finished run renders again in each format, and its citations check out
    (out / "report.html").unlink()
    (out / "references.bib").unlink()
    for fmt, name in (("html", "report.html"), ("md", "report.md"), ("json", "report.json"),
                      ("bib", "references.bib"), ("csl", "references.json"), ("csv", "claims.csv")):
        rendered = _agent("report", "render", str(out), "--format", fmt)
        assert rendered.returncode == 0 and name in rendered.stdout, rendered.stderr
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert len(bibtexparser.parse_file(str(out / "references.bib")).entries) == len(report["papers"])
    rows = list(csv.DictReader((out / "claims.csv").open(encoding="utf-8")))
    assert [r["claim_id"] for r in rows] == [c["id"] for c in report["claims"]]
    checked = _agent("report", "check", str(out))
    assert checked.returncode == 0 and "citations and references are consistent" in checked.stdout


def test_report_commands_reject_bad_input_in_one_line(tmp_path):
    missing = _agent("report", "render", str(tmp_path))
    assert missing.returncode == 2 and "no report at" in missing.stderr
    (tmp_path / "report.json").write_text('{"question": "q"}')
    broken = _agent("report", "render", str(tmp_path), "--format", "md")
    assert broken.returncode == 2 and "is not a valid report.json" in broken.stderr
    unknown = _agent("report", "render", str(tmp_path), "--format", "pdf")
    assert unknown.returncode == 2 and "unknown format 'pdf'" in unknown.stderr
    for result in (missing, broken, unknown):
        assert len(result.stderr.strip().splitlines()) == 1
        _no_traceback(result)


def test_report_check_names_each_broken_citation(tmp_path):
    from tests.support.sample_report import sample_report

    report = sample_report()
    report.answer += " [C9]"
    (tmp_path / "report.json").write_text(report.model_dump_json())
    result = _agent("report", "check", str(tmp_path))
    assert result.returncode == 1 and "the answer cites C9" in result.stdout
    _no_traceback(result)


def _write_pdf(path, title, paragraphs):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(path))


def test_search_and_index_commands(tmp_path):
    import json

    from tests.support.arxiv_server import ArxivFixtureServer

    data = str(tmp_path / "data")
    result = _agent("search", "self-augmentation zero-shot cross-lingual transfer", "--offline", "--json",
                    "--k", "5", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 5 and all(set(row) == {"id", "title", "year", "score"} for row in rows)
    assert "2309.10891" in [row["id"] for row in rows]  # the done criterion
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)

    papers = tmp_path / "papers.jsonl"
    papers.write_text(json.dumps({"id": "2611.00001v1", "title": "Code-switched Klingon question answering",
                                  "abstract": "We build a Klingon-English code-switched QA benchmark.",
                                  "categories": ["cs.CL"]}) + "\n{broken\n", encoding="utf-8")
    result = _agent("index", "--jsonl", str(papers), "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "line 2" in result.stderr and "papers: 1 read, 1 new" in result.stdout

    pdf = tmp_path / "glossolalia.pdf"
    _write_pdf(pdf, "Glossolalia Transfer for Vulcan Morphology", [
        "Abstract. We study zero-shot transfer of morphological taggers from English to Vulcan.",
        "Our tagger reaches 71.3 accuracy on the Vulcan treebank without any Vulcan training data.",
    ])
    result = _agent("index", "--pdf", str(pdf), "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "local:glossolalia" in result.stderr and "chunks stored" in result.stdout

    result = _agent("search", "morphological tagging for Vulcan", "--offline", "--json", "--k", "3",
                    "--data-dir", data)
    assert json.loads(result.stdout)[0]["id"] == "local:glossolalia"
    result = _agent("search", "Klingon code-switched question answering", "--offline", "--k", "3",
                    "--category", "cs.CL", "--year-from", "2026", "--data-dir", data)
    assert result.returncode == 0 and "2611.00001" in result.stdout and "library" in result.stdout

    with ArxivFixtureServer() as server:
        result = _agent("index", "--arxiv", "testing", "--max", "10", "--data-dir", data,
                        env_extra={"AGENT_ARXIV_ENDPOINT": server.endpoint, "AGENT_ARXIV_DELAY_SECONDS": "0.01"})
    assert result.returncode == 0, result.stderr
    assert "papers: 10 read, 10 new" in result.stdout
    _no_traceback(result)


ZOTERO_BIB = r"""
@inproceedings{okaforSTSBridge2024,
  title = {Semantic Textual Similarity as an Intermediate Task for Zero-Shot Cross-Lingual Transfer to
           Low-Resource Languages},
  author = {Okafor, Ngozi and Kowalczyk, Zofia and Nguy{\~{\^e}}n, Th{\`i}},
  booktitle = {Proceedings of the Workshop on Low-Resource Transfer},
  year = {2024},
  doi = {10.5555/lrt.2024.12},
  file = {Full Text PDF:files/12/Okafor - STS bridge.pdf:application/pdf}
}
@article{salt2023,
  title = {Self-Augmentation Improves Zero-Shot Cross-Lingual Transfer},
  author = {Wang, Fei and Huang, Kuan-Hao},
  eprint = {2309.10891}, archivePrefix = {arXiv}, year = {2023}
}
@misc{halfWritten,
  author = {Nobody}
}
"""


def test_index_a_reference_managers_export_with_pdfs_then_search_and_cite_it(tmp_path, chat_server):
    data = str(tmp_path / "data")
    export = tmp_path / "export"
    (export / "files" / "12").mkdir(parents=True)
    _write_pdf(export / "files" / "12" / "Okafor - STS bridge.pdf", "STS as a bridge for low-resource transfer", [
        "Abstract. We study intermediate-task training on semantic textual similarity (STS) data before "
        "zero-shot cross-lingual transfer to low-resource languages.",
        "Intermediate-task training on STS data improves zero-shot cross-lingual transfer to Yoruba and Igbo "
        "by 2.1 accuracy points on average over direct fine-tuning.",
    ])
    (export / "My Library.bib").write_text(ZOTERO_BIB, encoding="utf-8")
    result = _agent("index", "--bib", str(export / "My Library.bib"), "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "halfWritten" in result.stderr and "no title" in result.stderr  # named, not fatal
    assert "indexed Okafor - STS bridge.pdf as local:doi-10.5555-lrt.2024.12" in result.stderr
    _no_traceback(result)
    again = _agent("index", "--bib", str(export / "My Library.bib"), "--data-dir", data)
    assert again.returncode == 0 and "1 already in the library" in again.stdout

    found = _agent("search", "Yoruba and Igbo transfer after STS intermediate training", "--offline", "--json",
                   "--k", "3", "--data-dir", data)
    assert "local:doi-10.5555-lrt.2024.12" in [row["id"] for row in json.loads(found.stdout)]

    out = tmp_path / "run"
    asked = _agent("ask", EXAMPLE_QUESTION, "--out", str(out), "--provider", "openai", "--offline", "--data-dir", data,
                   env_extra={"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY,
                              "AGENT_MODEL": "scripted"})
    assert asked.returncode == 0, asked.stderr
    report = json.loads((out / "report.json").read_text())
    [local] = [p for p in report["papers"] if p["id"] == "local:doi-10.5555-lrt.2024.12"]
    assert local["bib_entry"]["booktitle"] == "Proceedings of the Workshop on Low-Resource Transfer"
    assert local["authors"][2] == "Nguyễn, Thì"
    entries = {e.key: e for e in bibtexparser.parse_file(str(out / "references.bib")).entries}
    assert entries["okaforSTSBridge2024"].entry_type == "inproceedings"  # the user's own key and type
    assert entries["okaforSTSBridge2024"]["doi"] == "10.5555/lrt.2024.12"
    assert "Proceedings of the Workshop on Low-Resource Transfer" in (out / "report.md").read_text()


@pytest.mark.parametrize("args, message", [
    (["search", "  "], "the query is empty"),
    (["search", "x", "--year-from", "2024", "--year-to", "2020"], "is after --year-to"),
    (["index"], "nothing to index"),
    (["index", "--pdf", "/nonexistent/file.pdf"], "no such file"),
    (["index", "--jsonl", "/nonexistent/papers.jsonl"], "no such file"),
    (["index", "--bib", "/nonexistent/refs.bib"], "no such file"),
    (["index", "--pdf-dir", "/tmp"], "--pdf-dir goes with --bib"),
])
def test_search_and_index_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    result = _agent(*args, "--data-dir", str(tmp_path))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    _no_traceback(result)


def test_index_from_arxiv_offline_is_a_clear_error(tmp_path):
    result = _agent("index", "--arxiv", "cat:cs.CL", "--data-dir", str(tmp_path), env_extra={"AGENT_OFFLINE": "1"})
    assert result.returncode == 2 and "needs the network" in result.stderr
    _no_traceback(result)


@pytest.mark.parametrize("claim, message", [("  ", "the claim is empty"), ("word " * 300, "keep it under")])
def test_verify_bad_claim_is_one_line_and_exit_2(claim, message):
    result = _agent("verify", claim)
    assert result.returncode == 2 and message in result.stderr
    _no_traceback(result)


def _data_dir_with_encoder(tmp_path, model_cache):
    data = tmp_path / "data"
    (data / "models" / "hf").mkdir(parents=True)
    (data / "models" / "hf" / "multilingual-e5-small-hf").symlink_to(model_cache / "multilingual-e5-small-hf")
    return data


def test_experiment_commands_run_a_tiny_job_and_print_json(tmp_path, model_cache):
    import json

    data = _data_dir_with_encoder(tmp_path, model_cache)
    flags = ["--task", "xnli", "--eval-langs", "en,de", "--max-train", "16", "--max-eval", "16", "--epochs", "1",
             "--data-dir", str(data)]
    result = _agent("experiment", "run", *flags, "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == {"job_id", "status", "per_language", "average", "wall_seconds", "baselines"}
    assert printed["status"] == "SUCCEEDED" and set(printed["per_language"]) == {"en", "de"}
    assert all(0 <= acc <= 1 for acc in printed["per_language"].values())
    assert printed["baselines"]["de"]["model"] == "XLM-R" and "arXiv:1911.02116" in printed["baselines"]["de"]["source"]
    job = printed["job_id"]
    again = _agent("experiment", "run", *flags, "--json")
    assert "already submitted" in again.stderr and json.loads(again.stdout)["job_id"] == job
    status = _agent("experiment", "status", job, "--json", "--data-dir", str(data))
    assert json.loads(status.stdout)["status"] == "SUCCEEDED"
    results = _agent("experiment", "results", job, "--data-dir", str(data))
    assert results.returncode == 0 and "average" in results.stdout and "results.png" in results.stdout
    logs = _agent("experiment", "logs", job, "--data-dir", str(data))
    assert "EXPERIMENT_METRICS" in logs.stdout and "de accuracy" in logs.stdout
    tail = _agent("experiment", "logs", job, "--tail", "1", "--data-dir", str(data))
    assert len(tail.stdout.strip().splitlines()) == 1
    listed = _agent("experiment", "list", "--data-dir", str(data))
    assert job in listed.stdout


@pytest.mark.parametrize("args, message", [
    (["experiment", "run", "--task", "xnli", "--eval-langs", "en,xx"], "xnli has no language xx"),
    (["experiment", "run", "--task", "xnli"], "give a spec file"),
    (["experiment", "run", "missing.yaml"], "no experiment spec at missing.yaml"),
    (["experiment", "status", "xnli-000000000000"], "no experiment job 'xnli-000000000000'"),
    (["experiment", "run", "--task", "xnli", "--eval-langs", "de", "--backend", "kubernetes"], "backend"),
])
def test_experiment_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    result = _agent(*args, "--data-dir", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    _no_traceback(result)


def test_log_json_writes_one_json_object_a_line_without_secrets(tmp_path, chat_server):
    import json

    result = _agent("--verbose", "--log-json", "ask", EXAMPLE_QUESTION, "--out", str(tmp_path / "out"), "--provider",
                    "openai", "--offline", "--no-experiments", "--data-dir", str(tmp_path / "data"),
                    env_extra={"OPENAI_BASE_URL": chat_server.base_url, "OPENAI_API_KEY": TEST_API_KEY,
                               "AGENT_MODEL": "scripted"})
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any("step done" in r["message"] and r["logger"] == "agent.nodes" for r in records)
    assert any(r["message"].startswith("run ") and "openai_api_key_set" in r["message"] for r in records)
    assert TEST_API_KEY not in result.stderr + result.stdout


@pytest.mark.faults
def test_index_of_a_non_utf8_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\xff\xfe\x00garbage\n")
    result = _agent("index", "--jsonl", str(bad), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 2 and "no papers read from" in result.stderr and "not UTF-8" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    _no_traceback(result)
