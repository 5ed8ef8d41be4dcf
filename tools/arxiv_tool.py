"""Live arXiv search and lookup by id, polite and robust, on top of the `arxiv` package.

`arxiv.Client` still does the paging (`_results`, `_format_url`) and the Atom parsing (`arxiv._feed.parse`);
`_PoliteClient._parse_feed` replaces how one page is fetched: a response cache, one rate limiter per host
shared by the whole process, a timeout on every request, retries with capped exponential back-off that honour
Retry-After, and errors a user can act on. `_parse_feed` is a private hook of arxiv 4.x, hence `arxiv>=4,<5`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import arxiv
import requests
from arxiv import _feed
from lxml import etree
from pydantic import BaseModel

from tools.errors import InputError, UserError
from tools.files import write_text_atomically
from tools.papers import Paper, normalize_arxiv_id

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = arxiv.Client.query_url_format
USER_AGENT = f"research-agent (arxiv.py/{arxiv.__version__})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDS_PER_REQUEST = 100
_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_FIRST_ARXIV_DAY = date(1991, 8, 1)

Sort = Literal["relevance", "submitted", "updated"]
_SORTS = {
    "relevance": arxiv.SortCriterion.Relevance,
    "submitted": arxiv.SortCriterion.SubmittedDate,
    "updated": arxiv.SortCriterion.LastUpdatedDate,
}


class ArxivError(UserError):
    """arXiv could not give an answer. Exit code 3, as for ProviderError: an outside service failed."""

    exit_code = 3


class ArxivUnavailable(ArxivError):
    """Network down, timeouts, or 429/5xx answers after every retry."""


class ArxivQueryError(ArxivError):
    """arXiv rejected the query itself. The user can fix that, so exit code 2, as for InputError."""

    exit_code = 2


class ArxivMalformedResponse(ArxivError):
    """arXiv answered 200 with something that is not a well-formed Atom result feed."""


# -- the query ------------------------------------------------------------------------------------
_PLAIN_VALUE = re.compile(r"^[\w.\-]+$")


def _quote(value: str) -> str:
    text = " ".join(value.replace('"', " ").split())
    return text if not text or _PLAIN_VALUE.match(text) else f'"{text}"'


class ArxivQuery(BaseModel):
    """A fielded arXiv query; every field given must match (the clauses are AND-joined)."""

    terms: str = ""
    title: str = ""
    abstract: str = ""
    author: str = ""
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def to_search_query(self) -> str:
        fields = [("all", self.terms), ("ti", self.title), ("abs", self.abstract), ("au", self.author),
                  ("cat", self.category)]
        clauses = [f"{prefix}:{quoted}" for prefix, value in fields if (quoted := _quote(value))]
        if self.date_from or self.date_to:
            start = self.date_from or _FIRST_ARXIV_DAY
            end = self.date_to or datetime.now(timezone.utc).date()
            if start > end:
                raise InputError(f"arXiv query: date_from {start} is after date_to {end}")
            clauses.append(f"submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]")
        if not clauses:
            raise InputError("arXiv query is empty: give terms, title, abstract, author, category or dates")
        return " AND ".join(clauses)


# -- politeness: one rate limiter per host, and a response cache -----------------------------------
class RateLimiter:
    """Spaces request *starts* at least `min_interval` seconds apart, across threads.

    A caller reserves the next free start time under the lock and sleeps outside it, so concurrent callers
    queue up one interval apart instead of all waking up together.
    """

    def __init__(self, min_interval: float = 3.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_start: float | None = None

    def wait(self, min_interval: float | None = None) -> float:
        """Block until this request may start; returns the seconds slept."""
        interval = self.min_interval if min_interval is None else min_interval
        with self._lock:
            now = self._clock()
            start = now if self._last_start is None else max(now, self._last_start + interval)
            self._last_start = start
        delay = start - now
        if delay > 0:
            logger.debug("rate limit: waiting %.2f s", delay)
            self._sleep(delay)
        return delay


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_rate_limiter(url: str) -> RateLimiter:
    """The process-wide limiter for the host of `url` (every ArxivTool for that host shares it)."""
    host = urlparse(url).netloc.lower()
    with _limiters_lock:
        return _limiters.setdefault(host, RateLimiter())


class ArxivResponseCache:
    """Well-formed 200 answers on disk, one JSON file `{url, fetched_at, body}` per request URL."""

    def __init__(self, directory: Path, ttl_seconds: float = 86400, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def path_for(self, url: str) -> Path:
        return self.directory / f"{hashlib.sha256(url.encode()).hexdigest()}.json"

    def get(self, url: str) -> bytes | None:
        path = self.path_for(url)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            stored_url, fetched_at, body = entry["url"], float(entry["fetched_at"]), entry["body"]
            if not isinstance(body, str):
                raise TypeError("body is not a string")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("ignoring unreadable arXiv cache file %s: %s", path, exc)
            return None
        age = self._clock() - fetched_at
        if stored_url != url or not 0 <= age <= self.ttl_seconds:
            return None
        return body.encode("utf-8")

    def put(self, url: str, body: bytes) -> None:
        try:
            text = json.dumps({"url": url, "fetched_at": self._clock(), "body": body.decode("utf-8")})
            write_text_atomically(self.path_for(url), text)
        except (OSError, ValueError) as exc:
            logger.warning("could not cache the arXiv response for %s: %s", url, exc)


# -- reading a feed ---------------------------------------------------------------------------------
def _feed_root(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ArxivMalformedResponse(f"arXiv sent a malformed feed: {exc}") from None
    if root.tag != f"{_ATOM}feed" or root.find(f"{_OPENSEARCH}totalResults") is None:
        raise ArxivMalformedResponse(f"arXiv sent something other than a result feed (<{root.tag}>)")
    return root


def _error_message(root: etree._Element) -> str | None:
    """arXiv reports a rejected query as a feed whose one entry has an .../api/errors#... id."""
    for entry in root.iterfind(f"{_ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            return " ".join((entry.findtext(f"{_ATOM}summary") or "unknown error").split())
    return None


def _parse_body(body: bytes) -> _feed.ParsedFeed:
    root = _feed_root(body)
    if (message := _error_message(root)) is not None:
        raise ArxivQueryError(f"arXiv rejected the query: {message}")
    return _feed.parse(body)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delay-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


# -- the client ---------------------------------------------------------------------------------------
class _PoliteClient(arxiv.Client):
    def __init__(self, *, endpoint: str, page_size: int, delay_seconds: float, max_retries: int, timeout: float,
                 backoff_seconds: float, max_backoff_seconds: float, cache: ArxivResponseCache | None) -> None:
        super().__init__(page_size=page_size, delay_seconds=delay_seconds, num_retries=max_retries)
        self.query_url_format = endpoint
        self.timeout = timeout
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.cache = cache
        self.limiter = shared_rate_limiter(endpoint)

    def _format_url(self, search: arxiv.Search, start: int, page_size: int) -> str:
        if search.max_results:  # do not ask for a page of 100 when the search wants 20
            page_size = min(page_size, search.max_results)
        return super()._format_url(search, start, page_size)

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        if self.cache is not None and (cached := self.cache.get(url)) is not None:
            try:
                feed = _parse_body(cached)
            except ArxivError as exc:
                logger.warning("ignoring a cached arXiv response that no longer parses: %s", exc)
            else:
                logger.debug("arXiv cache hit: %s", url)
                return feed
        feed, body = self._fetch(url, first_page)
        if self.cache is not None and (feed.results or first_page):
            self.cache.put(url, body)
        return feed

    def _fetch(self, url: str, first_page: bool) -> tuple[_feed.ParsedFeed, bytes]:
        malformed_retried = False
        problem = ""
        for attempt in range(self.num_retries + 1):
            last_try = attempt == self.num_retries
            retry_after = None
            try:
                response = self._get(url)
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                status, body = response.status_code, response.content
                if status == 200:
                    try:
                        feed = _parse_body(body)
                    except ArxivMalformedResponse:
                        if malformed_retried or last_try:
                            raise
                        malformed_retried = True
                        problem = "malformed feed"
                    else:
                        if feed.results or first_page:
                            return feed, body
                        if last_try:  # arXiv's totals overshoot at times; stop paging, keep what we have
                            logger.warning("arXiv sent an empty page, stopping early: %s", url)
                            return feed, body
                        problem = "unexpectedly empty page"
                elif status == 400:
                    raise ArxivQueryError(self._rejection(body))
                elif status in RETRY_STATUSES:
                    problem = f"HTTP {status}"
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                else:
                    raise ArxivUnavailable(f"arXiv answered HTTP {status} for {url}")
            if last_try:
                break
            delay = self._backoff(attempt, retry_after)
            logger.info("arXiv request failed (%s); retry %d of %d in %.2f s", problem, attempt + 1,
                        self.num_retries, delay)
            time.sleep(delay)
        raise ArxivUnavailable(f"arXiv did not answer after {self.num_retries + 1} tries ({problem})")

    def _get(self, url: str) -> requests.Response:
        self.limiter.wait(self.delay_seconds)
        logger.info("GET %s", url)
        return self._session.get(url, timeout=self.timeout, headers={"User-Agent": USER_AGENT})

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = min(self.backoff_seconds * 2**attempt, self.max_backoff_seconds)
        if retry_after is None:
            return delay
        if retry_after > self.max_backoff_seconds:  # retrying sooner than asked would be impolite
            raise ArxivUnavailable(f"arXiv is busy and asked to retry after {retry_after:.0f} s; try again later")
        return max(delay, retry_after)

    @staticmethod
    def _rejection(body: bytes) -> str:
        try:
            root = _feed_root(body)
        except ArxivMalformedResponse:
            root = None
        message = _error_message(root) if root is not None else None
        return f"arXiv rejected the query: {message or 'HTTP 400'}"


# -- the tool -----------------------------------------------------------------------------------------
def _to_paper(result: arxiv.Result) -> Paper:
    return Paper(
        id=normalize_arxiv_id(result.get_short_id()), title=" ".join(result.title.split()),
        authors=[a.name for a in result.authors], abstract=" ".join(result.summary.split()),
        year=result.published.year if result.published else None, categories=list(result.categories),
        url=result.entry_id, source="arxiv",
    )


def _unique(papers: Iterable[Paper]) -> list[Paper]:
    first: dict[str, Paper] = {}
    for paper in papers:
        first.setdefault(paper.id, paper)
    return list(first.values())


def _request_id(raw: str) -> str:
    """`arXiv:2104.12255v1` -> `2104.12255v1`: the prefixes go, the version asked for stays."""
    version = re.search(r"v\d+$", raw.strip())
    return normalize_arxiv_id(raw) + (version.group() if version else "")


class ArxivTool:
    """Search arXiv and look papers up by id. One instance per thread; the rate limiter is shared anyway."""

    def __init__(self, cache_dir: Path | None, *, delay_seconds: float = 3.0, max_retries: int = 3,
                 timeout: float = 15.0, backoff_seconds: float = 2.0, max_backoff_seconds: float = 60.0,
                 cache_ttl_seconds: float = 86400, page_size: int = 100, endpoint: str | None = None) -> None:
        cache = ArxivResponseCache(cache_dir, cache_ttl_seconds) if cache_dir is not None else None
        self._client = _PoliteClient(
            endpoint=endpoint or DEFAULT_ENDPOINT, page_size=page_size, delay_seconds=delay_seconds,
            max_retries=max_retries, timeout=timeout, backoff_seconds=backoff_seconds,
            max_backoff_seconds=max_backoff_seconds, cache=cache,
        )

    @property
    def endpoint(self) -> str:
        return self._client.query_url_format

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._client.limiter

    def search(self, query: ArxivQuery | str, max_results: int = 20, sort: Sort = "relevance") -> list[Paper]:
        """`query` is an ArxivQuery or a raw arXiv search_query string (`ti:bert AND cat:cs.CL`)."""
        search_query = query.to_search_query() if isinstance(query, ArxivQuery) else query.strip()
        if not search_query:
            raise InputError("arXiv query is empty")
        if sort not in _SORTS:
            raise InputError(f"unknown arXiv sort {sort!r}: use one of {', '.join(_SORTS)}")
        if max_results < 1:
            raise InputError(f"max_results must be at least 1, not {max_results}")
        search = arxiv.Search(query=search_query, max_results=max_results, sort_by=_SORTS[sort])
        return _unique(_to_paper(result) for result in self._client.results(search))

    def lookup(self, ids: list[str]) -> list[Paper]:
        """Papers for `ids`, in the order asked; unknown ids are simply absent, a malformed id raises."""
        wanted: dict[str, str] = {}
        for raw in ids:
            if raw.strip():
                wanted.setdefault(normalize_arxiv_id(raw), _request_id(raw))
        request_ids = list(wanted.values())
        found: dict[str, Paper] = {}
        for start in range(0, len(request_ids), IDS_PER_REQUEST):
            search = arxiv.Search(id_list=request_ids[start:start + IDS_PER_REQUEST], max_results=None)
            for result in self._client.results(search):
                paper = _to_paper(result)
                found.setdefault(paper.id, paper)
        return [found[paper_id] for paper_id in wanted if paper_id in found]

    def reachable(self, timeout: float = 3.0) -> bool:
        """A quick TCP probe of the endpoint's host, so an offline machine falls back at once."""
        parsed = urlparse(self.endpoint)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            with socket.create_connection((parsed.hostname, port), timeout=timeout):
                return True
        except OSError:
            return False
