"""The coordinator's and respondents' flow of a round after review (issue 14): what each page says and refuses."""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest

from selfassess import store
from selfassess.web import create_app
from tests.conftest import csrf_token, form_values, query
from tests.test_coordinate import COMPANY, LEADER, LEARNER, STAFF, answer, cohort_round, role_links, start_round
from tests.test_rounds import roles_folder

SHARED_NOTE = (
    "Your answer to this question is shown word for word, without your name, to the coordinator of this round."
)


@pytest.fixture
def app(tmp_path, database):
    config = {
        "SELFASSESS_DATABASE": database,
        "SELFASSESS_QUESTIONNAIRES": str(roles_folder(tmp_path)),
        "SECRET_KEY": "test",
        "TESTING": True,
        "SELFASSESS_RATE_LIMIT": "100000 per minute",
    }
    return create_app(config)


def main_text(html: str) -> str:
    """The words of the page's <main>, tags removed, spaces collapsed: what a reader sees."""
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def join(link: str, client) -> str:
    """Open a role's invitation and start a draft; return its token."""
    page = client.get(link).get_data(as_text=True)
    started = client.post(link, data={"csrf_token": csrf_token(page)})
    assert started.status_code == 302
    return started.headers["Location"].split("/")[2]


def save(client, token: str, number: int, answers: dict, action: str = "next"):
    html = client.get(f"/r/{token}/page/{number}").get_data(as_text=True)
    data = form_values({k: v for k, v in answers.items() if f'name="{k}"' in html})
    shown = re.findall(r'name="_shown" value="([^"]+)"', html)
    return client.post(
        f"/r/{token}/page/{number}", data={"csrf_token": csrf_token(html), "action": action, "_shown": shown, **data}
    )


def answer_all(client, token: str, answers: dict) -> None:
    number = 1
    while True:
        sent = save(client, token, number, answers)
        assert sent.status_code == 302, sent.get_data(as_text=True)
        if sent.headers["Location"].endswith("/review"):
            return
        number += 1


def close(client, token: str):
    page = client.get(f"/c/{token}").get_data(as_text=True)
    return client.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})


# --- the review page as a round's respondent sees it ------------------------------------------


def test_a_respondents_review_page_speaks_to_an_anonymous_respondent(app):
    coordinator = app.test_client()
    token = start_round(coordinator)
    client = app.test_client()
    draft = join(role_links(coordinator, token)["learners"], client)
    save(client, draft, 1, {"prepared": 2})  # "abroad" and the recognition page still open

    html = client.get(f"/r/{draft}/review").get_data(as_text=True)
    seen = main_text(html)
    assert "Your organisation" not in seen and "name of your organisation" not in seen
    assert "questions must still be answered" in seen
    assert "Every required question is answered" not in seen  # not yet
    assert re.search(r'<button type="submit" class="button primary">Submit my answers</button>', html)
    assert "see results" not in seen and "start a new draft" not in seen

    answer_all(client, draft, LEARNER)
    html = client.get(f"/r/{draft}/review").get_data(as_text=True)
    seen = main_text(html)
    assert "Every required question is answered. You can submit now, or go back and change any answer." in seen
    assert "must still be answered" not in seen and "Your organisation" not in seen
    assert (
        "After you submit, your answers can no longer be changed, and you see a thank-you page. They count together"
        " with your group's when the coordinator closes the round: the coordinator sees only figures for the whole"
        " group, never your answers." in seen
    )
    review = client.get(f"/r/{draft}/review").get_data(as_text=True)
    done = client.post(f"/r/{draft}/submit", data={"csrf_token": csrf_token(review)})
    assert done.headers["Location"] == f"/r/{draft}/thanks"
    # Submitted: a second click, the review and a page lead to the thank-you page, not to an error.
    again = client.post(f"/r/{draft}/submit", data={"csrf_token": csrf_token(review)})
    assert again.status_code == 302 and again.headers["Location"] == f"/r/{draft}/thanks"
    assert client.get(f"/r/{draft}/review").headers["Location"] == f"/r/{draft}/thanks"
    assert client.get(f"/r/{draft}/page/1").headers["Location"] == f"/r/{draft}/thanks"


def test_the_coordinators_own_answers_as_a_provider_keep_the_organisation_section(app, client):
    """A bank without roles: the review still asks for the organisation's name and offers results."""
    from tests.conftest import FIXTURES

    plain = create_app({**app.config, "SELFASSESS_QUESTIONNAIRES": str(FIXTURES / "banks")}).test_client()
    home = plain.get("/").get_data(as_text=True)
    started = plain.post("/start/go-international", data={"csrf_token": csrf_token(home), "lang": "en"})
    token = started.headers["Location"].split("/")[2]
    seen = main_text(plain.get(f"/r/{token}/review").get_data(as_text=True))
    assert "Your organisation Give the name of your organisation" in seen
    assert "Submit and see results" in seen and "Submit my answers" not in seen


