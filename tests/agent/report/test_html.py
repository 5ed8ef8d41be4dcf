"""The self-contained HTML report, rendered in headless Chromium: no console errors, hostile text inert, tools work."""

import base64
import hashlib
import re

from PIL import Image

from agent.report.files import write_report_files
from agent.report.html import linked_citations, render_html
from tests.support.browser import browser_page
from tests.support.sample_report import HOSTILE, sample_report


def test_citations_link_to_claims_and_references():
    html = str(linked_citations("Helps [C1, C3; arXiv:2309.10891, local:my-notes] <b>bold</b>"))
    assert '<a href="#C1">C1</a>, <a href="#C3">C3</a>' in html
    assert '<a href="#ref-2309.10891">arXiv:2309.10891</a>' in html and '<a href="#ref-local_my-notes">' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_page_is_self_contained_and_escapes_paper_text():
    html = render_html(sample_report())
    assert "<script>window.__pwned" not in html and "onerror=\"window" not in html
    assert html.count("<script>") == 1
    assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(js|css|png|svg)', html), "no external resources"
    assert 'href="javascript:' not in html
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html, "the CSP admits exactly the page's own script"


def test_page_renders_in_chromium_without_errors(tmp_path):
    report = sample_report()
    write_report_files(report, tmp_path)
    with browser_page() as (page, log):
        page.goto((tmp_path / "report.html").as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert log.errors == []
        assert page.evaluate("window.__pwned") is None, "markup in paper text did not run"
        assert page.locator("h1").inner_text() == report.title
        assert page.locator("#answer p").first.inner_text().startswith("Intermediate-task training helps")
        images = page.locator("img")
        assert images.count() == 2
        for i in range(images.count()):
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        # every in-page link lands on an element of the page
        targets = page.eval_on_selector_all("a[href^='#']", "links => links.map(a => a.getAttribute('href').slice(1))")
        assert targets and all(page.locator(f"[id='{t}']").count() == 1 for t in targets)
        rows = page.locator("#claims-table tbody tr")
        assert [rows.nth(i).get_attribute("id") for i in range(rows.count())] == ["C1", "C2", "C4", "C3"]
        page.locator("#claims-table th", has_text="confidence").click()
        assert [rows.nth(i).get_attribute("id") for i in range(rows.count())] == ["C3", "C4", "C2", "C1"]
        page.locator("#claims-table th", has_text="id").first.click()
        assert [rows.nth(i).get_attribute("id") for i in range(rows.count())] == ["C1", "C2", "C3", "C4"]
        page.select_option("#verdict-filter", "SUPPORTED")
        assert page.locator("#claims-table tbody tr:visible").count() == 2
        assert page.locator("#experiments table tbody tr").count() == 4
        assert log.errors == []
    with Image.open(tmp_path / "report.png") as shot:
        assert shot.width == 1280 and shot.height > 2000
        colours = shot.convert("RGB").resize((64, 64)).getcolors(64 * 64)
        assert colours and len(colours) > 10, "the screenshot is not blank"


def test_hostile_text_shows_as_text(tmp_path):
    write_report_files(sample_report(), tmp_path, ("html",))
    with browser_page() as (page, log):
        page.goto((tmp_path / "report.html").as_uri())
        assert HOSTILE in page.locator("#C3").inner_text()
        assert page.locator("#claims-table tbody tr").count() == 4, "the table kept its shape"
        assert page.locator("h2").count() == len(set(page.locator("h2").all_inner_texts()))
        assert log.errors == []
