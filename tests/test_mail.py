"""E-mail through SMTP: the resume link, cohort invitations and reminders, password resets; off without a URL."""

from __future__ import annotations

import re
import time

import pytest

from selfassess import accounts, cohorts, mail, store
from selfassess.web import create_app
from tests.conftest import Respondent, csrf_token, stored_bytes
from tests.smtp import REFUSED, smtp_server
from tests.smtp import parts as mail_parts

BASE = "https://selfassess.example.org"
PASSWORD = "a long password"


@pytest.fixture
def inbox():
    with smtp_server() as server:
        yield server


def make_app(database: str, **config: object):
    return create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
            **config,
        }
    )


@pytest.fixture
def mail_app(database, inbox):
    return make_app(database, SELFASSESS_SMTP_URL=inbox.url, SELFASSESS_BASE_URL=BASE)


def link_in(text: str) -> str:
    found = re.search(re.escape(BASE) + r"/\S+", text)
    assert found, f"no link on {BASE} in:\n{text}"
    return found.group(0)


def login(client, email: str, password: str = PASSWORD):
    html = client.get("/facilitator/login").get_data(as_text=True)
    return client.post(
        "/facilitator/login", data={"csrf_token": csrf_token(html), "email": email, "password": password}
    )


# -- the SMTP URL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://127.0.0.1:8025", mail.Server("127.0.0.1", 8025)),
        ("smtp://mail.example.org", mail.Server("mail.example.org", 25)),
        (
            "smtp://user%40x:p%3Ass@mail.example.org:587?starttls=1",
            mail.Server("mail.example.org", 587, starttls=True, user="user@x", password="p:ss"),
        ),
        (
            "smtp://u:p@mail.example.org?starttls=yes",
            mail.Server("mail.example.org", 587, starttls=True, user="u", password="p"),
        ),
        ("smtps://u:p@mail.example.org", mail.Server("mail.example.org", 465, tls=True, user="u", password="p")),
    ],
)
def test_smtp_urls_are_read(url, server):
    assert mail.parse_url(url) == server


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mail.example.org", "does not start with smtp://"),
        ("http://mail.example.org", "does not start with smtp://"),
        ("smtp://", "names no mail server"),
        ("smtp://mail.example.org:port", "port that is not a number"),
        ("smtp://mail.example.org?tls=1", "options this app does not know (tls"),
        ("smtps://mail.example.org?starttls=1", "both smtps and starttls"),
    ],
)
def test_a_wrong_smtp_url_stops_the_start_with_what_to_write(tmp_path, url, words):
    with pytest.raises(mail.MailSettingError) as caught:
        make_app(str(tmp_path / "mail.db"), SELFASSESS_SMTP_URL=url)
    message = str(caught.value)
    assert "SELFASSESS_SMTP_URL" in message and words in message and "write it like smtp://" in message


def test_the_password_stays_out_of_the_message():
    with pytest.raises(mail.MailSettingError) as caught:
        mail.parse_url("smtp://user:secret@mail.example.org:99999")
    assert "secret" not in str(caught.value)


# -- without SMTP ---------------------------------------------------------------------------


