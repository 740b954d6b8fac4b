from types import SimpleNamespace

from casebook.triangle import FraudTriangle, char_width, wrap


def width(line: str) -> float:
    return sum(char_width(c) for c in line)


def test_wrap_keeps_lines_within_the_width_and_loses_no_text():
    text = "異動後も、ネットワーク会社在籍時のID・パスワードが変更されず有効なままだった"

    lines = wrap(text, 12, 10)

    assert "".join(lines) == text
    assert all(width(line) <= 13 for line in lines)  # one closing mark may hang over


def test_closing_punctuation_never_starts_a_line():
    lines = wrap("ネットワーク会社に照会するより、早く系統の状況を知りたかった", 15, 5)

    assert not any(line[0] in "、。" for line in lines)


def test_latin_words_are_not_split():
    lines = wrap("ID card authentication replaced terminal-based access", 10, 10)

    assert "authentication" in lines[1] or "authentication" in lines[2]


def test_long_causes_are_cut_with_an_ellipsis_in_the_picture():
    lines = wrap("あ" * 100, 10, 3)

    assert len(lines) == 3 and lines[-1].endswith("…")


def test_triangle_places_each_cause_on_its_side_and_describes_all():
    causes = [
        SimpleNamespace(element="opportunity", text="端末がNW設定だった"),
        SimpleNamespace(element="motivation", text="照会が遅い"),
    ]

    triangle = FraudTriangle.from_causes(causes)

    texts = [line.text for line in triangle.lines]
    assert any("端末がNW設定だった" in t for t in texts)
    assert any("照会が遅い" in t for t in texts)
    by_element = {side.element: side.causes for side in triangle.sides}
    assert by_element == {"opportunity": ["端末がNW設定だった"], "motivation": ["照会が遅い"], "rationalisation": []}
    assert triangle.description.index("端末がNW設定だった") < triangle.description.index("照会が遅い")
    assert triangle.height > 430
