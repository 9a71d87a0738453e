"""In real Chromium: follow the links that e-mails bring (resume, invitation, password reset); axe on the new pages."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from selfassess import accounts, cohorts, store
from selfassess.web import create_app
from tests.browser import axe_violations, live_server
from tests.smtp import parts, smtp_server

pytestmark = pytest.mark.browser
PASSWORD = "a long password"


@pytest.fixture
def inbox():
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(database, inbox):
    return create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
            "SELFASSESS_SMTP_URL": inbox.url,
        }
    )


@pytest.fixture
def server(mail_app):
    with live_server(mail_app) as url:
        # Links in e-mails are built from the base URL: the live server's, known only now.
        mail_app.config["SELFASSESS_BASE_URL"] = url
        yield url


def link_in(message, server: str) -> str:
    text, html = parts(message)
    found = re.search(re.escape(server) + r"/\S+", text)
    assert found, text
    assert f'href="{found.group(0)}"' in html
    return found.group(0)


def test_the_resume_link_by_e_mail_resumes_the_draft(server, inbox, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/?lang=da")
    with page.expect_navigation():
        page.locator("form[action='/start/go-international'] button[type=submit]").first.click()
    page.fill("#organisation", "Aarhus Tech")
    with page.expect_navigation():
        page.click("button[value=save]")
    assert page.url.endswith("/saved")
    assert axe_violations(page) == []
    # The copy button: shown by its script, announced in the status region.
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("button[data-copy]")
    expect(page.locator(".copy-status")).to_have_text(re.compile("kopieret"))
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#resume-link")
    # A wrong address: the error is tied to the field.
    page.fill("#email", "not an address")
    with page.expect_navigation():
        page.click("text=Send linket")
    assert page.get_attribute("#email", "aria-invalid") == "true"
    assert "email-error" in (page.get_attribute("#email", "aria-describedby") or "")
    assert axe_violations(page) == []
    page.fill("#email", "me@aarhustech.dk")
    with page.expect_navigation():
        page.click("text=Send linket")
    assert "me@aarhustech.dk" in page.inner_text("[role=status].notice")
    assert axe_violations(page) == []
    (message,) = inbox.wait(1)
    assert message["To"] == "me@aarhustech.dk" and message["Subject"].startswith("Dit link")
    link = link_in(message, server)
    assert link == page.input_value("#resume-link")

    elsewhere = browser.new_context().new_page()
    elsewhere.goto(link)
    assert re.search(r"/r/[^/]+/page/1$", elsewhere.url)
    assert elsewhere.input_value("#organisation") == "Aarhus Tech"
    context.close()


def test_the_invitation_by_e_mail_starts_an_assessment_in_the_cohort(mail_app, server, inbox, browser):
    db = store.connect(mail_app.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "lead@agency.eu", PASSWORD)
    cohort = cohorts.create(db, owner.id, "go-international", "Spring seminar")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/facilitator/login")
    page.fill("#email", "lead@agency.eu")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{server}/facilitator/cohorts/{cohort.code}")
    with page.expect_navigation():
        page.click("text=Send the invitation or a reminder by e-mail")
    assert axe_violations(page) == []
    page.fill("#addresses", "one@school.eu\ntwo@school.eu, nonsense")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "Sent to 2 addresses." in page.inner_text("#sent-summary")
    assert "nonsense" in page.inner_text("table")
    assert axe_violations(page) == []
    messages = inbox.wait(2)
    assert sorted(m["To"] for m in messages) == ["one@school.eu", "two@school.eu"]
    link = link_in(messages[0], server)

    provider = browser.new_context().new_page()
    provider.goto(link)
    with provider.expect_navigation():
        provider.locator("main button[type=submit]").first.click()
    found = re.search(r"/r/([^/]+)/page/1$", provider.url)
    assert found
    assert store.get_response(db, found.group(1)).cohort_id == cohort.id
    context.close()


def test_the_reset_link_sets_a_new_password_once(mail_app, server, inbox, browser):
    db = store.connect(mail_app.config["SELFASSESS_DATABASE"])
    accounts.add(db, "lead@agency.eu", PASSWORD)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/facilitator/login")
    with page.expect_navigation():
        page.click("text=Forgot your password?")
    assert axe_violations(page) == []
    page.fill("#email", "lead@agency.eu")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "If an account exists for that address" in page.inner_text("main")
    assert axe_violations(page) == []
    (message,) = inbox.wait(1)
    link = link_in(message, server)

    page.goto(link)
    assert axe_violations(page) == []
    page.fill("#password", "a brand new password")
    page.fill("#password2", "a different password")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.get_attribute("#password2", "aria-invalid") == "true"
    assert axe_violations(page) == []
    page.fill("#password", "a brand new password")
    page.fill("#password2", "a brand new password")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "Your password is changed" in page.inner_text("h1")
    assert axe_violations(page) == []

    def log_in(password: str) -> str:
        page.goto(f"{server}/facilitator/login")
        page.fill("#email", "lead@agency.eu")
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        return page.url

    assert "/facilitator/login" in log_in(PASSWORD)  # the old password stopped working
    assert log_in("a brand new password").endswith("/facilitator/")
    again = page.goto(link)
    assert again is not None and again.status == 410  # a second use is refused
    assert "This link no longer works" in page.inner_text("h1")
    assert axe_violations(page) == []

    started = accounts.start_reset(db, "lead@agency.eu", now=time.time() - accounts.RESET_MINUTES * 60 - 5)
    assert started is not None
    expired = page.goto(f"{server}/facilitator/reset/{started[1]}")
    assert expired is not None and expired.status == 410
    context.close()
