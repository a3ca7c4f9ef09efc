"""End to end in a real browser: Playwright drives Debian's headless Chromium against a
real ``sanctions serve``. An analyst signs in, screens a listed and an unlisted name,
opens an entity and its history, reads today's diff, decides an alert and finds the
decision in the audit page; a ``screen`` key cannot decide; a listed ``<script>`` name
is text; a POST without the CSRF token is refused. Every page is checked with axe-core
(no serious or critical violation) and photographed into docs/img/ for the README."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .conftest import CUSTOMERS

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = shutil.which("chromium") or CHROMIUM
    if not Path(path).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:  # Playwright gives Chromium a fresh temporary profile
        browser = pw.chromium.launch(executable_path=path, args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """A signed-in browser tab with an accessibility check and screenshots."""

    def __init__(self, browser: Any, base: str, key: str, **context: Any) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.base = base
        self.context = browser.new_context(
            **{"viewport": {"width": 1100, "height": 760}, **context}
        )
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.axe = Axe()
        self.violations: dict[str, list[str]] = {}
        self.page.goto(base + "/ui/")
        assert "/ui/login" in self.page.url
        self.check("login")
        self.page.fill("#api_key", key)
        self.page.click("button[type=submit]")

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def check(self, name: str, shot: str | None = None) -> None:
        results = self.axe.run(self.page)
        bad = [v["id"] for v in results.response["violations"] if v.get("impact") in SERIOUS]
        if bad:
            self.violations[name] = bad
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            path = SHOTS / f"web-{shot}.png"
            self.page.screenshot(path=str(path))
            small = Image.open(path).convert("RGB").quantize(colors=64)  # keep the PNGs small
            small.save(path, optimize=True)

    def close(self) -> None:
        self.context.close()


def test_an_analyst_screens_investigates_and_decides(browser, web_server, web_keys):
    visit = Visit(browser, web_server, web_keys["admin"])
    page = visit.page
    assert page.url.endswith("/ui/screen")
    # a listed name: a match, with its evidence and the lists it is on
    page.fill("#name", "Vladimir Putin")
    page.select_option("#schema", "Person")
    page.fill("#birth_date", "1952-10-07")
    page.click("form[role=search] button[type=submit]")
    assert "name=Vladimir+Putin" in page.url  # the search is in the URL: shareable
    first = page.locator("li.hit").first
    assert first.locator(".tag.danger").inner_text() == "match"
    assert first.locator("ul.evidence li").count() >= 2
    assert first.locator("mark").count() >= 1
    visit.check("screen", "screen")
    # an unlisted one
    page.fill("#name", CUSTOMERS["c-nobody"][0])
    page.click("form[role=search] button[type=submit]")
    assert page.locator(".tag.danger").count() == 0
    # the entity of the first hit, and its history
    page.go_back()
    page.locator("li.hit .hit-head a").first.click()
    assert "/ui/entity/" in page.url
    assert page.locator("#hist-h").is_visible()
    assert page.locator("#names-h + table tbody tr").count() >= 1
    visit.check("entity", "entity")
    # today's diff, from the lists page through "since yesterday"
    visit.go("/ui/lists")
    visit.check("lists", "lists")
    page.click("text=What changed since yesterday")
    visit.check("changes")
    page.click("a[href='/ui/lists/us_ofac_sdn/versions/v2']")
    assert page.locator("h1").inner_text().endswith("v2")
    assert page.locator("span.change").count() >= 1
    visit.check("diff", "diff")
    # decide an open alert
    visit.go("/ui/alerts?status=open&sort=score")
    visit.check("alerts", "alerts")
    page.locator("tbody a[href^='/ui/alerts/']").first.click()
    alert_url = page.url
    visit.check("alert", "alert")
    page.check("input[name=decision][value=false_positive]")
    page.fill("#reason", "Different person: birth date and nationality differ")
    page.click("text=Record the decision")
    assert page.url == alert_url
    assert "false positive" in page.locator("h1 .status").inner_text()
    assert "Different person" in page.locator("#dec-h + table").inner_text()
    # ... and find it in the audit log, whose chain is verified on the page
    visit.go("/ui/audit?action=alert.decided")
    page.wait_for_selector("#chain[data-current=yes]", timeout=120_000)  # checked in background
    assert "Chain verified" in page.locator("#chain").inner_text()
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 1 and "web-admin" in rows.first.inner_text()
    visit.check("audit", "audit")
    for path, shot in (
        ("/ui/coordination/coverage", "coverage"),
        ("/ui/coordination/timeline", "timeline"),
        ("/ui/coordination/gaps?listed_by=us&not_listed_by=gb", "gaps"),
    ):
        sep = "&" if "?" in path else "?"
        assert page.request.get(f"{web_server}{path}{sep}format=json").ok  # computes the report
        visit.go(path)
        assert "Computing" not in page.locator("h1").inner_text()
        if shot == "coverage":  # an interactive table: sort it by its subjects column
            page.click("table.sortable thead th:nth-child(2) button")
            cells = page.locator("table.sortable tbody td:nth-child(2)").all_inner_texts()
            counts = [int(c.replace(",", "")) for c in cells]
            assert counts == sorted(counts) and len(counts) > 3
        visit.check(shot, shot)
    visit.go("/ui/entity/no-such-entity")
    assert "No such entity" in page.locator("p[role=alert]").inner_text()
    visit.check("404")
    assert visit.violations == {}, visit.violations
    visit.close()


def test_list_data_is_text_and_forms_need_the_csrf_token(browser, web_server, web_keys):
    visit = Visit(browser, web_server, web_keys["admin"])
    page = visit.go("/ui/entity/web_fixture-1")
    assert page.locator("h1").inner_text().startswith("<script>alert('pwned')</script>")
    assert "<img src=x onerror=alert(1)> FICTIONAL" in page.locator("#names-h + table").inner_text()
    assert visit.dialogs == []  # no listed script ran
    alerts = page.request.get(web_server + "/ui/alerts?status=open&format=json").json()
    alert_id = alerts["alerts"][0]["id"]
    refused = page.request.post(
        f"{web_server}/ui/alerts/{alert_id}/decision",
        form={"decision": "true_match", "reason": "no token"},
    )
    assert refused.status == 403
    after = page.request.get(f"{web_server}/ui/alerts/{alert_id}?format=json").json()
    assert after["alert"]["status"] == "open"
    visit.close()


def test_a_screen_key_cannot_decide(browser, web_server, web_keys):
    visit = Visit(browser, web_server, web_keys["screen"])
    page = visit.go("/ui/alerts?status=open")
    assert page.locator("input[type=checkbox]").count() == 0  # no bulk decision form
    page.locator("tbody a[href^='/ui/alerts/']").first.click()
    assert page.locator("form[action$='/decision']").count() == 0
    assert "may read alerts but not decide" in page.content()
    visit.go("/ui/audit")
    assert "Not allowed" in page.locator("h1").inner_text()
    visit.close()


def test_a_file_is_screened_in_the_background_on_a_phone(browser, web_server, web_keys):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    visit = Visit(browser, web_server, web_keys["admin"], **phone)
    page = visit.page
    rows = "".join(f"{rid},{name}\n" for rid, (name, _) in CUSTOMERS.items())
    page.set_input_files(
        "#file",
        files=[
            {"name": "customers.csv", "mimeType": "text/csv", "buffer": f"id,name\n{rows}".encode()}
        ],
    )
    page.click("text=Screen the file")
    assert "/ui/screen/jobs/" in page.url
    page.wait_for_selector("#job-download:not([hidden])", timeout=120_000)
    assert page.locator("#job-progress").get_attribute("value") == "100"
    assert "3 screened" in page.locator("#job-summary").inner_text()
    visit.check("job", "job-phone")
    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename == "screened-customers.csv"
    visit.go("/ui/screen?name=Vladimir+Putin&schema=Person")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing wider than the phone
    visit.check("screen-phone", "screen-phone")
    assert visit.violations == {}, visit.violations
    visit.close()
