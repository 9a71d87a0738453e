"""Facilitators: log in, run cohorts with invite links, follow and compare providers, export."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session, url_for
from markupsafe import Markup, escape

from selfassess import accounts, assessments, cohorts, exports, reports, rounds, store
from selfassess.bank.catalog import estimated_minutes
from selfassess.bank.model import Questionnaire
from selfassess.web import charts, mailing
from selfassess.web.banks import catalog, ui_language
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _, current_language
from selfassess.web.links import external_url
from selfassess.web.reportpage import render_report

bp = Blueprint("facilitate", __name__, url_prefix="/facilitator")
join_bp = Blueprint("join", __name__)


def current_facilitator() -> accounts.Facilitator | None:
    """The logged-in facilitator; a session whose account logged out, changed password or timed out is none."""
    if "facilitator" in g:
        return g.facilitator  # type: ignore[no-any-return]
    found = None
    if "facilitator_id" in session:
        found = accounts.get(get_db(), int(session["facilitator_id"]))
        max_age = current_app.config["SELFASSESS_LOGIN_HOURS"] * 3600
        if (
            found is None
            or session.get("session_version") != found.session_version
            or time.time() - float(session.get("logged_in_at", 0)) > max_age
        ):
            found = None
            session.clear()
    g.facilitator = found
    return found


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_facilitator() is None:
            return redirect(url_for("facilitate.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def cohort_or_404(code: str) -> cohorts.Cohort:
    """The cohort, if the logged-in facilitator owns or co-owns it; others get the same 404 as a wrong code."""
    found = cohorts.by_code(get_db(), code)
    me = current_facilitator()
    if found is None or me is None or not cohorts.may_see(get_db(), found, me.id):
        raise HttpError(404, _("There is no cohort at this address among yours."))
    return found


NEXT = re.compile(r"/facilitator/[\w\-./]*")


def safe_next(target: str) -> str:
    """Where to go after logging in: a facilitator page of this site, else the cohort list."""
    if NEXT.fullmatch(target) and "//" not in target and ".." not in target:
        return target
    return url_for("facilitate.cohort_list")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    status = 200
    if request.method == "POST":
        email = request.form.get("email", "")
        outcome = accounts.log_in(get_db(), email, request.form.get("password", ""), request.remote_addr or "?")
        if isinstance(outcome, accounts.Facilitator):
            session.clear()
            session.permanent = True
            session["facilitator_id"] = outcome.id
            session["session_version"] = outcome.session_version
            session["logged_in_at"] = int(time.time())
            return redirect(safe_next(request.args.get("next", "")))
        if isinstance(outcome, int):
            error, status = (
                _("Too many failed attempts. Wait %(seconds)d seconds, then try again.", seconds=outcome),
                429,
            )
        else:
            error, status = _("The e-mail address or the password is wrong."), 401
    return render_template("facilitate/login.html", error=error), status


@bp.post("/logout")
def logout() -> Any:
    me = current_facilitator()
    if me is not None:
        accounts.end_sessions(get_db(), me)  # on every device: a copied cookie stops working too
    session.clear()
    return redirect(url_for("facilitate.login"))


@bp.get("/")
@login_required
def cohort_list() -> str:
    me = current_facilitator()
    assert me is not None
    mine = cohorts.of_facilitator(get_db(), me.id)
    counts = store.cohort_counts(get_db(), [c.id for c in mine])
    banks = sorted(catalog().banks.values(), key=lambda b: b.title.get())
    titles = {b.id: b.title.get(current_language()) for b in banks}
    return render_template(
        "facilitate/cohorts.html", cohorts=mine, counts=counts, banks=banks, bank_titles=titles, me=me
    )


@bp.post("/cohorts")
@login_required
def cohort_create() -> Any:
    me = current_facilitator()
    assert me is not None
    name = request.form.get("name", "").strip()
    bank_id = request.form.get("bank", "")
    if not name or catalog().get(bank_id) is None:
        raise HttpError(400, _("Give the cohort a name and choose one of the questionnaires."))
    created = cohorts.create(get_db(), me.id, bank_id, name, request.form.get("description", ""))
    return redirect(url_for("facilitate.dashboard", code=created.code))


def bank_of(cohort: cohorts.Cohort) -> Questionnaire:
    bank = catalog().get(cohort.bank_id)
    if bank is None:
        raise HttpError(404, _("The questionnaire of this cohort is no longer available on this site."))
    return bank


def filtered_members(cohort: cohorts.Cohort, bank: Questionnaire) -> tuple[list[cohorts.Member], dict[str, str]]:
    everyone = cohorts.members(get_db(), cohort, [q.id for q in bank.profile])
    filters = {q.id: request.args[f"f_{q.id}"] for q in bank.profile if request.args.get(f"f_{q.id}")}

    def keep(member: cohorts.Member) -> bool:
        for qid, wanted in filters.items():
            value = member.profile.get(qid)
            values = value if isinstance(value, list) else [value]
            if wanted not in [str(v) for v in values]:
                return False
        return True

    return [m for m in everyone if keep(m)], filters


@bp.get("/cohorts/<code>")
@login_required
def dashboard(code: str) -> str:
    return render_dashboard(cohort_or_404(code))


# The radar stays readable with the cohort's band and median and at most this many providers.
MAX_COMPARED = 5


def render_dashboard(cohort: cohorts.Cohort, facilitator_error: str | None = None) -> str:
    """The cohort's dashboard; *facilitator_error* is shown on the co-facilitator form."""
    bank = bank_of(cohort)
    me = current_facilitator()
    assert me is not None
    members, filters = filtered_members(cohort, bank)
    submitted = [m for m in members if m.status == "submitted"]
    min_peers = int(current_app.config["SELFASSESS_MIN_PEERS"])
    spreads = {
        d.id: cohorts.spread([s for m in submitted if (s := m.scores.get(d.id)) is not None]) for d in bank.dimensions
    }
    ticked = [m for m in submitted if str(m.response_id) in request.args.getlist("compare")]
    compare = ticked[:MAX_COMPARED]
    # The bank's texts in the interface's language where the bank has it, as the exports.
    lang = export_language(bank)
    enough = len(submitted) >= min_peers
    figure = cohort_figure(bank, lang, submitted, spreads, compare, enough)
    vetted = cohorts.is_vetted(get_db(), cohort)
    approved = cohorts.approved(get_db(), cohort, members) if vetted else set()
    return render_template(
        "facilitate/dashboard.html",
        cohort=cohort,
        bank=bank,
        members=members,
        submitted=submitted,
        filters=filters,
        spreads=spreads,
        compare=compare,
        too_many_ticked=len(ticked) > MAX_COMPARED,
        max_compared=MAX_COMPARED,
        enough=enough,
        min_peers=min_peers,
        figure=json.dumps(figure) if figure["data"] else None,
        boxes=json.dumps(box_figure(bank, lang, submitted)) if enough else None,
        shown=reports.score_display(bank),
        rows=heat_rows(cohort, bank, lang, members, compare),
        round_rows=round_rows(cohort, bank, members),
        co_facilitators=cohorts.facilitator_emails(get_db(), cohort),
        vetted=vetted,
        pending=[m for m in members if m.response_id not in approved] if vetted else [],
        is_owner=cohort.owner_id == me.id,
        me=me,
        facilitator_error=facilitator_error,
        join_url=external_url("join.join", code=cohort.code),
        lang=lang,
    )