def test_a_respondents_saved_page_asks_to_keep_the_link_to_themselves(app):
    coordinator = app.test_client()
    token = start_round(coordinator)
    client = app.test_client()
    draft = join(role_links(coordinator, token)["staff"], client)
    sent = save(client, draft, 1, STAFF, action="save")
    assert sent.headers["Location"] == f"/r/{draft}/saved"
    seen = main_text(client.get(f"/r/{draft}/saved").get_data(as_text=True))
    assert "so keep it to yourself: your answers are anonymous only as long as nobody else has it." in seen
    assert "colleagues" not in seen


# --- share_text -------------------------------------------------------------------------------


def test_a_share_text_question_says_who_reads_the_answer(app):
    coordinator = app.test_client()
    token = start_round(coordinator)
    links = role_links(coordinator, token)
    client = app.test_client()
    learner = join(links["learners"], client)
    page = client.get(f"/r/{learner}/page/1").get_data(as_text=True)
    block = re.search(r'<div class="question[^"]*" id="q-story".*?</textarea>', page, re.S)
    assert block, "the learners' first page has the shared question"
    assert SHARED_NOTE in block.group(0)
    assert re.search(r'<textarea id="story"[^>]*aria-describedby="[^"]*\bshared-story\b', block.group(0))
    assert page.count(SHARED_NOTE) == 1  # next to that question only
    # Roles that are not asked the question see no note.
    leader = join(links["leaders"], app.test_client())
    for number in (1, 2):
        assert SHARED_NOTE not in app.test_client().get(f"/r/{leader}/page/{number}").get_data(as_text=True)


# --- a respondent's draft once the round is closed ------------------------------------------


def test_a_draft_of_a_closed_round_says_the_round_is_closed(app, database):
    coordinator = app.test_client()
    token = start_round(coordinator)
    links = role_links(coordinator, token)
    answer(app.test_client(), links["leaders"], LEADER)
    client = app.test_client()
    late = join(links["staff"], client)
    save(client, late, 1, {"plan": 3})
    page = client.get(f"/r/{late}/page/1").get_data(as_text=True)
    review = client.get(f"/r/{late}/review").get_data(as_text=True)
    assert close(coordinator, token).headers["Location"] == f"/c/{token}/report"

    closed = "The coordinator closed this round before your answers were submitted"
    for response in (
        client.get(f"/r/{late}/page/1"),
        client.get(f"/r/{late}/page/2"),
        client.post(f"/r/{late}/page/1", data={"csrf_token": csrf_token(page), "action": "next", "plan": "5"}),
        client.get(f"/r/{late}/review"),
        client.post(f"/r/{late}/submit", data={"csrf_token": csrf_token(review)}),
    ):
        assert response.status_code == 410
        html = response.get_data(as_text=True)
        assert "<h1>This round is closed</h1>" in html and closed in main_text(html)
        assert "Already submitted" not in html and "csrf_token" not in html.split("<main")[1]
    # Nothing was saved or submitted after the close.
    number = store.get_response(store.connect(database), late).id
    assert query(database, "SELECT value FROM answers WHERE response_id = ?", [number]) == [("3",)]
    assert query(database, "SELECT status FROM responses WHERE id = ?", [number]) == [("draft",)]
    # The link itself and the thank-you page say the same, without sending anyone round in circles.
    assert client.get(f"/r/{late}").headers["Location"] == f"/r/{late}/page/1"
    thanks = client.get(f"/r/{late}/thanks")
    assert thanks.status_code == 200 and closed in main_text(thanks.get_data(as_text=True))
    assert "Review and submit them" not in thanks.get_data(as_text=True)


# --- closing --------------------------------------------------------------------------------


def test_closing_twice_goes_to_the_report(app):
    coordinator = app.test_client()
    token = start_round(coordinator)
    answer(app.test_client(), role_links(coordinator, token)["leaders"], LEADER)
    page = coordinator.get(f"/c/{token}").get_data(as_text=True)
    first = coordinator.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})
    second = coordinator.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})  # the same page, again
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] == second.headers["Location"] == f"/c/{token}/report"


def test_parallel_closes_both_go_to_the_report(app):
    coordinator = app.test_client()
    token = start_round(coordinator)
    answer(app.test_client(), role_links(coordinator, token)["leaders"], LEADER)
    page = coordinator.get(f"/c/{token}").get_data(as_text=True)
    results: list[tuple[int, str]] = []

    def press() -> None:
        sent = coordinator.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})
        results.append((sent.status_code, sent.headers.get("Location", "")))

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(302, f"/c/{token}/report")] * 3


