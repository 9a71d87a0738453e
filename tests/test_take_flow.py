"""Taking an assessment through the test client: every page, save and resume, submit, report, JSON."""

from __future__ import annotations

import random
import re

import pytest

from selfassess.bank.answers import is_visible
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from selfassess.scoring.engine import result_json, score
from tests.conftest import Respondent, csrf_token, form_values


@pytest.fixture
def bank(app):
    return app.extensions["selfassess_catalog"].get("go-international")


def answer_all(respondent: Respondent, bank, answers: dict) -> None:
    for page in bank_pages(bank):
        data = form_values({q.id: answers[q.id] for q in page.questions if q.id in answers})
        if page.number == 1:
            data["_organisation"] = "Vejle Tekniske Skole"
        # As the page's script does: report every question the respondent could see.
        data["_shown"] = [q.id for q in page.questions if is_visible(bank, q, answers)]
        response = respondent.post_page(page.number, data)
        assert response.status_code == 302, response.get_data(as_text=True)


def test_home_lists_the_banks(client):
    html = client.get("/").get_data(as_text=True)
    assert "Go International – internationalisation readiness for VET providers" in html
    assert "Social utility of a VET provider" in html
    assert "English, Dansk, Norsk bokmål" in html
    assert re.search(r"<dt>Questions</dt><dd>65</dd>", html)
    assert "about 25 minutes" in html


def test_complete_flow_scores_like_the_cli(client, bank):
    respondent = Respondent(client)
    answers = random_answers(bank, random.Random(7), 0.6)
    answer_all(respondent, bank, answers)
    review = respondent.get("/review").get_data(as_text=True)
    assert "Every required question is answered" in review
    response = respondent.submit()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{respondent.token}/report"
    report = respondent.get("/report").get_data(as_text=True)
    expected = score(bank, answers)
    assert f'<span class="score">{expected.score:.0f}</span>' in report
    assert "Vejle Tekniske Skole" in report
    api = client.get(f"/api/responses/{respondent.token}").get_json()
    assert api["status"] == "submitted"
    assert api["questionnaire"] == "go-international" and api["version"] == "2026.1"
    assert api["answers"] == answers
    assert api["result"] == result_json(bank, expected, digits=None)


def test_progress_on_every_page(respondent, bank):
    pages = bank_pages(bank)
    for page in pages:
        html = respondent.get(f"/page/{page.number}").get_data(as_text=True)
        assert f"Page {page.number} of {len(pages)}" in html
        assert re.search(r"\d+ of \d+ questions answered", html)
    respondent.post_page(1, {"country": "DK", "size": "under_250"})
    html = respondent.get("/page/2").get_data(as_text=True)
    assert "3 of 64 questions answered" in html  # the sectors page-1 multi, left unticked, counts as "none"


def test_save_and_resume(respondent):
    response = respondent.post_page(2, {"strategy_written": "4"}, action="save")
    assert response.headers["Location"] == f"/r/{respondent.token}/saved"
    saved = respondent.get("/saved").get_data(as_text=True)
    assert f"http://localhost/r/{respondent.token}" in saved
    # A new browser: only the link.
    fresh = respondent.client.application.test_client()
    resumed = fresh.get(f"/r/{respondent.token}")
    assert resumed.headers["Location"] == f"/r/{respondent.token}/page/2"
    page = fresh.get(resumed.headers["Location"]).get_data(as_text=True)
    assert re.search(r'name="strategy_written" value="4" checked', page)


def test_previous_keeps_what_was_typed(respondent):
    respondent.post_page(3, {"partners_long_term": "one_two", "partners_networks": ["ka2", "cove"]}, action="previous")
    html = respondent.get("/page/3").get_data(as_text=True)
    assert re.search(r'value="one_two" checked', html)
    assert re.search(r'value="ka2" checked', html) and re.search(r'value="cove" checked', html)


def test_show_if_on_the_server(respondent, app):
    db_answers = lambda: respondent.client.get(f"/api/responses/{respondent.token}").get_json()["answers"]  # noqa: E731
    respondent.post_page(4, {"mob_incoming": "no", "mob_incoming_how": "sent anyway"})
    assert "mob_incoming_how" not in db_answers()
    html = respondent.get("/page/4").get_data(as_text=True)
    assert re.search(r'id="q-mob_incoming_how" data-show-if="[^"]+" hidden', html)
    # Without JavaScript the new question appears after saving: the page asks for it before moving on.
    response = respondent.post_page(4, {"mob_incoming": "yes"})
    assert response.status_code == 200
    assert "Your answers opened more questions on this page" in response.get_data(as_text=True)
    response = respondent.post_page(4, {"mob_incoming": "yes", "mob_incoming_how": "Host families"})
    assert response.status_code == 302
    assert db_answers()["mob_incoming_how"] == "Host families"
    # Answering "no" again removes the hidden answer.
    respondent.post_page(4, {"mob_incoming": "no", "mob_incoming_how": "Host families"})
    assert "mob_incoming_how" not in db_answers()


