"""The library on a real Chroma store on disk, with real MiniLM embeddings, and its lock-free read view."""

import subprocess
import sys
import textwrap

import pytest

from agent.errors import ConfigError
from tools.embeddings import default_embedder
from tools.library import PaperLibrary
from tools.papers import Paper


def _papers():
    return [
        Paper(
            id="2401.00001v2",
            title="Cross-lingual transfer with adapters",
            authors=["A. One"],
            year=2024,
            abstract="Adapters improve zero-shot cross-lingual transfer on XNLI by 2 points.",
        ),
        Paper(
            id="2401.00002",
            title="Tokenization for low-resource languages",
            authors=["B. Two"],
            year=2024,
            abstract="Vocabulary overlap predicts zero-shot transfer to low-resource languages.",
        ),
        Paper(
            id="2401.00003",
            title="Protein folding",
            authors=["C. Three"],
            year=2023,
            abstract="We predict protein structures from sequences.",
        ),
    ]


def test_add_get_and_related_passages_exclude_the_source(tmp_path):
    library = PaperLibrary(tmp_path / "chroma", default_embedder())
    assert library.add_papers(_papers()) == 3
    assert library.add_papers(_papers()) == 0, "papers are deduplicated by id"
    paper = library.get_paper("2401.00001")
    assert paper.title == "Cross-lingual transfer with adapters" and paper.authors == ["A. One"] and paper.year == 2024
    related = library.related_passages("zero-shot cross-lingual transfer", exclude_paper_id="2401.00001", k=2)
    assert [hit.paper_id for hit in related][0] == "2401.00002"
    assert all(hit.paper_id != "2401.00001" for hit in related)
    assert library.count_papers() == 3


def test_library_persists_between_clients(tmp_path):
    PaperLibrary(tmp_path / "chroma", default_embedder()).add_papers(_papers()[:1])
    reopened = PaperLibrary(tmp_path / "chroma", default_embedder())
    assert reopened.get_paper("2401.00001") is not None


def test_a_process_that_has_not_written_reads_the_view_without_any_lock(tmp_path):
    writer = PaperLibrary(tmp_path / "chroma", default_embedder())
    writer.add_papers(_papers())
    reader = PaperLibrary(tmp_path / "chroma", default_embedder())
    assert reader.get_paper("2401.00002").title == "Tokenization for low-resource languages"
    assert [p.id for p, _ in reader.search_library("protein structures", k=1)] == ["2401.00003"]
    assert reader.related_passages("cross-lingual transfer", exclude_paper_id="2401.00001", k=1)[0].paper_id \
        == "2401.00002"
    assert reader.count_papers() == 3 and reader.stored_texts("2401.00001") == [_papers()[0].abstract]
    writer.add_papers([Paper(id="2401.00004", title="Speech translation", abstract="Cascades win at low resource.")])
    assert reader.get_paper("2401.00004") is not None, "the view follows the writer's latest write"


