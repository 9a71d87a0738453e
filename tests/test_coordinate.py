"""A round through the web: the coordinator's page, role links, anonymous respondents, closing, the report, privacy."""

from __future__ import annotations

import json
import re

import pytest

from selfassess import rounds, store
from selfassess.web import create_app
from tests.conftest import csrf_token, form_values
from tests.test_rounds import roles_folder

LEARNER_TEXT = "Quokka-7319 wants longer stays"  # written by one learner: a group below its minimum
COMPANY_TEXT = "Wombat-2207 needs a contact person"


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


def start_round(client, name="Vejle Tekniske Skole") -> str:
    home = client.get("/").get_data(as_text=True)
    started = client.post("/start/roles", data={"csrf_token": csrf_token(home), "lang": "en"})
    assert started.status_code == 302 and started.headers["Location"].endswith("/page/1")
    token = started.headers["Location"].split("/")[2]
    page = client.get(f"/r/{token}/page/1").get_data(as_text=True)
    assert "Name of your organisation" in page
    saved = client.post(
        f"/r/{token}/page/1",
        data={"csrf_token": csrf_token(page), "action": "next", "size": "small", "_organisation": name},
    )
    assert saved.status_code == 302
    assert client.get(saved.headers["Location"]).headers["Location"] == f"/c/{token}"
    return token


def role_links(client, token: str) -> dict[str, str]:
    html = client.get(f"/c/{token}").get_data(as_text=True)
    return dict(re.findall(r'id="invite-(\w+)" class="link-field" value="http://localhost(/i/[^"]+)"', html))


def answer(client, link: str, answers: dict) -> str:
    page = client.get(link).get_data(as_text=True)
    assert "no name is asked" in page
    started = client.post(link, data={"csrf_token": csrf_token(page)})
    assert started.status_code == 302
    token = started.headers["Location"].split("/")[2]
    number = 1
    while True:
        html = client.get(f"/r/{token}/page/{number}").get_data(as_text=True)
        assert "Name of your organisation" not in html  # anonymous: no name asked
        shown = re.findall(r'name="_shown" value="([^"]+)"', html)
        data = form_values({k: v for k, v in answers.items() if f'name="{k}"' in html})
        sent = client.post(
            f"/r/{token}/page/{number}",
            data={"csrf_token": csrf_token(html), "action": "next", "_shown": shown, **data},
        )
        assert sent.status_code == 302, sent.get_data(as_text=True)
        if sent.headers["Location"].endswith("/review"):
            break
        number += 1
    review = client.get(f"/r/{token}/review").get_data(as_text=True)
    done = client.post(f"/r/{token}/submit", data={"csrf_token": csrf_token(review)})
    assert done.headers["Location"] == f"/r/{token}/thanks", done.get_data(as_text=True)
    return token


LEADER = {"plan": 4, "budget": "yes", "prepared": 5}
STAFF = {"plan": 3, "prepared": 4, "hosts": 3, "agreement": "yes", "recognised": 3}
COMPANY = {"prepared": 1, "hosts": 1, "agreement": "no", "recognised": 1}
LEARNER = {"prepared": 2, "abroad": "yes", "support": 1, "agreement": "no", "recognised": 2}


def run_round(app):
    client = app.test_client()
    token = start_round(client)
    links = role_links(client, token)
    assert set(links) == {"leaders", "staff", "company", "learners"}
    answer(app.test_client(), links["leaders"], LEADER)
    for _ in range(2):
        answer(app.test_client(), links["staff"], STAFF)
    answer(app.test_client(), links["company"], {**COMPANY, "story": COMPANY_TEXT})
    answer(app.test_client(), links["company"], COMPANY)
    learner = answer(app.test_client(), links["learners"], {**LEARNER, "story": LEARNER_TEXT})
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "Not yet: 1 of the 5 needed" in page
    closed = client.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})
    assert closed.headers["Location"] == f"/c/{token}/report"
    return client, token, links, learner


def test_coordinator_closes_and_sees_the_report(app):
    client, token, _links, _learner = run_round(app)
    report = client.get(f"/c/{token}/report").get_data(as_text=True)
    assert "Learners and apprentices: 1 of the 5 needed, not counted and not shown" in report
    # placements: leaders 100, staff 62.5, company 0 → (2·100 + 62.5 + 0) / 4
    assert re.search(r'data-dimension="placements">.*?<td class="score">66</td>', report, re.S)
    assert "In-company trainers and employers rate “Placements” 100 points lower than School leaders." in report
    assert COMPANY_TEXT in report
    assert set(re.findall(r'data-role="(\w+)"', report)) == {"leaders", "staff", "company"}
    # The organisation's submission is the coordinator's response with the combined scores.
    assert client.get(f"/r/{token}/report").status_code == 200


