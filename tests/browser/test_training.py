"""Training journeys in a real browser against the demo portal.

1. Each demo account sees exactly the modules of its audience; the others are 404.
2. A person reads every lesson, passes the quiz, downloads the certificate (a Japanese font
   embedded, checked with pdffonts), and the public verify page confirms it.
"""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)


def _modules() -> dict[str, str]:
    from training.demo import MODULES

    return {m["slug"]: m["title"] for m in MODULES}


EXPECTED = {
    "sales@example.jp": {"conduct-basics", "sales-office"},
    "cc@example.jp": {"conduct-basics", "call-centre"},
    "contractor@example.jp": {"conduct-basics", "contractors-temps"},
    "temp@example.jp": {"conduct-basics", "contractors-temps"},
    "manager@example.jp": {"conduct-basics", "sales-office"},
}


@pytest.mark.parametrize("email", sorted(EXPECTED))
def test_each_demo_account_sees_only_its_audiences_modules(e2e_server, page, login, email):
    modules = _modules()
    login(page, email)
    page.goto("/training/")
    listed = page.locator("#current-heading + table tbody tr td:first-child a").all_inner_texts()
    assert set(listed) == {modules[slug] for slug in EXPECTED[email]}
    for slug, title in modules.items():
        response = page.goto(f"/training-modules/{slug}/")
        if slug in EXPECTED[email]:
            assert response.status == 200 and title in page.locator("h1").inner_text()
        else:
            assert response.status == 404, f"{email} can open {slug}"
    # Nor does site search reveal any module, whatever it contains.
    page.goto("/search/?q=スイッチング")
    assert "/training-modules/" not in page.content()


def _answer(page, right: bool) -> None:
    from quizzes.demo import BANKS

    specs = [q for b in BANKS if b["slug"] == "conduct-basics" for q in b["questions"]]
    for fieldset in page.locator("fieldset.question").all():
        legend = fieldset.locator("legend").inner_text()
        labels = fieldset.locator("label").all_inner_texts()
        spec = next(s for s in specs if s["text"] in legend and {c["text"] for c in s["choices"]} == set(labels))
        wanted = [c["text"] for c in spec["choices"] if c["correct"] == right][: None if right else 1]
        for text in wanted:
            fieldset.locator("label", has_text=text).first.click()


def test_read_pass_download_and_verify_a_certificate(e2e_server, page, login, browser):
    title = _modules()["conduct-basics"]
    login(page, "contractor@example.jp")
    page.goto("/training/")
    page.get_by_role("link", name=title).click()
    assert page.locator("progress#module-progress").get_attribute("value") == "0"

    # Lesson by lesson: each ends with "I have read this", which leads to the next one.
    page.locator(".lesson-list a").first.click()
    lessons_read = scenarios = 0
    while True:
        if page.locator(".scenario").count():
            scenario = page.locator(".scenario").first
            assert scenario.locator("details[open]").count() == 0  # the answer waits for a choice
            recommended = scenario.get_attribute("data-recommended")
            scenario.locator(f"input[type=radio][value='{recommended}']").check()
            assert scenario.locator("details[open]").count() == 1
            assert scenario.locator("[data-verdict]").inner_text() == "あなたの選択は推奨する対応と同じです。"
            scenarios += 1
        button = page.locator(".lesson-end form button[type=submit]")
        # The lesson counts once its end has been in view a few seconds after opening (the page
        # reports it; the server times it): a click straight away is refused.
        button.scroll_into_view_if_needed()
        with page.expect_response(lambda r: r.url.endswith("/end/") and r.status == 204, timeout=15_000):
            page.wait_for_timeout(6_000)
        button.click()
        page.wait_for_load_state("domcontentloaded")
        lessons_read += 1
        if page.url.rstrip("/").endswith("/training-modules/conduct-basics"):
            break
    assert lessons_read == 3 and scenarios == 2
    assert page.locator(".lesson-list .tag-ok").count() == 3

    page.get_by_role("button", name="確認テストを受ける").click()
    page.wait_for_url(re.compile(r"/quizzes/"))
    _answer(page, right=True)
    with page.expect_navigation():
        page.locator("button[value=submit]").click()
    page.locator("a[href='/training-modules/conduct-basics/']").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator(".tag-ok", has_text="修了").count() >= 1
    progress = page.locator("progress#module-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    code = page.locator(".meta code").inner_text().strip()
    download_url = page.get_by_role("link", name="修了証をダウンロード（PDF）").get_attribute("href")
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="修了証をダウンロード（PDF）").click()
    pdf = SHOTS / "training-certificate.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    japanese = [line for line in fonts.splitlines() if "IPAex" in line]
    assert japanese, fonts
    assert all(line.split()[-5] == "yes" for line in japanese), fonts  # the "emb" column
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(SHOTS / "training-certificate")], check=True
    )

    # The verify page needs no login and confirms name, module, cycle and date.
    anonymous = browser.new_context(base_url=e2e_server.url, locale="ja-JP")
    try:
        public = anonymous.new_page()
        response = public.goto(f"/certificates/verify/{code}/")
        assert response.status == 200
        text = public.locator("main").inner_text()
        assert "小野寺 大輔" in text and title in text and "年度" in text and code in text
        public.screenshot(path=str(SHOTS / "training-verify.png"), full_page=True)
        unknown = public.goto("/certificates/verify/AAAA-BBBB-CCCC-DDDD/")
        assert unknown.status == 404
        assert "不明なコード" in public.locator("main").inner_text()
        assert "小野寺" not in public.locator("main").inner_text()
    finally:
        anonymous.close()

    # Someone else cannot download it.
    page.context.clear_cookies()
    login(page, "sales@example.jp")
    assert page.goto(download_url).status == 404