def test_language_switch_keeps_answers(respondent):
    response = respondent.post_page(2, {"strategy_written": "5"}, action="lang:nb")
    assert response.headers["Location"] == f"/r/{respondent.token}/page/2"
    html = respondent.get("/page/2").get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert "Strategi og ledelse" in html and "Neste" in html and "Side 2 av 10" in html
    assert re.search(r'name="strategy_written" value="5" checked', html)
    assert respondent.client.get(f"/api/responses/{respondent.token}").get_json()["language"] == "nb"


def test_invalid_number_is_shown_with_the_field(respondent):
    response = respondent.post_page(4, {"mob_share": "250", "mob_programmes": "3"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#q-mob_share">Enter a number from 0 to 100.</a>' in html
    assert 'aria-describedby="help-mob_share error-mob_share" aria-invalid="true"' in html
    assert 'value="250"' in html  # what was typed stays
    api = respondent.client.get(f"/api/responses/{respondent.token}").get_json()
    # The valid answers on the page are saved; unticked boxes mean "none of these".
    assert api["answers"] == {"mob_programmes": 3, "mob_hosts": [], "mob_durations": []}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mob_share": "many"}, "Enter a number from 0 to 100."),
        ({"mob_programmes": "9"}, "Choose one of the options shown."),
        ({"mob_hosts": ["company", "castle"]}, "Choose one of the options shown."),
    ],
)
def test_tampered_or_wrong_values(respondent, data, message):
    response = respondent.post_page(4, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_decimal_comma_is_accepted(respondent):
    respondent.post_page(4, {"mob_share": "12,5"})
    assert respondent.client.get(f"/api/responses/{respondent.token}").get_json()["answers"]["mob_share"] == 12.5


def test_not_applicable(respondent):
    respondent.post_page(7, {"rec_mou": "na"})
    assert respondent.client.get(f"/api/responses/{respondent.token}").get_json()["answers"]["rec_mou"] == "na"
    html = respondent.get("/page/7").get_data(as_text=True)
    assert re.search(r'name="rec_mou" value="na" checked><label for="rec_mou-6">Not applicable</label>', html)


def test_submit_with_missing_answers_lists_them(respondent):
    respondent.post_page(1, {"_organisation": "X", "country": "DK"})
    response = respondent.submit()
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'href="/r/{respondent.token}/page/2#q-strategy_written"' in html
    assert respondent.client.get(f"/api/responses/{respondent.token}").get_json()["status"] == "draft"


def test_submitted_cannot_be_edited_but_can_be_copied(client, bank):
    respondent = Respondent(client)
    answers = random_answers(bank, random.Random(3), 0.4)
    answer_all(respondent, bank, answers)
    respondent.submit()
    page = respondent.get("/page/2")
    assert page.status_code == 409
    assert "submitted and can no longer be changed" in page.get_data(as_text=True)
    report = respondent.get("/report").get_data(as_text=True)
    post = client.post(
        f"/r/{respondent.token}/page/2", data={"csrf_token": csrf_token(report), "strategy_written": "1"}
    )
    assert post.status_code == 409
    assert client.get(f"/api/responses/{respondent.token}").get_json()["answers"] == answers
    copy = client.post(f"/r/{respondent.token}/copy", data={"csrf_token": csrf_token(report)})
    new_token = copy.headers["Location"].split("/")[2]
    assert new_token != respondent.token
    copied = client.get(f"/api/responses/{new_token}").get_json()
    assert copied["status"] == "draft" and copied["answers"] == answers
    assert "Vejle Tekniske Skole" in client.get(f"/r/{new_token}/page/1").get_data(as_text=True)
    assert client.post(f"/r/{respondent.token}/submit", data={"csrf_token": csrf_token(report)}).status_code == 409


def test_draft_report_sends_to_review(respondent):
    assert respondent.get("/report").headers["Location"] == f"/r/{respondent.token}/review"


def test_tokens_are_long_and_random(client):
    tokens = {Respondent(client).token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 22 for t in tokens)  # >= 128 bits in URL-safe base64


def test_review_groups_unanswered_questions_by_page(respondent, bank):
    """A fresh draft's review lists its questions under one heading per page, in page order."""
    html = respondent.get("/review").get_data(as_text=True)
    pages = bank_pages(bank)
    headings = re.findall(r'<h3 class="missing-page">Page (\d+) of (\d+): ([^<]+)</h3>', html)
    required_pages = [p.number for p in pages if any(q.required and q.show_if is None for q in p.questions)]
    assert [int(k) for k, _, _ in headings if int(k) in required_pages][: len(required_pages)] == required_pages
    assert headings[1][2] == pages[1].dimension.title.get("en").replace("&", "&amp;")
    # Each link sits under its own page's heading.
    sections = re.split(r'<h3 class="missing-page">', html)[1:]
    for section in sections:
        number = int(section.split(" ", 2)[1])
        links = re.findall(rf"/r/{respondent.token}/page/(\d+)#q-", section.split("</ul>")[0])
        assert links and set(links) == {str(number)}