def test_the_round_page_warns_before_closing_and_closing_needs_a_group(app, database):
    coordinator = app.test_client()
    token = start_round(coordinator)
    links = role_links(coordinator, token)
    seen = main_text(coordinator.get(f"/c/{token}").get_data(as_text=True))
    assert "No group has reached its minimum yet. The round can be closed once at least one group has enough" in seen
    assert "Close the round and see the report" not in seen  # no button while it would be refused

    refused = close(coordinator, token)  # a page from before, or typed by hand
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "No group has reached its minimum yet, so the round would have no results." in main_text(html)
    assert 'role="alert"' in html and "Coordinate the assessment" in html
    assert query(database, "SELECT status FROM rounds") == [("open",)]

    answer(app.test_client(), links["leaders"], LEADER)
    answer(app.test_client(), links["staff"], STAFF)
    answer(app.test_client(), links["learners"], LEARNER)
    seen = main_text(coordinator.get(f"/c/{token}").get_data(as_text=True))
    assert seen[seen.index("These groups have") :].startswith(
        "These groups have fewer submitted answers than they need. If you close the round now, their answers will"
        " not be counted or shown: Teachers and trainers: 1 of the 2 needed"
        " In-company trainers and employers: 0 of the 2 needed Learners and apprentices: 1 of the 5 needed"
        " Closing is final: the round cannot be opened again, and drafts not yet submitted are left out."
        " Close the round and see the report"
    )
    answer(app.test_client(), links["staff"], STAFF)
    answer(app.test_client(), links["company"], COMPANY)
    answer(app.test_client(), links["company"], COMPANY)
    seen = main_text(coordinator.get(f"/c/{token}").get_data(as_text=True))
    assert "This group has fewer submitted answers than it needs." in seen
    assert "Learners and apprentices: 1 of the 5 needed Closing is final" in seen
    assert close(coordinator, token).headers["Location"] == f"/c/{token}/report"


# --- the next round -------------------------------------------------------------------------


def open_rounds(database: str) -> list[tuple]:
    return query(database, "SELECT id FROM rounds WHERE status = 'open'")


def test_starting_the_next_round_twice_makes_one_round(app, database):
    coordinator = app.test_client()
    token = start_round(coordinator)
    answer(app.test_client(), role_links(coordinator, token)["leaders"], LEADER)
    close(coordinator, token)
    page = coordinator.get(f"/c/{token}").get_data(as_text=True)
    responses_before = query(database, "SELECT COUNT(*) FROM responses")[0][0]
    first = coordinator.post(f"/c/{token}/again", data={"csrf_token": csrf_token(page)})
    second = coordinator.post(f"/c/{token}/again", data={"csrf_token": csrf_token(page)})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] != f"/c/{token}"
    assert len(open_rounds(database)) == 1
    assert query(database, "SELECT COUNT(*) FROM responses")[0][0] == responses_before + 1  # no stray draft
    # The new round carries the profile over.
    later = first.headers["Location"].split("/")[2]
    assert "The questions about your organisation are answered." in main_text(
        coordinator.get(f"/c/{later}").get_data(as_text=True)
    )
    # Closing the new round, and then starting from the first round's page, starts a third.
    answer(app.test_client(), role_links(coordinator, later)["leaders"], LEADER)
    close(coordinator, later)
    third = coordinator.post(f"/c/{token}/again", data={"csrf_token": csrf_token(page)})
    assert third.headers["Location"] not in (first.headers["Location"], f"/c/{token}")
    assert len(open_rounds(database)) == 1


def test_parallel_next_rounds_make_one_open_round(app, database):
    coordinator = app.test_client()
    token = start_round(coordinator)
    answer(app.test_client(), role_links(coordinator, token)["leaders"], LEADER)
    close(coordinator, token)
    page = coordinator.get(f"/c/{token}").get_data(as_text=True)
    places: list[str] = []

    def press() -> None:
        places.append(coordinator.post(f"/c/{token}/again", data={"csrf_token": csrf_token(page)}).headers["Location"])

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(places) == 4 and len(set(places)) == 1
    assert len(open_rounds(database)) == 1
    coordinating = {row[0] for row in query(database, "SELECT response_id FROM rounds")}
    drafts = query(database, "SELECT id FROM responses WHERE round_id IS NULL")
    assert drafts == [] and len(coordinating) == 2


