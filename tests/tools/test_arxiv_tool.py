"""The arXiv tool against a real local HTTP server that replays recorded arXiv responses, with injected faults.

Delays, timeouts and back-offs are tiny so the file runs in a few seconds and no test can hang.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import date, datetime, timezone

import pytest

from agent.errors import AgentError, InputError
from tests.support.arxiv_server import FIXTURES_DIR, ArxivFixtureServer
from tools.arxiv_tool import (
    ArxivMalformedResponse,
    ArxivQuery,
    ArxivQueryError,
    ArxivTool,
    ArxivUnavailable,
    RateLimiter,
    _parse_body,
)
from tools.papers import normalize_arxiv_id

TESTING_PAGES = ["q_testing_s0_m10_bc5a6c384fe9.json", "q_testing_s10_m10_34e56e15aaac.json",
                 "q_testing_s20_m10_348a237fecab.json"]


@pytest.fixture()
def server():
    with ArxivFixtureServer() as running:
        yield running


def make_tool(server: ArxivFixtureServer, cache_dir=None, **options) -> ArxivTool:
    settings = dict(delay_seconds=0.02, max_retries=2, timeout=0.5, backoff_seconds=0.05, endpoint=server.endpoint)
    settings.update(options)
    return ArxivTool(cache_dir, **settings)


def recorded_testing_ids() -> list[str]:
    """The ids of the recorded `testing` pages start=0,10,20, in order, without versions."""
    ids = []
    for name in TESTING_PAGES:
        body = json.loads((FIXTURES_DIR / name).read_text())["body"].encode()
        ids += [normalize_arxiv_id(result.get_short_id()) for result in _parse_body(body).results]
    return ids


# -- the query ------------------------------------------------------------------------------------
def test_fielded_query_string():
    query = ArxivQuery(title="attention is all you need", abstract='"low-resource" transfer', author="Vaswani",
                       category="cs.CL", date_from=date(2017, 1, 1), date_to=date(2017, 12, 31))
    assert query.to_search_query() == ('ti:"attention is all you need" AND abs:"low-resource transfer" AND '
                                       'au:Vaswani AND cat:cs.CL AND submittedDate:[201701010000 TO 201712312359]')
    assert ArxivQuery(terms="  zero-shot  ").to_search_query() == "all:zero-shot"
    assert ArxivQuery(author="Del Maestro").to_search_query() == 'au:"Del Maestro"'
    today = datetime.now(timezone.utc).date()
    assert ArxivQuery(date_from=date(2020, 5, 1)).to_search_query() == (
        f"submittedDate:[202005010000 TO {today:%Y%m%d}2359]")


@pytest.mark.parametrize("query", [ArxivQuery(), ArxivQuery(title="  ", terms='""'),
                                   ArxivQuery(date_from=date(2021, 1, 2), date_to=date(2021, 1, 1))])
def test_empty_or_impossible_query_is_an_input_error(query):
    with pytest.raises(InputError):
        query.to_search_query()


def test_search_rejects_bad_arguments(server):
    tool = make_tool(server)
    for call in (lambda: tool.search("  "), lambda: tool.search("x", sort="best"), lambda: tool.search("x", 0)):
        with pytest.raises(InputError):
            call()
    assert server.requests == []


def test_error_classes_and_exit_codes():
    assert issubclass(ArxivUnavailable, AgentError) and ArxivUnavailable.exit_code == 3
    assert ArxivMalformedResponse.exit_code == 3 and ArxivQueryError.exit_code == 2


# -- search and lookup -----------------------------------------------------------------------------
def test_search_pages_through_results(server):
    papers = make_tool(server, page_size=10).search("testing", max_results=30)
    assert server.params("start") == ["0", "10", "20"]
    assert server.params("max_results") == ["10", "10", "10"]
    assert server.params("search_query") == ["testing"] * 3
    assert [paper.id for paper in papers] == recorded_testing_ids()
    assert len({paper.id for paper in papers}) == 30
    assert all(paper.source == "arxiv" and paper.title and paper.authors for paper in papers)


def test_search_asks_only_for_what_it_needs(server):
    papers = make_tool(server).search("testing", max_results=10)
    assert len(papers) == 10 and server.params("max_results") == ["10"]


def test_fielded_search_and_sort_reach_the_server(server):
    query = ArxivQuery(title="zero shot", category="cs.CL")
    server.add_response({"search_query": query.to_search_query(), "max_results": "5"},
                        server.recorded_body(id_list="0000.0000"))
    assert make_tool(server).search(query, max_results=5, sort="submitted") == []
    assert server.params("search_query") == ['ti:"zero shot" AND cat:cs.CL']
    assert server.params("sortBy") == ["submittedDate"]


def test_unknown_id_gives_no_paper(server):
    assert make_tool(server).lookup(["0000.0000"]) == []
    assert make_tool(server).lookup(["0808.05394", "1707.08567"])[0].id == "1707.08567"
    assert server.params("id_list") == ["0000.0000", "0808.05394,1707.08567"]


def test_lookup_with_version_suffix(server):
    (paper,) = make_tool(server).lookup(["2104.12255v1"])
    assert paper.id == "2104.12255"
    assert paper.title == "0"
    assert paper.authors == ["Quan Thoi Minh Nguyen"]
    assert paper.year == 2021
    assert paper.categories == ["cs.CR"]
    assert paper.abstract.startswith("What is the funniest number in cryptography? 0.")
    assert paper.url == "http://arxiv.org/abs/2104.12255v1"
    assert paper.source == "arxiv"
    assert server.params("id_list") == ["2104.12255v1"]


def test_lookup_without_version_suffix(server):
    # arXiv answers a bare id with the latest version; here the recorded v1 feed stands in for it.
    server.add_response({"id_list": "2104.12255"}, server.recorded_body(id_list="2104.12255v1"))
    tool = make_tool(server)
    (bare,) = tool.lookup(["2104.12255"])
    (prefixed,) = tool.lookup(["arXiv:2104.12255v1", "2104.12255"])  # the same paper twice: asked for once
    assert bare == prefixed and bare.id == "2104.12255"
    assert server.params("id_list") == ["2104.12255", "2104.12255v1"]
    (old_style,) = tool.lookup(["quant-ph/0201082v1"])
    assert old_style.id == "quant-ph/0201082"


def test_lookup_keeps_the_order_asked(server):
    server.add_response({"id_list": "1707.08567,1605.08386"},
                        server.recorded_body(id_list="0808.05394,1707.08567").replace(
                            "</feed>", _entry_of(server, "1605.08386") + "</feed>").replace(
                            "<opensearch:totalResults>1<", "<opensearch:totalResults>2<"))
    papers = make_tool(server).lookup(["1707.08567", "1605.08386"])
    assert [paper.id for paper in papers] == ["1707.08567", "1605.08386"]


def _entry_of(server: ArxivFixtureServer, arxiv_id: str) -> str:
    body = server.recorded_body(id_list=arxiv_id)
    return body[body.index("<entry>"): body.index("</entry>") + len("</entry>")]


def test_invalid_id_is_a_query_error_from_the_feed(server):
    with pytest.raises(ArxivQueryError, match="incorrect id format for abc"):
        make_tool(server).lookup(["abc"])
    assert len(server.requests) == 1  # a rejected query is not retried


def test_error_feed_with_status_200_is_still_a_query_error(server):
    server.inject(body=server.recorded_body(id_list="abc"))
    with pytest.raises(ArxivQueryError, match="incorrect id format"):
        make_tool(server).lookup(["1605.08386"])


def test_other_client_errors_are_not_retried(server):
    with pytest.raises(ArxivUnavailable, match="HTTP 404"):
        make_tool(server).lookup(["1234.56789"])  # nothing recorded for it: the server answers 404
    assert len(server.requests) == 1


# -- faults -------------------------------------------------------------------------------------------
@pytest.mark.faults
def test_429_then_success_backs_off(server):
    server.inject(status=429)
    papers = make_tool(server, backoff_seconds=0.2).lookup(["1605.08386"])
    assert [paper.id for paper in papers] == ["1605.08386"]
    first, second = server.requests
    assert second.time - first.time >= 0.2 - 0.01


@pytest.mark.faults
def test_retry_after_is_honoured(server):
    server.inject(status=503, retry_after="1")
    assert make_tool(server, backoff_seconds=0.01).lookup(["1605.08386"])
    first, second = server.requests
    assert second.time - first.time >= 1.0 - 0.01


@pytest.mark.faults
def test_retry_after_beyond_the_cap_gives_up_at_once(server):
    server.inject(status=429, retry_after="3600")
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable, match="retry after 3600 s"):
        make_tool(server, max_backoff_seconds=5).lookup(["1605.08386"])
    assert len(server.requests) == 1 and time.monotonic() - started < 1


@pytest.mark.faults
def test_5xx_every_time_is_unavailable(server):
    server.inject(status=502, times=10)
    with pytest.raises(ArxivUnavailable, match="3 tries.*HTTP 502"):
        make_tool(server).lookup(["1605.08386"])
    assert len(server.requests) == 3


@pytest.mark.faults
def test_timeout_then_success(server):
    server.inject(delay=2.0)
    papers = make_tool(server, timeout=0.2).lookup(["1707.08567"])
    assert [paper.id for paper in papers] == ["1707.08567"] and len(server.requests) == 2


@pytest.mark.faults
def test_timeout_every_time_is_unavailable_in_bounded_time(server):
    server.inject(delay=5.0, times=10)
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable, match="ReadTimeout"):
        make_tool(server, timeout=0.2, max_retries=2).search("testing", max_results=10)
    assert time.monotonic() - started < 2.0  # 3 x 0.2 s timeouts + 0.05 + 0.1 s back-off
    assert len(server.requests) == 3


@pytest.mark.faults
def test_malformed_feed_twice_is_an_error(server):
    server.inject(body="<feed><entry>broken", times=2)
    with pytest.raises(ArxivMalformedResponse, match="malformed"):
        make_tool(server).lookup(["1605.08386"])
    assert len(server.requests) == 2


@pytest.mark.faults
def test_malformed_feed_once_then_success(server):
    server.inject(body="<feed><entry>broken")
    assert [paper.id for paper in make_tool(server).lookup(["1605.08386"])] == ["1605.08386"]
    assert len(server.requests) == 2


@pytest.mark.faults
def test_html_instead_of_a_feed_is_malformed(server):
    server.inject(body="<html><body>Service maintenance</body></html>", times=2)
    with pytest.raises(ArxivMalformedResponse, match="other than a result feed"):
        make_tool(server).search("testing", max_results=10)


@pytest.mark.faults
def test_empty_page_midway_is_retried_then_paging_stops(server):
    empty_feed = server.recorded_body(id_list="0000.0000")
    server.inject()  # the first page as recorded
    server.inject(body=empty_feed)
    assert len(make_tool(server, page_size=10).search("testing", max_results=20)) == 20
    assert server.params("start") == ["0", "10", "10"]
    server.requests.clear()
    server.inject()
    server.inject(body=empty_feed, times=2)
    papers = make_tool(server, page_size=10, max_retries=1).search("testing", max_results=30)
    assert [paper.id for paper in papers] == recorded_testing_ids()[:10]  # what came before the gap
    assert server.params("start") == ["0", "10", "10"]


@pytest.mark.faults
def test_unreachable_endpoint_fails_quickly():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tool = ArxivTool(None, delay_seconds=0.01, max_retries=2, timeout=0.5, backoff_seconds=0.05,
                     endpoint=f"http://127.0.0.1:{port}/api/query?{{}}")
    assert not tool.reachable(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable, match="ConnectionError"):
        tool.search("testing")
    assert time.monotonic() - started < 2.0


def test_reachable_probe(server):
    assert make_tool(server).reachable(timeout=1.0)


# -- the cache ------------------------------------------------------------------------------------------
def test_cache_answers_a_repeated_search(server, tmp_path):
    first = make_tool(server, tmp_path).search("testing", max_results=10)
    again = make_tool(server, tmp_path).search("testing", max_results=10)  # a new tool, the same cache
    assert again == first and len(server.requests) == 1
    (entry,) = [json.loads(path.read_text()) for path in tmp_path.glob("*.json")]
    assert set(entry) == {"url", "fetched_at", "body"} and "search_query=testing" in entry["url"]


def test_expired_cache_entry_is_refetched(server, tmp_path):
    tool = make_tool(server, tmp_path, cache_ttl_seconds=60)
    tool.lookup(["1605.08386"])
    (path,) = tmp_path.glob("*.json")
    entry = json.loads(path.read_text())
    entry["fetched_at"] -= 61
    path.write_text(json.dumps(entry))
    assert tool.lookup(["1605.08386"])[0].id == "1605.08386"
    assert len(server.requests) == 2
    assert json.loads(path.read_text())["fetched_at"] > entry["fetched_at"] + 60


@pytest.mark.faults
@pytest.mark.parametrize("garbage", ["{not json", '["a list"]', '{"url": 1}', ""])
def test_corrupt_cache_file_is_ignored_and_replaced(server, tmp_path, garbage):
    tool = make_tool(server, tmp_path)
    tool.lookup(["1605.08386"])
    (path,) = tmp_path.glob("*.json")
    path.write_text(garbage)
    assert tool.lookup(["1605.08386"])[0].id == "1605.08386"
    assert len(server.requests) == 2
    assert json.loads(path.read_text())["body"].startswith("<?xml")
    assert tool.lookup(["1605.08386"]) and len(server.requests) == 2


def test_only_good_answers_are_cached(server, tmp_path):
    tool = make_tool(server, tmp_path)
    for _ in range(2):
        with pytest.raises(ArxivQueryError):
            tool.lookup(["abc"])
    server.inject(status=503)
    server.inject(body="<feed><entry>broken")
    tool.lookup(["1605.08386"])
    assert len(server.requests) == 5 and len(list(tmp_path.glob("*.json"))) == 1
    assert json.loads(next(tmp_path.glob("*.json")).read_text())["body"].startswith("<?xml")


# -- the rate limiter ------------------------------------------------------------------------------------
def test_rate_limiter_spaces_starts():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(3.0, clock=lambda: now[0], sleep=sleep)
    assert limiter.wait() == 0
    now[0] += 1.0
    assert limiter.wait() == pytest.approx(2.0)
    now[0] += 5.0
    assert limiter.wait() == 0
    assert limiter.wait(0.5) == pytest.approx(0.5)
    assert slept == pytest.approx([2.0, 0.5])


def test_shared_rate_limiter_across_tools_and_threads(server):
    delay = 0.2
    tools = [make_tool(server, delay_seconds=delay) for _ in range(2)]
    assert tools[0].rate_limiter is tools[1].rate_limiter
    work = [["1605.08386", "1707.08567"], ["astro-ph/0601001", "0808.05394"]]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(tool: ArxivTool, ids: list[str]) -> None:
        try:
            barrier.wait(timeout=5)
            for arxiv_id in ids:
                tool.lookup([arxiv_id])
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(tools, work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not errors and not any(thread.is_alive() for thread in threads)
    times = sorted(request.time for request in server.requests)
    assert len(times) == 4
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= delay - 0.02
