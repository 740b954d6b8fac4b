from whistleblowing.models import Case


def test_intake_and_handler_journey(client, handler, handler_client):
    response = client.get("/hotline/")
    assert response.status_code == 200
    token = response.context["form_token"]
    response = client.post(
        "/hotline/",
        {
            "form_token": token,
            "category": "fraud",
            "what": "MARKER-TEXT happened",
            "when": "",
            "where": "",
            "people": "",
        },
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    receipt = response.context["receipt"]
    case = Case.objects.get()
    hc = handler_client(handler)
    r = hc.get(f"/hotline/cases/{case.public_id}/")
    assert r.status_code == 302 and "conflict" in r["Location"]
    r = hc.post(f"/hotline/cases/{case.public_id}/conflict/", {"declaration": "no"})
    assert r.status_code == 302
    r = hc.get(f"/hotline/cases/{case.public_id}/")
    assert r.status_code == 200
    assert "MARKER-TEXT" in r.content.decode()
    r = hc.post(f"/hotline/cases/{case.public_id}/status/", {"status": "acknowledged"})
    assert r.status_code == 302, r.content.decode()[:3000]
    r = hc.post(f"/hotline/cases/{case.public_id}/entries/", {"kind": "message", "text": "Hello reporter"})
    assert r.status_code == 302
    r = client.post("/hotline/followup/", {"code": receipt.display})
    assert r.status_code == 200
    assert "Hello reporter" in r.content.decode()
