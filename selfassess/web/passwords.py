"""Facilitators who forgot their password: a single-use link by e-mail, then a new password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, session

from selfassess import accounts
from selfassess.web import mailing
from selfassess.web.db import get_db
from selfassess.web.i18n import _, current_language
from selfassess.web.links import external_url

bp = Blueprint("passwords", __name__, url_prefix="/facilitator")


@bp.route("/forgot", methods=["GET", "POST"])
@mailing.required
def forgot() -> Any:
    if request.method == "GET":
        return render_template("passwords/forgot.html")
    email = request.form.get("email", "").strip()
    problem = mailing.address_problem(email) if email else _("Enter the e-mail address you log in with.")
    if problem:
        return render_template("passwords/forgot.html", error=problem, email=email), 400
    started = accounts.start_reset(get_db(), email)
    if started is not None:
        account, token = started
        link = external_url("passwords.reset", token=token)
        with mailing.language(current_language()):
            subject = _("Set a new selfassess password")
            message = mailing.compose(
                "reset", account.email, subject, link=link, email=account.email, minutes=accounts.RESET_MINUTES
            )
        mailing.deliver_later([message])
    # The same answer whether or not the account exists: the form tells nobody who has one.
    return render_template("passwords/sent.html", minutes=accounts.RESET_MINUTES)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@mailing.required
def reset(token: str) -> Any:
    db = get_db()
    holder = accounts.reset_account(db, token)
    if holder is None:
        return render_template("passwords/expired.html", minutes=accounts.RESET_MINUTES), 410
    if request.method == "GET":
        return render_template(
            "passwords/reset.html", errors={}, email=holder.email, min_password=accounts.MIN_PASSWORD
        )
    password = request.form.get("password", "")
    errors = {}
    if len(password) < accounts.MIN_PASSWORD:
        errors["password"] = _("Choose a password of at least %(min)d characters.", min=accounts.MIN_PASSWORD)
    elif len(password) > accounts.MAX_PASSWORD:
        errors["password"] = _("Choose a password of at most %(max)d characters.", max=accounts.MAX_PASSWORD)
    elif request.form.get("password2", "") != password:
        errors["password2"] = _("The two passwords differ. Type the same new password twice.")
    if errors:
        return render_template(
            "passwords/reset.html", errors=errors, email=holder.email, min_password=accounts.MIN_PASSWORD
        ), 400
    account = accounts.finish_reset(db, token, password)
    if account is None:  # spent by another request in the meantime
        return render_template("passwords/expired.html", minutes=accounts.RESET_MINUTES), 410
    session.clear()  # whoever was logged in on this browser logs in again, with the new password
    return render_template("passwords/done.html", email=account.email)


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
