"""Every error path answers with a sentence, never a traceback."""

from __future__ import annotations

import pytest

from tests.conftest import Respondent, csrf_token


def assert_friendly(response, status: int, sentence: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert sentence in html
    assert "Traceback" not in html and 'File "' not in html
    assert 'href="/"' in html  # a way back home


def test_unknown_token(client):
    assert_friendly(client.get("/r/not-a-real-token-at-all"), 404, "There is no assessment at this address")
    assert_friendly(client.get("/r/not-a-real-token-at-all/page/1"), 404, "Check that you copied the whole link")
    assert_friendly(client.get("/r/not-a-real-token-at-all/report"), 404, "There is no assessment at this address")


def test_unknown_token_in_the_api_is_json(client):
    response = client.get("/api/responses/nope")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert "There is no assessment at this address" in response.get_json()["error"]


def test_unknown_bank(client):
    home = client.get("/").get_data(as_text=True)
    assert_friendly(
        client.post("/start/nope", data={"csrf_token": csrf_token(home)}),
        404,
        "There is no questionnaire called “nope”.",
    )


def test_unknown_page(respondent):
    assert_friendly(respondent.get("/page/99"), 404, "This questionnaire has no page 99.")
    assert_friendly(respondent.get("/page/0"), 404, "This questionnaire has no page 0.")


def test_unknown_address(client):
    assert_friendly(client.get("/no/such/page"), 404, "There is nothing at this address.")


def test_get_on_a_post_only_address(client):
    assert_friendly(client.get("/start/go-international"), 405, "Use the buttons on the page")


def test_language_the_bank_lacks(client):
    home = client.get("/").get_data(as_text=True)
    response = client.post("/start/solity", data={"csrf_token": csrf_token(home), "lang": "da"})
    assert_friendly(response, 400, "is not available in the language “da”")


@pytest.mark.parametrize("action", ["explode", "goto:x", "lang:fr"])
def test_malformed_page_post(respondent, action):
    response = respondent.post_page(2, {"strategy_written": "3"}, action=action)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_post_without_csrf_token(client):
    assert_friendly(
        client.post("/start/go-international", data={"lang": "en"}),
        400,
        "The form had expired or came from another site",
    )


def test_expired_csrf_token_reshows_the_page_with_answers(respondent):
    response = respondent.client.post(
        f"/r/{respondent.token}/page/3",
        data={"csrf_token": "expired-or-forged", "partners_long_term": "three_five", "action": "next"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "your answers were not saved yet. They are shown again" in html
    assert 'value="three_five" checked' in html
    assert csrf_token(html) != "expired-or-forged"  # a fresh token to press the button again
    assert respondent.client.get(f"/api/responses/{respondent.token}").get_json()["answers"] == {}


def test_too_large_post(respondent):
    html = respondent.get("/page/2").get_data(as_text=True)
    response = respondent.client.post(
        f"/r/{respondent.token}/page/2", data={"csrf_token": csrf_token(html), "strategy_aim": "x" * 2_000_000}
    )
    assert response.status_code == 413


def test_unexpected_error_is_a_friendly_500(app, tmp_path):
    @app.get("/boom")
    def boom():
        raise RuntimeError("database on fire")

    response = app.test_client().get("/boom")
    assert_friendly(response, 500, "Your saved answers are safe")
    assert "database on fire" not in response.get_data(as_text=True)


def test_errors_speak_the_respondents_language(client):
    respondent = Respondent(client, lang="nb")
    response = respondent.get("/page/42")
    assert response.status_code == 404
    assert "Spørreskjemaet har ingen side 42." in response.get_data(as_text=True)


def test_invalid_bank_stops_the_start(tmp_path):
    from selfassess.bank.loader import BankError
    from selfassess.web import create_app

    (tmp_path / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    with pytest.raises(BankError) as info:
        create_app({"SELFASSESS_QUESTIONNAIRES": str(tmp_path), "SELFASSESS_DATABASE": str(tmp_path / "x.db")})
    assert f"{tmp_path / 'bad.yaml'}:1:1: the bank has no 'version'; add it" in str(info.value)
