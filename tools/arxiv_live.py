"""Live arXiv search through the `arxiv` package, used when arXiv is reachable and not offline.

Polite by default (the client waits `delay_seconds` between requests, as arXiv asks). A quick
reachability probe comes first so an offline machine falls back at once instead of retrying.
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import arxiv

from tools.papers import Paper, normalize_arxiv_id


class ArxivUnavailable(Exception):
    pass


def arxiv_reachable(url: str = arxiv.Client.query_url_format, timeout: float = 3.0) -> bool:
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def _to_paper(result: arxiv.Result) -> Paper:
    return Paper(
        id=normalize_arxiv_id(result.get_short_id()), title=" ".join(result.title.split()),
        authors=[a.name for a in result.authors], abstract=" ".join(result.summary.split()),
        year=result.published.year if result.published else None, categories=list(result.categories),
        url=result.entry_id, source="arxiv-live",
    )


class ArxivSearchTool:
    def __init__(self, delay_seconds: float = 3.0, num_retries: int = 2) -> None:
        self.client = arxiv.Client(page_size=50, delay_seconds=delay_seconds, num_retries=num_retries)

    def search(self, query: str, k: int = 20) -> list[Paper]:
        search = arxiv.Search(query=query, max_results=k, sort_by=arxiv.SortCriterion.Relevance)
        try:
            return [_to_paper(result) for result in self.client.results(search)]
        except (arxiv.ArxivError, OSError) as exc:
            raise ArxivUnavailable(f"arXiv search failed: {exc}") from None
