"""The four checks every page of a journey must pass, at desktop and phone width.

A `PageChecker` listens to everything a browser context loads (documents, scripts, fetches,
images) and to each page's console; `check(page, name)` is called after each navigation or
in-page change and adds what is wrong to a list the step asserts is empty at its end
(`assert_clean()`), so one step reports every defect it meets rather than only the first.

Checked: no response of 400 or above (and no request that failed outright, such as a redirect
loop), the favicon served as an image without a redirect, no console error, no horizontal
overflow, no serious or critical axe-core violation. Besides these four, the layout probes below
catch what a person sees but a scroll width does not: text squeezed into a narrow column, a
word or date broken across lines, a navigation bar that wraps on a desktop, an SVG cut off or
with overlapping labels, and in English mode Japanese text not marked lang="ja" or numeric dates.
Pages of Wagtail's admin (/admin/) are Wagtail's own markup: they get the request, console and
favicon checks but not the layout probes or axe. A failing background request (a fetch) is
reported with what the server answered, which names its cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "journeys"
DESKTOP, PHONE = 1366, 390
WIDTHS = (DESKTOP, PHONE)
AXE_IMPACTS = {"serious", "critical"}
WAGTAIL_ADMIN = "/admin/"

LAYOUT_PROBE = """(desktop) => {
  const problems = [];
  const doc = document.documentElement;
  const vw = window.innerWidth;
  if (doc.scrollWidth > vw) problems.push(`horizontal overflow: scrollWidth ${doc.scrollWidth} > innerWidth ${vw}`);
  // Visually hidden text (a clipped 1px box, e.g. a stacked table's header row on a phone) is for
  // screen readers only: nobody sees it squeezed.
  const clipped = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      if (getComputedStyle(a).overflow === "hidden" && (r.width <= 1 || r.height <= 1)) return true;
    }
    return false;
  };
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && !clipped(e); };
  const describe = (e) => {
    const cls = typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\\s+/).join(".") : "";
    return `<${e.tagName.toLowerCase()}${cls}> "${(e.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40)}"`;
  };
  const lineCount = (e) => {
    const style = getComputedStyle(e);
    let lh = parseFloat(style.lineHeight);
    if (!lh) lh = parseFloat(style.fontSize) * 1.5;
    const range = document.createRange();
    range.selectNodeContents(e);
    const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top / (lh / 2))));
    return Math.max(tops.size, Math.round(e.getBoundingClientRect().height / lh));
  };
  const main = document.querySelector("main") || document.body;
  // Text squeezed into a column a few characters wide (two characters per line and the like).
  for (const e of main.querySelectorAll("td, th, h1, h2, h3, h4, a, time, dd, dt, li, .title, .meta")) {
    if (!visible(e) || e.closest("svg")) continue;
    const text = (e.textContent || "").trim();
    if (text.length < 6 || e.children.length > 3) continue;
    const fs = parseFloat(getComputedStyle(e).fontSize);
    const w = e.getBoundingClientRect().width;
    if (w < 4.5 * fs && lineCount(e) >= 3) problems.push(`text squeezed into a ${Math.round(w)}px column: ${describe(e)}`);
  }
  // A date, or any Latin word or number, broken across two lines.
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const broken = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    // Running prose may break anywhere, as Japanese does; labels, cells, dates and links may not.
    if (!parent || ["P", "LI", "BLOCKQUOTE"].includes(parent.tagName)) continue;
    if (parent.closest("svg, script, style, pre, code, .visually-hidden, [hidden]") || !visible(parent)) continue;
    const re = /\\d{4}[-\\/年.]\\d{1,2}[-\\/月.]\\d{1,2}日?|\\d{1,2}:\\d{2}|[A-Za-z0-9@._%\\/-]{3,30}/g;
    let m;
    while ((m = re.exec(node.data)) && broken.length < 5) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(`"${m[0]}" in ${describe(parent)}`);
    }
  }
  if (broken.length) problems.push(`word or date broken across lines: ${broken.join("; ")}`);
  // The staff navigation is one row on a desktop.
  if (desktop) {
    const items = Array.from(document.querySelectorAll(".site-nav li")).filter(visible);
    const rows = new Set(items.map(li => Math.round(li.getBoundingClientRect().top)));
    if (rows.size > 1) problems.push(`navigation wraps onto ${rows.size} rows at ${vw}px`);
  }
  // Figures: never cut off or scrolling inside their box, labels never overlapping.
  for (const svg of main.querySelectorAll("svg")) {
    if (!visible(svg)) continue;
    const r = svg.getBoundingClientRect();
    if (r.width < 60) continue;  // icons
    if (r.right > vw + 1 || r.left < -1) problems.push(`figure cut off at the window edge: ${describe(svg)}`);
    const box = svg.parentElement;
    if (box && r.width > box.clientWidth + 1) problems.push(`figure wider than its box (${Math.round(r.width)} > ${box.clientWidth}px), cut or scrolling: ${describe(box)}`);
    const labels = Array.from(svg.querySelectorAll("text")).map(t => ({t, r: t.getBoundingClientRect()})).filter(x => x.r.width > 0);
    for (const x of labels) {
      if (x.r.left < r.left - 1 || x.r.right > r.right + 1 || x.r.top < r.top - 1 || x.r.bottom > r.bottom + 1)
        problems.push(`figure label outside its figure: "${x.t.textContent.trim()}"`);
    }
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const p = labels[i].r, q = labels[j].r;
      const ox = Math.min(p.right, q.right) - Math.max(p.left, q.left), oy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (ox > 2 && oy > 2) problems.push(`figure labels overlap: "${labels[i].t.textContent.trim()}" / "${labels[j].t.textContent.trim()}"`);
    }
  }
  // English mode: Japanese content is marked as Japanese; dates are never numeric (09/15/2026).
  if (doc.lang.startsWith("en")) {
    const ja = /[\\u3040-\\u30ff\\u3400-\\u9fff]/;
    const unmarked = [];
    const w2 = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (w2.nextNode()) {
      const node = w2.currentNode;
      const parent = node.parentElement;
      if (!parent || parent.closest("script, style, [aria-hidden=true]") || !ja.test(node.data)) continue;
      const langOf = parent.closest("[lang]");  // an SVG element has the attribute, not the property
      if (!langOf || !(langOf.getAttribute("lang") || "").startsWith("ja")) unmarked.push(node.data.trim().slice(0, 30));
    }
    if (unmarked.length) problems.push(`Japanese text inside lang="en" (${unmarked.length}): ${unmarked.slice(0, 4).join(" | ")}`);
    const numeric = (main.innerText.match(/\\b\\d{1,2}\\/\\d{1,2}\\/\\d{4}\\b/g) || []);
    if (numeric.length) problems.push(`numeric dates in English: ${numeric.slice(0, 3).join(", ")}`);
  }
  return problems;
}"""  # noqa: E501 - JavaScript reads better unwrapped


def _body_of(response) -> str:
    from playwright.sync_api import Error

    try:
        body = " ".join(response.text().split())[:200]
    except Error:
        return ""
    return f": {body}" if body else ""


def _wagtail_checker_rules(message) -> str:
    """Wagtail's userbar logs the findings of its content checker as "axe.run results [Object]"; the
    rules it names say what is wrong on the page."""
    from playwright.sync_api import Error

    if not message.text.startswith("axe.run results") or len(message.args) < 2:
        return ""
    try:
        violations = message.args[1].json_value()
    except Error:
        return ""
    rules = [f"{v.get('id')} at {[n.get('target') for n in v.get('nodes', [])][:2]}" for v in violations]
    return f" ({'; '.join(rules)})"


def _favicon_href(page) -> str:
    href = page.evaluate(
        "() => { const l = document.querySelector('link[rel~=icon]');"
        " return l ? l.getAttribute('href') : '/favicon.ico'; }"
    )
    return urljoin(page.url, href)


@dataclass
class PageChecker:
    """One per browser context; `watch` each page of the context once, `check` after each navigation."""

    journey: str
    problems: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    allowed_statuses: set[tuple[int, str]] = field(default_factory=set)
    axe: Axe = field(default_factory=Axe)

    def watch(self, page):
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        return page

    def _on_response(self, response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400 and (response.status, path) not in self.allowed_statuses:
            problem = f"HTTP {response.status} for {response.request.method} {response.url}"
            if response.request.resource_type in ("fetch", "xhr"):
                # What a background request was told names its cause (Wagtail's autosave answers
                # 400 with an error_code, say). The sync API lets a listener read it.
                problem += _body_of(response)
            self.problems.append(problem)

    def _on_request_failed(self, request) -> None:
        # A download the page hands to the browser is "aborted" by design; anything else is a defect.
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:
            self.problems.append(f"request failed ({failure}) for {request.method} {request.url}")

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            # Chromium logs every error response too; one the journey expects is no defect.
            expected = any(urlsplit(where).path == path for _, path in self.allowed_statuses)
            if not (expected and message.text.startswith("Failed to load resource")):
                self.problems.append(f"console error: {message.text}{_wagtail_checker_rules(message)} ({where})")

    def allow(self, status: int, path: str) -> None:
        """A response the journey expects (a refusal it tests for), not a defect."""
        self.allowed_statuses.add((status, path))

    def check(self, page, name: str) -> None:
        """Run the checks on the page as it is now; each `name` gets the width checks once."""
        # Requests made later (an autosave, say) are still heard: the listeners stay on.
        page.wait_for_load_state("load")
        self._check_favicon(page)
        lang = page.evaluate("() => document.documentElement.lang")
        key = f"{name}-{lang}"
        if key in self.checked:
            return
        self.checked.add(key)
        # Wagtail's admin is Wagtail's markup and layout, not the portal's: its pages are held to the
        # request, console and favicon checks, not to the portal's layout probes and axe.
        ours = not urlsplit(page.url).path.startswith(WAGTAIL_ADMIN)
        original = page.viewport_size
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            where = f"{name} [{lang}, {width}px, {urlsplit(page.url).path}]"
            if ours:
                for problem in page.evaluate(LAYOUT_PROBE, width >= 1024):
                    self.problems.append(f"{where}: {problem}")
                for violation in self._axe_violations(page):
                    self.problems.append(f"{where}: axe {violation}")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SHOTS / f"{self.journey}-{key}-{width}.png", full_page=True)
        page.set_viewport_size(original)

    def _check_favicon(self, page) -> None:
        # Playwright does not report the browser's own favicon request; fetch it as a browser
        # does, with the same cookies and following redirects (whatever a redirect leads to
        # runs, as MFA enrolment did), so a redirect or a 404 is seen.
        url = _favicon_href(page)
        response = page.request.get(url)
        kind = response.headers.get("content-type", "")
        if response.status != 200 or not kind.startswith("image/") or response.url != url:
            self.problems.append(f"favicon {url} on {page.url}: HTTP {response.status} {kind} at {response.url}")

    def _axe_violations(self, page) -> list[str]:
        results = self.axe.run(page)
        found = []
        for violation in results.response["violations"]:
            if violation["impact"] in AXE_IMPACTS:
                targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
                found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
        return found

    def assert_clean(self) -> None:
        problems, self.problems = list(dict.fromkeys(self.problems)), []
        assert not problems, "\n".join(["pages failed the journey checks:", *problems])


def text_of(page, selector: str) -> str:
    return re.sub(r"\s+", " ", page.locator(selector).first.inner_text()).strip()
