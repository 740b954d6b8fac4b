"""Mark Japanese content as Japanese, whatever the page's language.

The portal's content (rules, cases, titles, names, a reporter's own words) is data, mostly written
in Japanese, while the page around it follows the reader's language. In an English page a screen
reader would read Japanese with an English voice unless the text carries `lang="ja"`.
`{{ value|ja }}` wraps the value in `<span lang="ja">` (`|ja_block`: a `<div>`, for paragraphs)
when it contains kana or kanji, so text someone wrote in English stays unmarked. It escapes like
any variable, so it may stand inside
`{% blocktranslate with title=doc.title|ja %}…{{ title }}…{% endblocktranslate %}` without
changing the message. A Japanese page is Japanese already (`<html lang="ja">`), so there the
value is only escaped: the markup, and what tests and people see, is the same as before.
"""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

register = template.Library()

# Hiragana, katakana, CJK ideographs (with extension A) and half-width katakana.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def _marked(value, element: str):
    if value is None or value == "":
        return ""
    if not (get_language() or "ja").startswith("ja") and JAPANESE.search(str(value)):
        return format_html('<{} lang="ja">{}</{}>', element, value, element)
    return conditional_escape(value)


@register.filter
def ja(value):
    """Phrasing content: a title, a name, a line of text."""
    return _marked(value, "span")


@register.filter
def ja_block(value):
    """Flow content, such as the paragraphs `linebreaks` makes."""
    return _marked(value, "div")
