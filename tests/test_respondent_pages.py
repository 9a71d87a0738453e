"""What respondents noticed (issue 16): completed pages marked, a hint about skipped questions, the answers given on review."""

from __future__ import annotations

import random

from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from tests.conftest import Respondent, csrf_token, form_values


def bank_of(app):
    return app.extensions["selfassess_catalog"].get("go-international")


def test_the_page_list_marks_complete_pages(app, respondent):
    bank = bank_of(app)
    answers = random_answers(bank, random.Random(5), 0.6)
    page = bank_pages(bank)[1]
    data = form_values({q.id: answers[q.id] for q in page.questions if q.id in answers})
    respondent.post_page(2, data)
    html = respondent.get("/page/3").get_data(as_text=True)
    nav = html.split('class="page-list"')[1]
    items = nav.split("<li>")[1:]
    assert "(complete)" in items[1]  # page 2, answered in full
    assert "(complete)" not in items[0] and "(complete)" not in items[2]


def test_leaving_required_questions_unanswered_is_pointed_out_on_the_next_page(app, respondent):
    empty = respondent.post_page(2, {})
    assert empty.status_code == 302
    html = respondent.client.get(empty.headers["Location"]).get_data(as_text=True)
    # (An untouched set of tick boxes is an answer, "none of these": those are not counted.)
    assert "Page 2 still has " in html and " required questions without an answer." in html
    # Once: the next page after that says nothing.
    assert "still has" not in respondent.get("/page/4").get_data(as_text=True)


def test_the_review_lists_the_answers_given(app, respondent):
    bank = bank_of(app)
    page = bank_pages(bank)[2]
    question = next(q for q in page.questions if q.type == "scale")
    option = question.options[-1]
    respondent.post_page(3, {question.id: option.key})
    html = respondent.get("/review").get_data(as_text=True)
    given = html.split("Your answers")[1]
    assert question.text.get("en") in given and option.label.get("en") in given


def test_the_home_page_leads_facilitators_to_their_login(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/facilitator/login"' in html


def test_the_invitation_page_speaks_one_language_and_says_how_long(app, client):
    from selfassess import accounts, cohorts, store

    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, "go-international", "Hold 2026")
    bank = bank_of(app)
    html = client.get(f"/join/{cohort.code}?lang=da").get_data(as_text=True)
    assert bank.title.get("da") in html and bank.title.get("en") not in html
    assert "Tidsforbrug" in html or "minutter" in html


def test_the_cohort_list_names_the_questionnaire(app):
    from selfassess import accounts, cohorts, store
    from tests.test_facilitate import login

    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohorts.create(db, owner.id, "go-international", "Mobility 2026")
    client = app.test_client()
    login(client, "owner@agency.eu")
    html = client.get("/facilitator/").get_data(as_text=True)
    assert f"<td>{bank_of(app).title.get('en')}</td>" in html.replace("&amp;", "&")


def test_starting_is_refused_politely_without_a_token(client):
    html = client.get("/").get_data(as_text=True)
    assert (
        client.post("/start/go-international", data={"csrf_token": csrf_token(html), "lang": "xx"}).status_code == 400
    )


def test_a_second_respondent_has_its_own_draft(client):
    assert Respondent(client).token != Respondent(client).token
