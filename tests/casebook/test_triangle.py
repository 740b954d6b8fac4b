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


def _span_inside_triangle(y: float) -> tuple[float, float]:
    from casebook.triangle import APEX, LEFT, RIGHT

    share = (y - APEX[1]) / (LEFT[1] - APEX[1])
    return APEX[0] - share * (APEX[0] - LEFT[0]), APEX[0] + share * (RIGHT[0] - APEX[0])


def _box(line) -> tuple[float, float]:
    # Bold Latin glyphs: about 0.62 em each; full-width characters one em.
    w = sum(1.0 if char_width(c) == 1.0 else 0.62 for c in line.text) * line.size
    return line.x - w / 2, line.x + w / 2


def test_english_side_labels_fit_inside_the_triangle_without_overlapping():
    from django.utils import translation

    with translation.override("en"):
        triangle = FraudTriangle.from_causes([])
    labels = {
        line.text: line
        for line in triangle.core_lines
        if line.text in ("Motivation", "Rationalisation") or line.text.startswith(("Motivation", "Rationalisation"))
    }
    assert len(labels) == 2, [line.text for line in triangle.core_lines]
    boxes = []
    for line in labels.values():
        left, right = _box(line)
        inside_left, inside_right = _span_inside_triangle(line.y - line.size)  # the top of the text
        assert inside_left <= left and right <= inside_right, line.text
        boxes.append((left, right))
    boxes.sort()
    assert boxes[0][1] <= boxes[1][0]  # side by side, not on top of each other


def test_the_compact_picture_for_phones_holds_the_triangle_and_its_labels():
    triangle = FraudTriangle.from_causes([SimpleNamespace(element="opportunity", text="端末がNW設定だった")])
    x, y, w, h = (float(v) for v in triangle.compact_view_box.split())
    assert triangle.core_lines
    for line in triangle.core_lines:
        left, right = _box(line)
        assert x <= left and right <= x + w and y <= line.y - line.size and line.y <= y + h, line.text
    assert all("端末" not in line.text for line in triangle.core_lines)  # causes are listed under the figure
