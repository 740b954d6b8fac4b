"""Following every link on a page without walking the same template fifty times."""

import re
from urllib.parse import urlsplit

# Class names of a home panel that no stylesheet of the page styles (null: no such panel).
PANEL_STYLED = """(heading) => {
  const h = Array.from(document.querySelectorAll("main h2")).find(e => e.textContent.includes(heading));
  if (!h) return null;
  const section = h.closest("section") || h.parentElement;
  const classes = new Set(Array.from(section.querySelectorAll("[class]")).flatMap(e => Array.from(e.classList)));
  const styled = new Set();
  for (const sheet of document.styleSheets) {
    let rules = [];
    try { rules = Array.from(sheet.cssRules); } catch (e) { continue; }
    // Style rules have (empty) cssRules too since CSS nesting; walk every level.
    const flat = [];
    const walk = (list) => { for (const r of list) { flat.push(r); if (r.cssRules) walk(Array.from(r.cssRules)); } };
    walk(rules);
    for (const r of flat) for (const c of classes) if (r.selectorText && r.selectorText.includes("." + c)) styled.add(c);
  }
  return Array.from(classes).filter(c => !styled.has(c));
}"""  # noqa: E501 - JavaScript reads better unwrapped

# /reports/people/M200100/ and /reports/people/T210000/ are one page template; so are two cases.
_VARIABLE = re.compile(r"/(?:[0-9a-f-]{36}|[A-Z]*\d+[A-Z0-9]*|\d+)(?=/|$|\.)")


def pattern_of(href: str) -> str:
    parts = urlsplit(href)
    return _VARIABLE.sub("/<id>", parts.path) + ("?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else "")


def same_site_links(page, scope: str = "main") -> list[str]:
    hrefs = page.locator(f"{scope} a[href]").evaluate_all("links => links.map(a => a.href)")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    return list(dict.fromkeys(h.split("#")[0] for h in hrefs if h.startswith(origin) and h.split("#")[0] != page.url))


def follow_every_link(person, name: str, scope: str = "main") -> int:
    """Open the first link of each kind in the browser (all checks); request the others.

    Files (CSV, XLSX, PDF, JSON) are fetched, not opened. Every link must answer below 400
    after its redirects; a redirect loop is reported as such. Returns how many were followed.
    """
    page = person.page
    start = page.url
    links = same_site_links(page, scope)
    opened: set[str] = set()
    for href in links:
        kind = pattern_of(href)
        is_file = re.search(r"\.(csv|xlsx|pdf|json)$", urlsplit(href).path) or "/download/" in href
        if kind in opened or is_file:
            try:
                response = page.request.get(href, max_redirects=10)
                person.expect(response.status < 400, f"link on {name} {href}: HTTP {response.status}")
            except Exception as error:  # noqa: BLE001 - a redirect loop or reset is the defect to report
                person.expect(False, f"link on {name} {href}: {str(error).splitlines()[0]}")
            continue
        opened.add(kind)
        try:
            page.goto(href)
        except Exception as error:  # noqa: BLE001 - e.g. net::ERR_TOO_MANY_REDIRECTS
            person.expect(False, f"link on {name} {href}: {str(error).splitlines()[0]}")
            continue
        person.expect(
            "/_util/login/" not in page.url and "/accounts/login/" not in page.url,
            f"link on {name} {href} ends at a login form ({page.url})",
        )
        person.checks.check(page, f"{name}-link-{kind}")
    page.goto(start)
    return len(links)