def round_rows(cohort: cohorts.Cohort, bank: Questionnaire, members: list[cohorts.Member]) -> list[dict[str, Any]]:
    """For a bank with roles: each organisation's newest round, open or closed, with its participation per role."""
    if not bank.roles:
        return []
    # A member is shown by its counting response (a closed round) while its next round is open.
    found = rounds.newest_participation(get_db(), cohort, bank)
    return [
        {"name": m.organisation or _("(no name yet)"), "closed": shown.closed, "roles": shown.roles}
        for m in members
        if (shown := found.get(m.response_id)) is not None
    ]


def heat_rows(
    cohort: cohorts.Cohort, bank: Questionnaire, lang: str, members: list[cohorts.Member], compare: list[cohorts.Member]
) -> list[dict[str, Any]]:
    """The heat map's rows, worked out in Python: a 2,000-row table is too slow to assemble in Jinja."""
    labels = {lvl.id: (f"level-{i}", str(escape(lvl.label.get(lang)))) for i, lvl in enumerate(bank.rubric.levels)}
    shown = reports.score_display(bank)
    keys = [d.id for d in bank.dimensions] + [store.OVERALL]
    url = url_for("facilitate.provider_report", code=cohort.code, response_id=0).removesuffix("0")
    compared = {m.response_id for m in compare}
    no_name, done, going = _("(no name yet)"), _("submitted"), _("in progress")
    rows = []
    for m in members:
        cells = []
        for key in keys:
            level = m.levels.get(key)
            if level in labels:
                css, label = labels[level]
                score = m.scores.get(key)
                cells.append(
                    f'<td class="{css}">{label} ({shown(score)})</td>'
                    if score is not None
                    else f'<td class="{css}">{label}</td>'
                )
            else:
                cells.append("<td>–</td>")
        name = m.organisation or no_name
        rows.append(
            {
                "id": m.response_id, "submitted": m.status == "submitted", "name": name,
                "url": f"{url}{m.response_id}", "status": done if m.status == "submitted" else going,
                "updated": m.updated_at[:10], "cells": Markup("".join(cells)), "compared": m.response_id in compared,
                "compare_label": _("Compare %(name)s", name=name),
            }
        )  # fmt: skip
    return rows