def test_the_dashboard_shows_the_newest_round(app):
    from tests.test_facilitate import login

    _db, cohort, coordinator, token, links = cohort_round(app)
    answer(app.test_client(), links["leaders"], LEADER)
    answer(app.test_client(), links["staff"], STAFF)
    close(coordinator, token)
    facilitator = app.test_client()
    login(facilitator, "owner@agency.eu")

    def row() -> list[str]:
        html = facilitator.get(f"/facilitator/cohorts/{cohort.code}").get_data(as_text=True)
        section = html[html.index('id="rounds-heading"') : html.index('id="heat-heading"')]
        return re.findall(r"<td>([^<]*)</td>", section[section.index("Cohort school") :])

    assert row()[:2] == ["closed", "1 of 1 submitted, 1 started ✓"]
    page = coordinator.get(f"/c/{token}").get_data(as_text=True)
    later = coordinator.post(f"/c/{token}/again", data={"csrf_token": csrf_token(page)}).headers["Location"]
    assert row() == [
        "open",
        "0 of 1 submitted, 0 started",
        "0 of 2 submitted, 0 started",
        "0 of 2 submitted, 0 started",
        "0 of 5 submitted, 0 started",
    ]
    answer(app.test_client(), role_links(coordinator, later.split("/")[2])["staff"], STAFF)
    assert row()[2] == "1 of 2 submitted, 1 started"


# --- invitations, the API -------------------------------------------------------------------


def test_an_invitation_opens_in_the_rounds_language(app):
    coordinator = app.test_client()
    home = coordinator.get("/").get_data(as_text=True)
    started = coordinator.post("/start/roles", data={"csrf_token": csrf_token(home), "lang": "da"})
    token = started.headers["Location"].split("/")[2]
    page = coordinator.get(f"/r/{token}/page/1").get_data(as_text=True)
    coordinator.post(f"/r/{token}/page/1", data={"csrf_token": csrf_token(page), "action": "next", "size": "small",
                                                 "_organisation": "Aalborg"})  # fmt: skip
    link = role_links(coordinator, token)["staff"]
    client = app.test_client()
    html = client.get(link).get_data(as_text=True)
    assert '<html lang="da">' in html and "<h1>Praktik i udlandet</h1>" in html
    assert '<option value="da" selected>' in html and '<option value="en">' in html  # still a choice
    started = client.post(link, data={"csrf_token": csrf_token(html), "lang": "en"})
    draft = started.headers["Location"].split("/")[2]
    assert store.get_response(store.connect(app.config["SELFASSESS_DATABASE"]), draft).language == "en"


def test_the_api_gives_a_respondent_no_result_and_the_coordinator_the_organisations(app):
    coordinator = app.test_client()
    token = start_round(coordinator)
    links = role_links(coordinator, token)
    learner = answer(app.test_client(), links["leaders"], LEADER)
    data = app.test_client().get(f"/api/responses/{learner}").get_json()
    assert data["role"] == "leaders" and data["status"] == "submitted" and "result" not in data
    assert data["answers"] == {"plan": 4, "budget": "yes", "prepared": 5}  # their own answers
    assert coordinator.get(f"/api/responses/{token}").get_json()["result"] is None  # open: no result yet
    close(coordinator, token)
    result = coordinator.get(f"/api/responses/{token}").get_json()["result"]
    assert result["overall"]["score"] is not None


# --- in Chromium: the pages fit a phone and pass axe-core -----------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_round_and_review_pages_fit_390_px_and_pass_axe(app, browser, lang):
    from tests.browser import axe_violations, live_server

    coordinator = app.test_client()
    home = coordinator.get("/").get_data(as_text=True)
    started = coordinator.post("/start/roles", data={"csrf_token": csrf_token(home), "lang": lang})
    token = started.headers["Location"].split("/")[2]
    page = coordinator.get(f"/r/{token}/page/1").get_data(as_text=True)
    coordinator.post(f"/r/{token}/page/1", data={"csrf_token": csrf_token(page), "action": "next", "size": "small",
                                                 "_organisation": "Aarhus Tech"})  # fmt: skip
    links = role_links(coordinator, token)
    leader = app.test_client()
    answered = join(links["leaders"], leader)
    answer_all(leader, answered, LEADER)
    review = leader.get(f"/r/{answered}/review").get_data(as_text=True)
    assert leader.post(f"/r/{answered}/submit", data={"csrf_token": csrf_token(review)}).status_code == 302
    learner = join(links["learners"], app.test_client())
    answer_all(app.test_client(), learner, LEARNER)
    with live_server(app) as url:
        context = browser.new_context()
        view = context.new_page()
        for width in (390, 1280):
            view.set_viewport_size({"width": width, "height": 900})
            for path in (f"/c/{token}", f"/r/{learner}/review", f"/r/{learner}/page/1"):
                view.goto(url + path)
                assert not axe_violations(view), (path, width)
                # Nothing wider than the screen: the page does not scroll sideways, nor does a table.
                assert view.evaluate("document.documentElement.scrollWidth <= innerWidth"), (path, width)
                overflowing = view.evaluate(
                    "[...document.querySelectorAll('.table-scroll')].filter(d => d.scrollWidth > d.clientWidth).length"
                )
                assert overflowing == 0, (path, width)
        context.close()