def test_nobody_obtains_one_respondents_answers(app):
    client, token, _links, learner = run_round(app)
    seen = ""
    for path in (f"/c/{token}", f"/c/{token}/report", f"/r/{token}/report", f"/r/{token}/report.json",
                 f"/r/{token}/report.csv", f"/api/responses/{token}"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        seen += response.get_data(as_text=True)
    assert LEARNER_TEXT not in seen and learner not in seen
    # The learners' unique answers (support 1 after going abroad) show in no figure.
    assert "I had the support I needed while abroad." not in seen
    # A role's link starts new drafts, never opens someone's answers; another round's coordinator sees nothing.
    other = start_round(app.test_client(), "Another school")
    assert app.test_client().get(f"/c/{other}/report").headers["Location"] == f"/c/{other}"
    assert app.test_client().get(f"/c/{learner}").status_code == 404
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    assert store.get_response(db, learner).organisation_id is None


def test_a_closed_round_takes_no_more_respondents(app):
    _client, _token, links, _learner = run_round(app)
    page = app.test_client().get(links["staff"]).get_data(as_text=True)
    assert "was closed" in page and "csrf_token" not in page


def test_coordinator_answers_as_a_respondent(app):
    client = app.test_client()
    token = start_round(client)
    page = client.get(f"/c/{token}").get_data(as_text=True)
    started = client.post(f"/c/{token}/respond", data={"csrf_token": csrf_token(page), "role": "staff"})
    respondent = started.headers["Location"].split("/")[2]
    assert respondent != token
    assert "We know the host companies well." in client.get(f"/r/{respondent}/page/2").get_data(as_text=True)
    assert "Started" in client.get(f"/c/{token}").get_data(as_text=True)


def test_a_facilitator_sees_the_organisation_never_a_respondent(app):
    from selfassess import accounts, cohorts
    from tests.test_facilitate import login

    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, "roles", "Roles seminar")
    client = app.test_client()
    page = client.get(f"/join/{cohort.code}").get_data(as_text=True)
    started = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(page), "lang": "en"})
    token = started.headers["Location"].split("/")[2]
    page = client.get(f"/r/{token}/page/1").get_data(as_text=True)
    client.post(f"/r/{token}/page/1", data={"csrf_token": csrf_token(page), "action": "next", "size": "large",
                                           "_organisation": "Cohort school"})  # fmt: skip
    links = role_links(client, token)
    answer(app.test_client(), links["leaders"], LEADER)
    staff = [answer(app.test_client(), links["staff"], {**STAFF, "recognised": r}) for r in (1, 5)]
    learner = answer(app.test_client(), links["learners"], {**LEARNER, "story": LEARNER_TEXT})
    page = client.get(f"/c/{token}").get_data(as_text=True)
    client.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})

    facilitator = app.test_client()
    login(facilitator, "owner@agency.eu")
    coordinating = store.get_response(db, token).id
    seen = ""
    for path in ("", "/export.csv", "/export.json", "/answers.json", f"/responses/{coordinating}"):
        response = facilitator.get(f"/facilitator/cohorts/{cohort.code}{path}")
        assert response.status_code == 200, path
        seen += response.get_data(as_text=True)
    assert "Cohort school" in seen  # the organisation is the cohort's member, with its combined scores
    assert LEARNER_TEXT not in seen and not any(t in seen for t in [token, learner, *staff])
    answers = facilitator.get(f"/facilitator/cohorts/{cohort.code}/answers.json").get_json()["answers"]
    assert {a["question"] for a in answers} == {"size"}  # the profile only: no respondent's answers
    for respondent in (learner, *staff):
        number = store.get_response(db, respondent).id
        assert facilitator.get(f"/facilitator/cohorts/{cohort.code}/responses/{number}").status_code == 404


def cohort_round(app, name="Cohort school"):
    """A round started from a cohort's invitation: (db, cohort, coordinator's client, token, role links)."""
    from selfassess import accounts, cohorts

    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.find(db, "owner@agency.eu") or accounts.add(db, "owner@agency.eu", "a long password")
    cohort = next(iter(cohorts.of_facilitator(db, owner.id)), None) or cohorts.create(db, owner.id, "roles", "Roles")
    client = app.test_client()
    page = client.get(f"/join/{cohort.code}").get_data(as_text=True)
    started = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(page), "lang": "en"})
    token = started.headers["Location"].split("/")[2]
    page = client.get(f"/r/{token}/page/1").get_data(as_text=True)
    client.post(f"/r/{token}/page/1", data={"csrf_token": csrf_token(page), "action": "next", "size": "large",
                                           "_organisation": name})  # fmt: skip
    return db, cohort, client, token, role_links(client, token)