def cohort_figure(
    bank: Questionnaire,
    lang: str,
    submitted: list[cohorts.Member],
    spreads: dict[str, Any],
    compare: list[cohorts.Member],
    enough: bool,
) -> dict[str, Any]:
    """The cohort's band and median (from enough providers), and the providers ticked for comparison."""
    theta = [charts.wrap_label(d.title.get(lang)) for d in bank.dimensions]
    traces: list[dict[str, Any]] = []
    if enough:
        s = [spreads[d.id] for d in bank.dimensions]
        traces += charts.band_and_median(
            theta,
            [x["p25"] if x else None for x in s],
            [x["p75"] if x else None for x in s],
            [x["median"] if x else None for x in s],
            _("Cohort: middle half"),
            _("Cohort: median"),
        )
    for member in compare:
        traces.append(
            charts.line(
                member.organisation or f"#{member.response_id}",
                theta,
                [member.scores.get(d.id) for d in bank.dimensions],
            )
        )
    titles = [d.title.get(lang) for d in bank.dimensions]
    return charts.figure(titles, traces, charts.radar_layout(len(titles)))


def box_figure(bank: Questionnaire, lang: str, submitted: list[cohorts.Member]) -> dict[str, Any]:
    """The spread of each dimension's scores as a box plot (drawn only from enough providers)."""
    traces = [
        {
            "type": "box",
            "name": charts.plain(d.title.get(lang)),
            "y": [m.scores.get(d.id) for m in submitted if m.scores.get(d.id) is not None],
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "marker": {"size": 4},
        }
        for d in bank.dimensions
    ]
    layout = {
        "showlegend": False,
        "xaxis": {"automargin": True, "tickangle": 0},
        "yaxis": {"range": [0, 100], "title": {"text": _("Score")}, "automargin": True},
        "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
    }
    return charts.figure([d.title.get(lang) for d in bank.dimensions], traces, layout)


@bp.post("/cohorts/<code>/vetting")
@login_required
def cohort_vetting(code: str) -> Any:
    """Require (or stop requiring) approval of each organisation that joins."""
    cohort = cohort_or_404(code)
    cohorts.set_vetted(get_db(), cohort, request.form.get("vetted") == "1")
    return redirect(url_for("facilitate.dashboard", code=code))


@bp.post("/cohorts/<code>/approve")
@login_required
def cohort_approve(code: str) -> Any:
    """Approve one member organisation: from then on it is in the cohort's peer group."""
    cohort = cohort_or_404(code)
    raw = request.form.get("response", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18) or not cohorts.approve(get_db(), cohort, int(raw)):
        raise HttpError(404, _("This provider is not in the cohort."))
    return redirect(url_for("facilitate.dashboard", code=code, _anchor="approval-heading"))


