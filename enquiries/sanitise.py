"""Enquiries are plain text. Markup is removed on the way in (bleach) and everything is escaped
on the way out (Django's templates), so neither alone has to be perfect."""

import html

import bleach


def sanitise_text(text: str) -> str:
    """Plain text with every tag, comment and entity-encoded tag removed; line breaks kept."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # Unescaping may reveal tags that were entity-encoded ("&lt;script&gt;"); repeat until stable.
    for _ in range(5):
        cleaned = html.unescape(bleach.clean(text, tags=set(), attributes={}, strip=True, strip_comments=True))
        if cleaned == text:
            break
        text = cleaned
    return text.strip()