def test_the_dashboard_shows_each_organisations_participation_per_role(app):
    from tests.test_facilitate import login

    _db, cohort, client, token, links = cohort_round(app)
    answer(app.test_client(), links["leaders"], LEADER)
    answer(app.test_client(), links["staff"], STAFF)
    company = app.test_client()  # starts, never submits
    company.post(
        links["company"], data={"csrf_token": csrf_token(company.get(links["company"]).get_data(as_text=True))}
    )
    facilitator = app.test_client()
    login(facilitator, "owner@agency.eu")
    html = facilitator.get(f"/facilitator/cohorts/{cohort.code}").get_data(as_text=True)
    section = html[html.index('id="rounds-heading"') : html.index('id="heat-heading"')]
    row = section[section.index("Cohort school") :]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == [
        "open",
        "1 of 1 submitted, 1 started ✓",
        "1 of 2 submitted, 1 started",
        "0 of 2 submitted, 1 started",
        "0 of 5 submitted, 0 started",
    ]
    page = client.get(f"/c/{token}").get_data(as_text=True)
    client.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})
    html = facilitator.get(f"/facilitator/cohorts/{cohort.code}").get_data(as_text=True)
    assert re.findall(r"<td>([^<]*)</td>", html[html.index('id="rounds-heading"') :])[0] == "closed"
    assert token not in html and not any(link in html for link in links.values())


def test_exports_hold_one_row_per_organisation_with_participation_per_role(app, run_cli, monkeypatch):
    import csv
    import io

    from tests.test_facilitate import login

    db, cohort, client, token, links = cohort_round(app)
    answer(app.test_client(), links["leaders"], LEADER)
    staff = [answer(app.test_client(), links["staff"], {**STAFF, "recognised": r}) for r in (1, 5)]
    page = client.get(f"/c/{token}").get_data(as_text=True)
    client.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})
    facilitator = app.test_client()
    login(facilitator, "owner@agency.eu")
    base = f"/facilitator/cohorts/{cohort.code}"
    [row] = facilitator.get(f"{base}/export.json").get_json()["responses"]
    coordinating = store.get_response(db, token).id
    assert row["response"] == coordinating and row["organisation"] == "Cohort school"
    assert row["overall_score"] == pytest.approx(store.load_scores(db, coordinating)[store.OVERALL]["score"])
    participation = {k: v for k, v in row.items() if k.endswith(("_submitted", "_needed"))}
    assert participation == {
        "leaders_submitted": 1, "leaders_needed": 1, "staff_submitted": 2, "staff_needed": 2,
        "company_submitted": 0, "company_needed": 2, "learners_submitted": 0, "learners_needed": 5,
    }  # fmt: skip
    answers = list(csv.DictReader(io.StringIO(facilitator.get(f"{base}/answers.csv").get_data().decode("utf-8-sig"))))
    assert [(a["response"], a["role"], a["question"]) for a in answers] == [(str(coordinating), "coordinator", "size")]
    assert not any(str(store.get_response(db, t).id) in {a["response"] for a in answers} for t in staff)
    # The command line writes the same bytes.
    monkeypatch.setenv("SELFASSESS_QUESTIONNAIRES", app.config["SELFASSESS_QUESTIONNAIRES"])
    path = app.config["SELFASSESS_DATABASE"]
    for args, name in (([], "export"), (["--answers"], "answers")):
        cli = run_cli("export", "--cohort", cohort.code, *args, "--lang", "en", "--db", path)
        web = facilitator.get(f"{base}/{name}.csv", headers={"Accept-Language": "en"})
        assert cli.stdout_bytes == web.get_data()


def test_report_json_describes_the_groups_and_never_one_respondent(app):
    client = app.test_client()
    token = start_round(client)
    assert client.get(f"/c/{token}/report.json").status_code == 409  # open: no report yet
    client, token, links, learner = run_round(app)
    data = client.get(f"/c/{token}/report.json").get_json()
    groups = data["result"]["groups"]
    assert {role: (g["respondents"], g["needed"], g["reached"]) for role, g in groups.items()} == {
        "leaders": (1, 1, True), "staff": (2, 2, True), "company": (2, 2, True), "learners": (1, 5, False),
    }  # fmt: skip
    assert "dimensions" not in groups["learners"]  # below its minimum: how many, nothing else
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    stored = rounds.report(store.round_by_id(db, store.get_response(db, token).round_id)).result
    staff = groups["staff"]["dimensions"]["strategy"]
    assert staff["mean"] == pytest.approx(stored.groups["staff"].dimensions["strategy"].mean)
    assert staff["spread"] is None  # two scores: too few for a spread that is not theirs
    assert data["result"]["overall"]["score"] == pytest.approx(stored.score)
    text = json.dumps(data)
    assert LEARNER_TEXT not in text and COMPANY_TEXT not in text and learner not in text
    assert not any(link.split("/")[-1] in text for link in links.values())
    for own in ("report.json", "report.csv"):  # a respondent has no report of their own
        assert app.test_client().get(f"/r/{learner}/{own}").status_code == 404


def test_the_api_says_a_respondents_role(app):
    client = app.test_client()
    token = start_round(client)
    links = role_links(client, token)
    respondent = app.test_client()
    page = respondent.get(links["staff"]).get_data(as_text=True)
    draft = respondent.post(links["staff"], data={"csrf_token": csrf_token(page)}).headers["Location"].split("/")[2]
    assert respondent.get(f"/api/responses/{draft}").get_json()["role"] == "staff"
    assert client.get(f"/api/responses/{token}").get_json()["role"] == "coordinator"
