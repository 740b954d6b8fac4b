import os
import re
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
SHOTS.mkdir(parents=True, exist_ok=True)

SUBJECT = "共用窓口の端末で契約容量を見てもよいですか"


def test_question_answered_seen_by_the_asker_and_hidden_from_admins_and_managers(
    browser, e2e_server, login, login_with_mfa
):
    def new_page():
        context = browser.new_context(base_url=e2e_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        return context.new_page()

    # The asker finds the desk from the home page and asks.
    asker = login(new_page(), "sales@example.jp")
    asker.goto("/")
    asker.locator("a[href='/enquiries/new/']").first.click()
    asker.wait_for_url("**/enquiries/new/")
    asker.fill("input[name=subject]", SUBJECT)
    asker.fill(
        "textarea[name=body]", "お客さまをお待たせしないよう、窓口の端末で確認したいのですが<script>alert(1)</script>"
    )
    asker.select_option("select[name=rule]", label="スイッチング（契約切替）の手続")
    asker.get_by_role("button", name="質問を送る").click()
    asker.wait_for_url(re.compile(r".*/enquiries/\d+/$"))
    enquiry_url = asker.url.removeprefix(e2e_server.url)
    assert asker.locator(".enquiry-status").inner_text().strip() == "回答待ち"
    assert asker.locator("script", has_text="alert(1)").count() == 0

    # A responder (with MFA) answers from the queue.
    responder = login_with_mfa(new_page(), "compliance@example.jp")
    responder.goto("/enquiries/queue/")
    responder.get_by_role("link", name=SUBJECT).click()
    responder.fill("textarea[name=answer-body]", "窓口の端末では確認できません。正規の照会手続きを使ってください。")
    responder.get_by_role("button", name="回答を送る").click()
    responder.wait_for_load_state("domcontentloaded")
    assert responder.locator(".enquiry-status").inner_text().strip() == "回答済み"
    responder.screenshot(path=f"{SHOTS}/enquiry-responder.png", full_page=True)

    # The asker sees the answer.
    asker.goto(enquiry_url)
    assert "正規の照会手続きを使ってください" in asker.locator(".thread").inner_text()
    assert asker.locator(".enquiry-status").inner_text().strip() == "回答済み"
    asker.screenshot(path=f"{SHOTS}/enquiry-asker.png", full_page=True)

    # Site administrators and managers get 404, as for an enquiry that does not exist.
    admin = login_with_mfa(new_page(), "admin@example.jp")
    assert admin.goto(enquiry_url).status == 404
    assert admin.goto("/enquiries/queue/").status == 404
    manager = login(new_page(), "manager@example.jp")
    assert manager.goto(enquiry_url).status == 404

    # The audit log holds the responder's views of this enquiry, and nobody else's.
    enquiry_id = enquiry_url.strip("/").split("/")[-1]
    out = e2e_server.manage(
        "shell",
        "-c",
        "from audit.models import AuditEntry; "
        f"print(sorted(set(AuditEntry.objects.filter(action='enquiry.viewed', target_id='{enquiry_id}')"
        ".values_list('actor__email', flat=True))), "
        f"AuditEntry.objects.filter(action='enquiry.viewed', target_id='{enquiry_id}').count())",
    )
    viewers, count = out.strip().splitlines()[-1].rsplit(" ", 1)
    assert viewers == "['compliance@example.jp']"
    assert int(count) >= 2  # the view before answering and the one after
