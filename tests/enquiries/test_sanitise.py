import pytest

from enquiries.sanitise import sanitise_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<script>alert(1)</script>質問です", "alert(1)質問です"),
        ('<img src=x onerror="alert(1)">端末', "端末"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "alert(1)"),
        ("&amp;lt;b onmouseover=alert(1)&amp;gt;x", "x"),
        ("<!-- hidden -->見える", "見える"),
        ("1万円 < 金額 & 手数料 > 0", "1万円 < 金額 & 手数料 > 0"),
        ("一行目\r\n二行目", "一行目\n二行目"),
    ],
)
def test_markup_is_removed_and_plain_text_kept(raw, clean):
    assert sanitise_text(raw) == clean
