"""What a person sees that the four page checks do not measure: contrast of controls, colour-only
meaning, and interface text left in English."""

import re

# WCAG 1.4.11: a control's edge and its focus ring stand 3:1 against what is next to them.
CONTRAST_JS = """
const lum = (c) => {
  const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const backgroundOf = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && !/rgba\\(.*, 0\\)$/.test(c) && c !== "transparent") return c;
  }
  return "rgb(255, 255, 255)";
};
"""

FIELD_CONTRAST = (
    "(el) => {"
    + CONTRAST_JS
    + """
  const s = getComputedStyle(el);
  return {
    border: ratio(s.borderTopColor, backgroundOf(el)),
    borderAround: ratio(s.borderTopColor, backgroundOf(el.parentElement)),
    ring: ratio(s.outlineColor, backgroundOf(el.parentElement)),
    ringStyle: s.outlineStyle,
  };
}"""
)

# A progress bar's track must be seen as a track: its edge against the page, not its fill.
TRACK_CONTRAST = (
    "(el) => {"
    + CONTRAST_JS
    + """
  const s = getComputedStyle(el);
  const shadow = (s.boxShadow.match(/rgba?\\([^)]*\\)/) || [null])[0];
  const edges = [s.borderTopStyle !== "none" && parseFloat(s.borderTopWidth) > 0 ? s.borderTopColor : null, shadow]
    .filter(Boolean);
  const around = backgroundOf(el.parentElement);
  return Math.max(ratio(s.backgroundColor === "rgba(0, 0, 0, 0)" ? around : s.backgroundColor, around),
                  ...edges.map(c => ratio(c, around)));
}"""
)

# Every string a person reads or hears: the visible text and the names given in attributes.
INTERFACE_TEXT = """() => {
  const out = [document.body.innerText];
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const v = el.getAttribute(name); if (v) out.push(v);
    }
  }
  return out.join("\\n");
}"""

# Proper names and notations that stay as they are in a Japanese interface.
NOT_ENGLISH = {"Wagtail", "Draftail", "URL", "HTML", "CSV", "PDF", "XLSX", "ID", "SSO", "MFA", "TOTP", "Q&A"}
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]{2,}(?:[ -][A-Za-z'’]+)*")


def english_phrases(text: str) -> list[str]:
    """Runs of English words in a Japanese interface (names and notations above excepted)."""
    found = []
    for line in text.splitlines():
        if "@" in line or "://" in line:
            continue  # an address, not a sentence
        for phrase in _WORDS.findall(line):
            if not set(phrase.split()) <= NOT_ENGLISH and not re.fullmatch(r"[A-Z0-9_-]+", phrase):
                found.append(phrase)
    return sorted(set(found))
