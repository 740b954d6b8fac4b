"""Japanese-aware text segmentation for the database search backends.

SQLite FTS5 and PostgreSQL's `simple` parser both treat a run of kanji or kana as a single
token, so "顧客情報の閲覧" is one word and a search for 閲覧 finds nothing. We therefore
index a segmented form: each run of CJK characters becomes its overlapping character bigrams
("顧客 客情 情報 報の の閲 閲覧"), while runs of Latin letters and digits stay whole words.
A query is segmented the same way and searched as a phrase, so 顧客情報 matches exactly the
pages containing that string: the bigrams must appear next to each other, in order.

Both sides are folded the way people type: NFKC (full/half width), lower case, and katakana to
hiragana (jaconv), so すいっちんぐ, ｽｲｯﾁﾝｸﾞ and スイッチング are one word. Each CJK run of the
index also ends with its last character alone ("閲覧 覧"): a one-character query is searched as
a prefix (閲*), which matches the bigrams starting with it, and the lone last character covers
the one place where no bigram starts with it. Appended only at the end of a run, it never comes
between two bigrams of a phrase.
"""

import re
import unicodedata

import jaconv

# Kana, CJK ideographs (incl. extension A and compatibility), the iteration mark 々 and the
# long-vowel mark ー, but not the middle dot ・, which separates words.
# NFKC first folds half-width katakana and full-width Latin.
_CJK = "\u3005\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def fold(text: str) -> str:
    """Width, case and kana folded; the same length as `text` when `text` is already NFKC."""
    return jaconv.kata2hira(text.lower())


def normalise(text: str) -> str:
    return fold(unicodedata.normalize("NFKC", text or ""))


def runs(text: str) -> list[str]:
    """Split text into runs that are either all-CJK or all-Latin/digits; punctuation separates."""
    return _RUN.findall(normalise(text))


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def is_cjk(run: str) -> bool:
    return bool(_IS_CJK.match(run))


def segment(text: str) -> str:
    """The indexable form of `text`: bigrams for CJK runs, then the run's last character; whole
    words otherwise."""
    tokens: list[str] = []
    for run in runs(text):
        if not is_cjk(run) or len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend([*bigrams(run), run[-1]])
    return " ".join(tokens)


def query_phrases(query: str) -> list[str]:
    """The phrases a query must all match; one per run, each segmented into bigrams only."""
    return [" ".join(bigrams(run)) if is_cjk(run) else run for run in runs(query)]


def is_prefix_phrase(phrase: str) -> bool:
    """A one-character CJK phrase, searched as the prefix of a token (see the module docstring)."""
    return len(phrase) == 1 and is_cjk(phrase)