def _in_a_process(code: str, store, **kwargs) -> subprocess.CompletedProcess | subprocess.Popen:
    """Run `code` in a new Python process with `library` opened on `store` (lock timeout 5 s)."""
    program = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from tools.embeddings import default_embedder
        from tools.library import PaperLibrary
        from tools.papers import Paper
        library = PaperLibrary(Path({str(store)!r}), default_embedder(), lock_timeout=5)
        """) + textwrap.dedent(code)
    if kwargs.pop("background", False):
        return subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)


@pytest.mark.faults
def test_reads_go_through_while_another_process_holds_the_library(tmp_path):
    store = tmp_path / "chroma"
    seeded = _in_a_process("print(library.add_papers([Paper(id='2401.00008', title='Seed', abstract='First.')]))",
                           store)
    assert seeded.returncode == 0, seeded.stderr
    holder = _in_a_process("""
        library.add_papers([Paper(id="2401.00009", title="Held", abstract="A paper added by the holder.")])
        print("holding", flush=True)
        time.sleep(60)
        """, store, background=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        reader = _in_a_process("print(library.count_papers(), library.get_paper('2401.00009').title)", store)
        assert reader.returncode == 0, reader.stderr
        assert reader.stdout.split() == ["2", "Held"] and "waiting" not in reader.stderr
        writer = _in_a_process("library.add_papers([Paper(id='2401.00010', title='Second', abstract='Waits.')])",
                               store)
        assert writer.returncode != 0 and "in use by pid" in writer.stderr, "a second writer still waits"
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.faults
def test_unusable_store_is_a_clear_error(tmp_path):
    blocker = tmp_path / "chroma"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(ConfigError, match="cannot open the Chroma library"):
        PaperLibrary(blocker, default_embedder())


def test_filters_on_year_and_category(tmp_path):
    library = PaperLibrary(tmp_path / "chroma", default_embedder())
    papers = _papers()
    papers[0].categories, papers[1].categories = ["cs.CL", "cs.LG"], ["cs.CL"]
    library.add_papers(papers)
    from tools.library import PaperFilter

    found = library.search_library("transfer", k=5, filters=PaperFilter(year_from=2024, categories=["cs.LG"]))
    assert [paper.id for paper, _ in found] == ["2401.00001"]
    assert library.get_paper("2401.00001").categories == ["cs.CL", "cs.LG"]
    assert library.search_library("protein", k=5, filters=PaperFilter(year_to=2023))[0][0].id == "2401.00003"


def test_full_text_chunks_are_stored_replaced_and_found(tmp_path):
    from tools.fulltext import Chunk

    library = PaperLibrary(tmp_path / "chroma", default_embedder())
    paper = _papers()[0]
    chunks = [Chunk(0, "We fine-tune XLM-R with adapters on English MultiNLI.", 1, 1),
              Chunk(1, "On XNLI, Swahili accuracy rises from 64.1 to 67.9 with adapters.", 2, 3)]
    assert library.add_full_text(paper, chunks) == 2
    assert library.has_full_text(paper.id) and not library.has_full_text("2401.00002")
    assert library.add_full_text(paper, chunks[:1]) == 1, "re-reading a paper replaces its chunks"
    library.add_full_text(paper, chunks)
    library.add_papers([_papers()[1]])
    related = library.related_passages("Swahili XNLI accuracy with adapters", exclude_paper_id="2401.00002", k=1)
    assert related[0].kind == "chunk" and "64.1 to 67.9" in related[0].text
    found = library.search_library("Swahili accuracy", k=3)
    assert found[0][0].id == "2401.00001" and found[0][1].kind == "chunk"
    assert library.count_papers() == 2, "chunks do not count as papers"
    assert sorted(library.stored_texts(paper.id)) == sorted([paper.abstract, *(c.text for c in chunks)])
    assert library.stored_texts("2401.99999") == []


@pytest.fixture()
def chroma_server(tmp_path):
    """A real `chroma run` server on 127.0.0.1 (the binary ships with the chromadb package)."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("chroma run did not start")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_client_server_mode_against_a_real_chroma_server(chroma_server, tmp_path):
    library = PaperLibrary(tmp_path / "unused", default_embedder(), chroma_url=chroma_server)
    assert library.add_papers(_papers()) == 3
    again = PaperLibrary(tmp_path / "unused", default_embedder(), chroma_url=chroma_server)
    assert again.add_papers(_papers()) == 0 and again.count_papers() == 3
    related = again.related_passages("zero-shot cross-lingual transfer", exclude_paper_id="2401.00001", k=1)
    assert related[0].paper_id == "2401.00002"
    assert not (tmp_path / "unused").exists(), "server mode writes nothing to the local data dir"


@pytest.mark.faults
def test_unreachable_chroma_server_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="AGENT_CHROMA_URL"):
        PaperLibrary(tmp_path / "chroma", default_embedder(), chroma_url="http://127.0.0.1:9")