@bp.post("/cohorts/<code>/settings")
@login_required
def cohort_settings(code: str) -> Any:
    cohort = cohort_or_404(code)
    cohorts.set_open(get_db(), cohort, request.form.get("open") == "1")
    return redirect(url_for("facilitate.dashboard", code=code))


def owned_cohort_or_403(code: str) -> cohorts.Cohort:
    """The cohort, if the logged-in facilitator owns it: only owners choose who else sees a cohort."""
    cohort = cohort_or_404(code)
    me = current_facilitator()
    if me is None or cohort.owner_id != me.id:
        raise HttpError(403, _("Only the facilitator who created the cohort can add or remove co-facilitators."))
    return cohort


@bp.post("/cohorts/<code>/facilitators")
@login_required
def cohort_add_facilitator(code: str) -> Any:
    cohort = owned_cohort_or_403(code)
    other = accounts.find(get_db(), request.form.get("email", "")[: accounts.MAX_EMAIL + 1])
    if other is None:
        message = _(
            "There is no facilitator with that e-mail address. Ask an administrator to create the account first."
        )
        return render_dashboard(cohort, facilitator_error=message), 400
    cohorts.add_facilitator(get_db(), cohort, other.id)
    return redirect(url_for("facilitate.dashboard", code=code))


@bp.post("/cohorts/<code>/facilitators/remove")
@login_required
def cohort_remove_facilitator(code: str) -> Any:
    cohort = owned_cohort_or_403(code)
    other = accounts.find(get_db(), request.form.get("email", "")[: accounts.MAX_EMAIL + 1])
    if other is not None and other.id != cohort.owner_id:
        cohorts.remove_facilitator(get_db(), cohort, other.id)
    return redirect(url_for("facilitate.dashboard", code=code))


# -- invitations and reminders by e-mail ------------------------------------------------
# Providers are anonymous: the app has no addresses of its own, so e-mail goes only to the
# addresses a facilitator pastes, and they are neither stored nor logged.

MAIL_KINDS = ("invitation", "reminder")


@bp.route("/cohorts/<code>/invitations", methods=["GET", "POST"])
@mailing.required
@login_required
def cohort_invitations(code: str) -> Any:
    cohort = cohort_or_404(code)
    bank = bank_of(cohort)
    form = {"kind": request.form.get("kind", "invitation"), "lang": mailing.chosen_language(request.form.get("lang"))}
    if form["kind"] not in MAIL_KINDS or form["lang"] not in mailing.LANGUAGES:
        raise HttpError(400, _("Choose what to send and its language from the lists on the form."))
    page = {"cohort": cohort, "form": form, "languages": mailing.LANGUAGES, "max_addresses": mailing.MAX_ADDRESSES}
    if request.method == "GET":
        return render_template("facilitate/invitations.html", **page)
    pasted = request.form.get("addresses", "")
    good, refused = mailing.read_addresses(pasted)
    error = None
    if len(good) > mailing.MAX_ADDRESSES:
        error = _("Paste at most %(max)d addresses at a time, then send the rest.", max=mailing.MAX_ADDRESSES)
    elif not good:
        error = _("Paste at least one e-mail address, one a line or separated by commas.")
    elif form["kind"] == "invitation" and not cohort.open:
        error = _("The cohort is closed to new starts. Open it again on its page before inviting providers.")
    if error:
        again = {"error": error, "refused": refused, "addresses": pasted}
        return render_template("facilitate/invitations.html", **page, **again), 400
    values = {"link": external_url("join.join", code=cohort.code), "name": cohort.name,
              "title": bank.title.get(form["lang"]), "description": cohort.description}  # fmt: skip
    with mailing.language(form["lang"]):
        if form["kind"] == "invitation":
            subject = _("Invitation: the self-assessment “%(title)s” with %(name)s", **values)
        else:
            subject = _("Reminder: the self-assessment “%(title)s” with %(name)s", **values)
        mails = [mailing.compose(form["kind"], address, subject, **values) for address in good]
    done = mailing.deliver(mails)
    refused += [(m.to, _("The mail server refused it (%(reply)s).", reply=reply)) for m, reply in done.refused]
    refused += [(m.to, _("Not sent: the mail server could not be reached. Try again later.")) for m in done.unsent]
    return render_template("facilitate/invitations.html", **page, sent=len(done.sent), refused=refused)


