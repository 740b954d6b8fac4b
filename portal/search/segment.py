"""Japanese-aware text segmentation for the database search backends.

SQLite FTS5 and PostgreSQL's `simple` parser both treat a run of kanji or kana as a single
token, so "顧客情報の閲覧" is one word and a search for 閲覧 finds nothing. We therefore
index a segmented form: each run of CJK characters becomes its overlapping character bigrams
("顧客 客情 情報 報の の閲 閲覧"), while runs of Latin letters and digits stay whole words.
A query is segmented the same way and searched as a phrase, so 顧客情報 matches exactly the
pages containing that string: the bigrams must appear next to each other, in order.
"""

import re
import unicodedata

# Kana, CJK ideographs (incl. extension A and compatibility), the iteration mark 々 and the
# long-vowel mark ー, but not the middle dot ・, which separates words.
# NFKC first folds half-width katakana and full-width Latin.
_CJK = "\u3005\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def runs(text: str) -> list[str]:
    """Split text into runs that are either all-CJK or all-Latin/digits; punctuation separates."""
    return _RUN.findall(normalise(text))


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def segment(text: str) -> str:
    """The indexable form of `text`: bigrams for CJK runs, whole words otherwise."""
    tokens: list[str] = []
    for run in runs(text):
        tokens.extend(bigrams(run) if _IS_CJK.match(run) else [run])
    return " ".join(tokens)


def query_phrases(query: str) -> list[str]:
    """The phrases a query must all match; one per run, each already segmented."""
    return [segment(run) for run in runs(query)]
