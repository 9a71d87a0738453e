"""Facilitators: login, cohorts, invite links, dashboard, exports, and who may open what."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC

import pytest

from selfassess import accounts, cohorts, store
from selfassess.bank.synthetic import random_answers
from tests.conftest import Respondent, csrf_token
from tests.test_take_flow import answer_all


def login(client, email, password="a long password"):
    html = client.get("/facilitator/login").get_data(as_text=True)
    return client.post(
        "/facilitator/login", data={"csrf_token": csrf_token(html), "email": email, "password": password}
    )


@pytest.fixture
def world(app):
    """Three facilitators, a cohort with two submitted providers, and a provider outside it."""
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    co = accounts.add(db, "co@agency.eu", "a long password")
    accounts.add(db, "other@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, "go-international", "Mobility seminar 2026")
    cohorts.add_facilitator(db, cohort, co.id)
    bank = app.extensions["selfassess_catalog"].get("go-international")
    tokens = {}
    for name, seed in (("A", 1), ("C", 3)):
        client = app.test_client()
        page = client.get(f"/join/{cohort.code}").get_data(as_text=True)
        started = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(page), "lang": "en"})
        respondent = Respondent.__new__(Respondent)
        respondent.client, respondent.token = client, started.headers["Location"].split("/")[2]
        answer_all(respondent, bank, random_answers(bank, random.Random(seed), 0.5))
        respondent.submit()
        tokens[name] = respondent.token
    outsider = Respondent(app.test_client())
    answer_all(outsider, bank, random_answers(bank, random.Random(2), 0.5))
    outsider.submit()
    tokens["B"] = outsider.token
    db.conn.close()
    return {"cohort": cohort, "tokens": tokens}


def test_login_logout_and_wrong_password(app, world):
    client = app.test_client()
    assert client.get("/facilitator/").headers["Location"].startswith("/facilitator/login")
    wrong = login(client, "owner@agency.eu", "not the password")
    assert wrong.status_code == 401 and "The e-mail address or the password is wrong." in wrong.get_data(as_text=True)
    ok = login(client, "owner@agency.eu")
    assert ok.status_code == 302
    assert "Mobility seminar 2026" in client.get("/facilitator/").get_data(as_text=True)
    page = client.get("/facilitator/").get_data(as_text=True)
    client.post("/facilitator/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/facilitator/").status_code == 302


def test_repeated_failures_answer_429(app, world):
    client = app.test_client()
    for _ in range(accounts.FREE_FAILURES):
        login(client, "owner@agency.eu", "wrong")
    response = login(client, "owner@agency.eu")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_dashboard_shows_the_cohort(app, world):
    client = app.test_client()
    login(client, "owner@agency.eu")
    html = client.get(f"/facilitator/cohorts/{world['cohort'].code}").get_data(as_text=True)
    assert "2 started, 2 submitted." in html
    assert f"/join/{world['cohort'].code}" in html
    assert html.count('class="level-') >= 20  # 2 providers x 10 cells, level written in each
    assert "appear once at least 5 providers have submitted: 3 more to go." in html


def test_closed_cohort_accepts_no_new_starts(app, world):
    code = world["cohort"].code
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    cohorts.set_open(db, cohorts.by_code(db, code), False)
    db.conn.close()
    response = app.test_client().get(f"/join/{code}")
    assert response.status_code == 403
    assert "is closed and accepts no new assessments" in response.get_data(as_text=True)


def test_exports_match_the_database(app, world):
    client = app.test_client()
    login(client, "co@agency.eu")
    code = world["cohort"].code
    body = client.get(f"/facilitator/cohorts/{code}/export.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    ids = {name: store.get_response(db, world["tokens"][name]).id for name in ("A", "C")}
    # Stable response ids, never the tokens that would let a facilitator write to a draft.
    assert {r["response"] for r in rows} == {str(ids["A"]), str(ids["C"])}
    assert not any(token in body.decode("utf-8-sig") for token in world["tokens"].values())
    data = client.get(f"/facilitator/cohorts/{code}/export.json").get_json()
    for row in data["responses"]:
        response = store.get_response_by_id(db, row["response"])
        scores = store.load_scores(db, response.id)
        assert row["overall_score"] == scores[""]["score"]
        assert row["strategy_level"] == scores["strategy"]["level"]
    answers = client.get(f"/facilitator/cohorts/{code}/answers.json").get_json()["answers"]
    stored = db.conn.execute(
        "SELECT COUNT(*) FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.cohort_id = ?",
        [world["cohort"].id],
    ).fetchone()[0]
    assert len(answers) == stored
    first = answers[0]
    value = db.conn.execute(
        "SELECT a.value FROM answers a WHERE a.response_id = ? AND a.question_id = ?",
        [first["response"], first["question"]],
    ).fetchone()[0]
    assert json.loads(value) == first["answer"]


# --- the authorisation matrix, generated from the URL map -----------------------------------

ACTORS = ("anonymous", "provider_a", "provider_b", "owner", "co", "other")
LOGINS = {"owner": "owner@agency.eu", "co": "co@agency.eu", "other": "other@agency.eu"}
OPEN = dict.fromkeys(ACTORS, 200)
FACILITATOR_ONLY = {"anonymous": 302, "provider_a": 302, "provider_b": 302, "owner": 200, "co": 200, "other": 200}
COHORT_ONLY = {"anonymous": 302, "provider_a": 302, "provider_b": 302, "owner": 200, "co": 200, "other": 404}

# endpoint -> (method, expected status per actor). A new route without a line here fails the test.
RULES: dict[str, tuple[str, dict[str, int]]] = {
    "static": ("GET", OPEN),
    "respond.home": ("GET", OPEN),
    "respond.start": ("POST", dict.fromkeys(ACTORS, 302)),
    "respond.resume": ("GET", dict.fromkeys(ACTORS, 302)),
    "respond.page": ("GET", dict.fromkeys(ACTORS, 409)),  # the token's response is submitted
    "respond.save_page": ("POST", dict.fromkeys(ACTORS, 409)),
    "respond.saved": ("GET", OPEN),
    "respond.review": ("GET", dict.fromkeys(ACTORS, 409)),
    "respond.submit": ("POST", dict.fromkeys(ACTORS, 409)),
    "respond.copy": ("POST", dict.fromkeys(ACTORS, 302)),
    "report.report": ("GET", OPEN),
    "report.report_json": ("GET", OPEN),
    "report.report_csv": ("GET", OPEN),
    "api.response_json": ("GET", OPEN),
    "join.join": ("GET", OPEN),
    "facilitate.login": ("GET", OPEN),
    "facilitate.logout": ("POST", dict.fromkeys(ACTORS, 302)),
    "facilitate.cohort_list": ("GET", FACILITATOR_ONLY),
    "facilitate.cohort_create": ("POST", {**FACILITATOR_ONLY, "owner": 302, "co": 302, "other": 302}),
    "facilitate.dashboard": ("GET", COHORT_ONLY),
    "facilitate.cohort_vetting": ("POST", {**COHORT_ONLY, "owner": 302, "co": 302}),
    "facilitate.cohort_approve": ("POST", {**COHORT_ONLY, "owner": 404, "co": 404}),  # no "response" in the form
    "facilitate.cohort_settings": ("POST", {**COHORT_ONLY, "owner": 302, "co": 302}),
    # Only the cohort's owner shares it or stops sharing it.
    "facilitate.cohort_add_facilitator": ("POST", {**COHORT_ONLY, "owner": 302, "co": 403}),
    "facilitate.cohort_remove_facilitator": ("POST", {**COHORT_ONLY, "owner": 302, "co": 403}),
    "facilitate.provider_report": ("GET", COHORT_ONLY),
    "facilitate.export": ("GET", COHORT_ONLY),
    "facilitate.export_workbook": ("GET", COHORT_ONLY),
    "facilitate.export_answers": ("GET", COHORT_ONLY),
    # E-mail is off here (no SELFASSESS_SMTP_URL), so its routes are not there for anyone;
    # tests/test_mail.py checks them with it on.
    "respond.send_link": ("POST", dict.fromkeys(ACTORS, 404)),
    "facilitate.cohort_invitations": ("GET", dict.fromkeys(ACTORS, 404)),
    "passwords.forgot": ("GET", dict.fromkeys(ACTORS, 404)),
    "passwords.reset": ("GET", dict.fromkeys(ACTORS, 404)),
    # Rounds of banks with roles: the token of an ordinary response opens no round, and an
    # invitation is a token of its own (tests/test_coordinate.py checks them with rounds).
    "coordinate.round_page": ("GET", dict.fromkeys(ACTORS, 404)),
    "coordinate.respond_as": ("POST", dict.fromkeys(ACTORS, 404)),
    "coordinate.close": ("POST", dict.fromkeys(ACTORS, 404)),
    "coordinate.start_again": ("POST", dict.fromkeys(ACTORS, 404)),
    "coordinate.report": ("GET", dict.fromkeys(ACTORS, 404)),
    "coordinate.report_json": ("GET", dict.fromkeys(ACTORS, 404)),
    "coordinate.invitation": ("GET", dict.fromkeys(ACTORS, 404)),
    "coordinate.join": ("POST", dict.fromkeys(ACTORS, 404)),
    "coordinate.thanks": ("GET", dict.fromkeys(ACTORS, 404)),
}


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(RULES), (
        f"routes without a rule: {endpoints - set(RULES)}; stale rules: {set(RULES) - endpoints}"
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_authorisation_matrix(app, world, actor):
    client = app.test_client()
    if actor in LOGINS:
        assert login(client, LOGINS[actor]).status_code == 302
    token = world["tokens"]["B" if actor == "provider_b" else "A"]
    response_id = store.get_response(store.connect(app.config["SELFASSESS_DATABASE"]), token).id
    values = {
        "token": token,
        "response_id": response_id,
        "code": world["cohort"].code,
        "number": 2,
        "fmt": "csv",
        "bank_id": "go-international",
        "filename": "style.css",
        "invitation": token,
    }
    failures = []
    with app.test_request_context():
        from flask import url_for

        # Logging out ends the session the other rows need: check it last.
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "facilitate.logout"):
            method, expected = RULES[rule.endpoint]
            url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            token_html = client.get("/facilitator/login").get_data(as_text=True)
            data = {
                "csrf_token": csrf_token(token_html),
                "name": "X",
                "bank": "go-international",
                "email": "co@agency.eu",
                "open": "1",
                "lang": "en",
            }
            response = client.post(url, data=data) if method == "POST" else client.get(url)
            if response.status_code != expected[actor]:
                failures.append(f"{method} {url} as {actor}: {response.status_code}, expected {expected[actor]}")
    assert not failures, "\n".join(failures)


def test_facilitator_sees_only_cohort_members(app, world):
    client = app.test_client()
    login(client, "owner@agency.eu")
    code = world["cohort"].code
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    inside, outside = (store.get_response(db, world["tokens"][name]).id for name in ("A", "B"))
    page = client.get(f"/facilitator/cohorts/{code}/responses/{inside}")
    assert page.status_code == 200
    # The facilitator's view of a report carries no link with the provider's token.
    assert world["tokens"]["A"] not in page.get_data(as_text=True)
    assert client.get(f"/facilitator/cohorts/{code}/responses/{outside}").status_code == 404


def test_cli_export_equals_the_web_export(app, world, run_cli):
    code = world["cohort"].code
    path = app.config["SELFASSESS_DATABASE"]
    cli_csv = run_cli("export", "--cohort", code, "--format", "csv", "--db", path)
    assert cli_csv.exit_code == 0, cli_csv.output
    client = app.test_client()
    login(client, "owner@agency.eu")
    assert cli_csv.stdout_bytes == client.get(f"/facilitator/cohorts/{code}/export.csv").get_data()
    cli_json = run_cli("export", "--cohort", code, "--format", "json", "--answers", "--db", path)
    assert json.loads(cli_json.stdout) == client.get(f"/facilitator/cohorts/{code}/answers.json").get_json()
    missing = run_cli("export", "--cohort", "nope", "--db", path)
    assert missing.exit_code == 1 and "there is no cohort with code 'nope'" in missing.output


def test_provider_may_compare_with_its_cohort(app, world):
    client = app.test_client()
    token = world["tokens"]["A"]
    peers = client.get(f"/r/{token}/report.json?peers=cohort").get_json()["peers"]
    # A small open cohort: too few peers for private figures, and nothing about its size.
    assert peers["group"] == "cohort" and peers["overall"] is None and peers["peers"] is None
    assert "Your cohort: Mobility seminar 2026" in client.get(f"/r/{token}/report").get_data(as_text=True)
    outsider = client.get(f"/r/{world['tokens']['B']}/report.json?peers=cohort")
    assert outsider.status_code == 400


def test_exact_cohort_figures_for_vetted_groups():
    import statistics as st

    from selfassess.peers import exact_release

    values = {"": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]}
    figures = exact_release(values, 5)
    assert figures["axes"][""]["median"] == round(st.median(values[""]))
    assert (figures["axes"][""]["p25"], figures["axes"][""]["p75"]) == tuple(
        round(q) for q in st.quantiles(values[""], n=4, method="inclusive")[::2]
    )
    assert figures["band"] == [5, 9]
    assert exact_release({"": [1.0, 2.0, 3.0, 4.0]}, 5)["band"] is None  # fewer than five: nothing


def test_login_session_ends_when_idle(app, world):
    from datetime import datetime, timedelta
    from email.utils import parsedate_to_datetime

    client = app.test_client()
    response = login(client, "owner@agency.eu")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    idle = timedelta(minutes=app.config["SELFASSESS_LOGIN_IDLE_MINUTES"])
    assert abs(expires - (datetime.now(UTC) + idle)) < timedelta(minutes=5)