@bp.get("/cohorts/<code>/responses/<int:response_id>")
@login_required
def provider_report(code: str, response_id: int) -> Any:
    cohort = cohort_or_404(code)
    try:
        found = assessments.open_by_id(get_db(), catalog(), response_id)
    except assessments.AssessmentError:
        found = None
    if found is None or found.response.cohort_id != cohort.id:
        raise HttpError(404, _("This provider is not in the cohort."))
    if not found.response.submitted:
        raise HttpError(409, _("This assessment is not submitted yet, so it has no report. Finish it first."))
    g.lang = ui_language(found.response.language)
    # The facilitator's view: no links that carry the provider's secret token.
    return render_report(found, owner=False)


# -- exports --------------------------------------------------------------------------


def csv_response(rows: list[dict[str, Any]], filename: str) -> Response:
    return Response(
        exports.to_csv(rows), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def export_language(bank: Questionnaire) -> str:
    """The language of the exports: the interface's, where the bank has it, else the bank's first."""
    return exports.export_language(bank, current_language())


@bp.get("/cohorts/<code>/export.<fmt>")
@login_required
def export(code: str, fmt: str) -> Any:
    cohort = cohort_or_404(code)
    bank = bank_of(cohort)
    lang = export_language(bank)
    if fmt == "csv":
        rows = exports.response_rows(get_db(), cohort, bank, lang, rounded=True)
        return csv_response(rows, f"{cohort.code}-responses.csv")
    if fmt == "json":
        rows = exports.response_rows(get_db(), cohort, bank, lang, rounded=False)
        return exports.json_document(cohort, lang, "responses", rows)
    raise HttpError(404, _("Exports come as .csv, .json or .xlsx."))


@bp.get("/cohorts/<code>/export.xlsx")
@login_required
def export_workbook(code: str) -> Any:
    cohort = cohort_or_404(code)
    bank = bank_of(cohort)
    return Response(
        exports.workbook(get_db(), cohort, bank, export_language(bank)),
        mimetype=exports.XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{cohort.code}-results.xlsx"'},
    )


@bp.get("/cohorts/<code>/answers.<fmt>")
@login_required
def export_answers(code: str, fmt: str) -> Any:
    cohort = cohort_or_404(code)
    bank = bank_of(cohort)
    lang = export_language(bank)
    rows = exports.answer_rows(get_db(), cohort, bank, lang)
    if fmt == "csv":
        return csv_response(rows, f"{cohort.code}-answers.csv")
    if fmt == "json":
        return exports.json_document(cohort, lang, "answers", rows)
    raise HttpError(404, _("The answers come as .csv or .json, and beside the results in the .xlsx export."))


# -- joining a cohort (providers) -------------------------------------------------------


@join_bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    db = get_db()
    cohort = cohorts.by_code(db, code)
    if cohort is None:
        raise HttpError(404, _("This invitation link is not valid. Check that you copied all of it."))
    bank = catalog().get(cohort.bank_id)
    if bank is None:
        raise HttpError(404, _("The questionnaire of this cohort is no longer available on this site."))
    if not cohort.open:
        raise HttpError(403, _("The cohort “%(name)s” is closed and accepts no new assessments.", name=cohort.name))
    if request.method == "GET":
        return render_template("facilitate/join.html", cohort=cohort, bank=bank, minutes=estimated_minutes(bank))
    lang = request.form.get("lang") or bank.languages[0]
    if lang not in bank.languages:
        lang = bank.languages[0]
    # A bank with roles is answered by the organisation's people: the one who starts coordinates.
    start = rounds.start if bank.roles else assessments.start
    response = start(db, bank, lang, cohort=cohort)
    return redirect(url_for("respond.page", token=response.token, number=1))


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(join_bp)