def test_without_smtp_no_form_shows_and_the_routes_answer_404(app):
    client = app.test_client()
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", PASSWORD)
    cohort = cohorts.create(db, owner.id, "go-international", "Seminar")
    respondent = Respondent(client)
    saved = respondent.get("/saved").get_data(as_text=True)
    assert 'id="resume-link"' in saved and "data-copy=" in saved  # the link and its copy button stay
    assert 'name="email"' not in saved
    page = respondent.get("/page/1").get_data(as_text=True)
    assert client.post(f"/r/{respondent.token}/saved", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert "Forgot your password?" not in client.get("/facilitator/login").get_data(as_text=True)
    assert client.get("/facilitator/forgot").status_code == 404
    assert client.get("/facilitator/reset/anything").status_code == 404
    login(client, "owner@agency.eu")
    dashboard = client.get(f"/facilitator/cohorts/{cohort.code}").get_data(as_text=True)
    assert "/invitations" not in dashboard
    assert client.get(f"/facilitator/cohorts/{cohort.code}/invitations").status_code == 404


# -- "send me my link" ----------------------------------------------------------------------


def test_the_resume_link_is_sent_in_the_response_language(mail_app, inbox):
    client = mail_app.test_client()
    respondent = Respondent(client, lang="nb")
    saved = respondent.get("/saved").get_data(as_text=True)
    assert 'name="email"' in saved
    sent = client.post(
        f"/r/{respondent.token}/saved", data={"csrf_token": csrf_token(saved), "email": " provider@school.no "}
    )
    assert sent.status_code == 200
    assert "provider@school.no" in sent.get_data(as_text=True)
    (message,) = inbox.wait(1)
    assert message["To"] == "provider@school.no"
    assert message["From"] == "selfassess@selfassess.example.org"
    assert message["Subject"].startswith("Lenken din")
    text, html = mail_parts(message)
    assert link_in(text) == f"{BASE}/r/{respondent.token}"
    assert f'href="{BASE}/r/{respondent.token}"' in html and 'lang="nb"' in html
    assert "Alle som har lenken" in text and "Lenken din" in html
    # The address is used for this e-mail only.
    db = stored_bytes(mail_app.config["SELFASSESS_DATABASE"])
    assert b"provider@school.no" not in db


@pytest.mark.parametrize(("email", "words"), [("", "Enter the e-mail address"), ("not an address", "Write it like")])
def test_a_wrong_address_is_shown_at_its_field(mail_app, inbox, email, words):
    client = mail_app.test_client()
    respondent = Respondent(client)
    saved = respondent.get("/saved").get_data(as_text=True)
    answer = client.post(f"/r/{respondent.token}/saved", data={"csrf_token": csrf_token(saved), "email": email})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and words in html
    assert 'aria-describedby="email-hint email-error"' in html and 'id="email-error"' in html
    assert inbox.messages == []


def test_the_send_link_form_cannot_fill_an_inbox(database, inbox):
    limited = make_app(database, SELFASSESS_SMTP_URL=inbox.url)
    client = limited.test_client()
    respondent = Respondent(client)
    saved = respondent.get("/saved").get_data(as_text=True)
    codes = [
        client.post(
            f"/r/{respondent.token}/saved", data={"csrf_token": csrf_token(saved), "email": "x@example.org"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # three e-mails of one draft's link an hour
    assert len(inbox.wait(3)) == 3


# -- invitations and reminders --------------------------------------------------------------


@pytest.fixture
def cohort_world(mail_app):
    db = store.connect(mail_app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", PASSWORD)
    accounts.add(db, "other@agency.eu", PASSWORD)
    return cohorts.create(db, owner.id, "go-international", "Mobility seminar", "Spring round")


def test_invitations_go_to_each_pasted_address_and_refusals_say_why(mail_app, inbox, cohort_world, caplog):
    client = mail_app.test_client()
    login(client, "owner@agency.eu")
    dashboard = client.get(f"/facilitator/cohorts/{cohort_world.code}").get_data(as_text=True)
    url = f"/facilitator/cohorts/{cohort_world.code}/invitations"
    assert url in dashboard
    form = client.get(url).get_data(as_text=True)
    pasted = "a@school.dk, Bee Person <b@school.dk>\nnot-an-address\n\na@school.dk; " + REFUSED + "school.dk"
    answer = client.post(
        url, data={"csrf_token": csrf_token(form), "kind": "invitation", "lang": "da", "addresses": pasted}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Sent to 2 addresses." in html
    assert "not-an-address" in html and "This is not an e-mail address." in html
    assert f"{REFUSED}school.dk" in html and "The mail server refused it (550" in html
    messages = inbox.wait(2)
    assert sorted(m["To"] for m in messages) == ["a@school.dk", "b@school.dk"]
    for message in messages:
        assert message["Subject"].startswith("Invitation: selvevalueringen “")
        assert message["Subject"].endswith("” med Mobility seminar")
        text, html_part = mail_parts(message)
        assert link_in(text) == f"{BASE}/join/{cohort_world.code}"
        assert "Spring round" in text and 'lang="da"' in html_part
    # Addresses are never logged.
    assert not any("school.dk" in record.getMessage() for record in caplog.records)


def test_reminders_have_their_own_wording(mail_app, inbox, cohort_world):
    client = mail_app.test_client()
    login(client, "owner@agency.eu")
    url = f"/facilitator/cohorts/{cohort_world.code}/invitations"
    form = client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": csrf_token(form), "kind": "reminder", "lang": "en", "addresses": "c@x.org"})
    (message,) = inbox.wait(1)
    assert message["Subject"].startswith("Reminder:")
    text, _ = mail_parts(message)
    assert "has not finished yet" in text and link_in(text) == f"{BASE}/join/{cohort_world.code}"


@pytest.mark.parametrize(
    ("addresses", "words"),
    [("", "Paste at least one e-mail address"), (",".join(f"p{i}@x.org" for i in range(501)), "at most 500")],
)
def test_an_empty_or_too_long_paste_is_refused_at_its_field(mail_app, inbox, cohort_world, addresses, words):
    client = mail_app.test_client()
    login(client, "owner@agency.eu")
    url = f"/facilitator/cohorts/{cohort_world.code}/invitations"
    form = client.get(url).get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": csrf_token(form), "kind": "invitation", "addresses": addresses})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and words in html and 'aria-describedby="addresses-help addresses-error"' in html
    assert inbox.messages == []


def test_only_the_cohorts_facilitators_may_send(mail_app, inbox, cohort_world):
    url = f"/facilitator/cohorts/{cohort_world.code}/invitations"
    assert mail_app.test_client().get(url).status_code == 302  # to the login
    client = mail_app.test_client()
    login(client, "other@agency.eu")
    assert client.get(url).status_code == 404


def test_an_unreachable_server_is_reported_per_address(database):
    from tests.smtp import free_port

    app = make_app(database, SELFASSESS_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", PASSWORD)
    cohort = cohorts.create(db, owner.id, "go-international", "Seminar")
    client = app.test_client()
    login(client, "owner@agency.eu")
    url = f"/facilitator/cohorts/{cohort.code}/invitations"
    form = client.get(url).get_data(as_text=True)
    html = client.post(url, data={"csrf_token": csrf_token(form), "addresses": "a@x.org"}).get_data(as_text=True)
    assert "Sent to 0 addresses." in html and "the mail server could not be reached" in html


# -- password reset -------------------------------------------------------------------------


def ask_for_reset(client, email: str):
    form = client.get("/facilitator/forgot").get_data(as_text=True)
    return client.post("/facilitator/forgot", data={"csrf_token": csrf_token(form), "email": email})


def test_password_reset_by_e_mail(mail_app, inbox, cohort_world):
    client = mail_app.test_client()
    assert "Forgot your password?" in client.get("/facilitator/login").get_data(as_text=True)
    other = mail_app.test_client()
    assert login(other, "owner@agency.eu").status_code == 302  # a session elsewhere, ended below
    unknown = ask_for_reset(client, "nobody@agency.eu").get_data(as_text=True)
    known = ask_for_reset(client, "Owner@Agency.eu").get_data(as_text=True)
    assert "If an account exists for that address" in known
    assert unknown == known  # the page tells nobody who has an account
    (message,) = inbox.wait(1)
    time.sleep(0.2)
    assert len(inbox.messages) == 1 and message["To"] == "owner@agency.eu"
    text, html = mail_parts(message)
    link = link_in(text)
    assert link in html and "60 minutes" in text
    path = link.removeprefix(BASE)
    token = path.rsplit("/", 1)[1]
    db_bytes = stored_bytes(mail_app.config["SELFASSESS_DATABASE"])
    assert token.encode() not in db_bytes  # only its hash is kept

    page = client.get(path).get_data(as_text=True)
    short = client.post(path, data={"csrf_token": csrf_token(page), "password": "short", "password2": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    differ = client.post(path, data={"csrf_token": csrf_token(page), "password": "x" * 12, "password2": "y" * 12})
    assert differ.status_code == 400 and "The two passwords differ." in differ.get_data(as_text=True)
    done = client.post(
        path,
        data={"csrf_token": csrf_token(page), "password": "a new long password", "password2": "a new long password"},
    )
    assert done.status_code == 200 and "Your password is changed" in done.get_data(as_text=True)

    assert other.get("/facilitator/").status_code == 302  # every session of the account ended
    assert login(client, "owner@agency.eu").status_code == 401  # the old password no longer works
    assert login(client, "owner@agency.eu", "a new long password").status_code == 302
    assert mail_app.test_client().get(path).status_code == 410  # spent


def test_an_expired_reset_link_is_refused(mail_app, cohort_world):
    db = store.connect(mail_app.config["SELFASSESS_DATABASE"])
    started = accounts.start_reset(db, "owner@agency.eu", now=time.time() - accounts.RESET_MINUTES * 60 - 1)
    assert started is not None
    answer = mail_app.test_client().get(f"/facilitator/reset/{started[1]}")
    assert answer.status_code == 410 and "Ask for a new one." in answer.get_data(as_text=True)
    assert accounts.finish_reset(db, started[1], "a new long password") is None
    assert accounts.log_in(db, "owner@agency.eu", PASSWORD, "test") is not None


def test_a_deleted_account_takes_its_reset_links_along(mail_app, cohort_world):
    db = store.connect(mail_app.config["SELFASSESS_DATABASE"])
    started = accounts.start_reset(db, "other@agency.eu")
    assert started is not None
    accounts.remove(db, "other@agency.eu")
    assert accounts.reset_account(db, started[1]) is None
