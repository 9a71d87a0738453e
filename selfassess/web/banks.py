"""What every view needs: the app's banks, and the assessment a URL's token names (or the right error page)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g

from selfassess import assessments
from selfassess.bank.catalog import Catalog
from selfassess.i18n import INTERFACE_LANGUAGES
from selfassess.web.db import get_db
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _


def catalog() -> Catalog:
    """The banks this app serves (re-read when a file changed, in debug mode)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cat: Catalog = app.extensions["selfassess_catalog"]
    if app.debug:
        cat.reload_if_changed()
    return cat


def ui_language(lang: str) -> str:
    """Interface strings follow the bank's language where we have them, else English."""
    return lang if lang in INTERFACE_LANGUAGES else "en"


def open_assessment(token: str) -> assessments.Assessment:
    """Return the assessment with *token*, or answer 404; the page speaks the response's language."""
    with errors_as_pages():
        found = assessments.open_by_token(get_db(), catalog(), token)
    g.lang = ui_language(found.response.language)
    return found


@contextmanager
def errors_as_pages() -> Iterator[None]:
    """Turn the domain's refusals into error pages that say what to do."""
    try:
        yield
    except assessments.UnknownToken:
        raise HttpError(
            404, _("There is no assessment at this address. Check that you copied the whole link.")
        ) from None
    except assessments.BankUnavailable:
        raise HttpError(404, _("The questionnaire of this assessment is no longer available on this site.")) from None
    except assessments.Submitted as exc:
        raise HttpError(
            409,
            _(
                "This assessment was submitted and can no longer be changed. You can see its results, or start a new draft from these answers."
            ),
            token=str(exc),
        ) from None
    except assessments.NoSuchPage as exc:
        raise HttpError(404, _("This questionnaire has no page %(number)d.", number=exc.number)) from None
    except assessments.ScoringFailed:
        raise HttpError(
            500,
            _(
                "The scoring of this questionnaire failed, so it was not submitted. Your answers are saved; please tell the site's administrator."
            ),
        ) from None
    except assessments.RoundClosed:
        raise HttpError(
            409, _("This round of the assessment was closed, so it takes no more answers. Thank you all the same.")
        ) from None
    except assessments.Coordinating:
        raise HttpError(
            409, _("The coordinator's answers are submitted by closing the round on the coordinator's page.")
        ) from None
    except assessments.UnknownLanguage as exc:
        raise HttpError(
            400, _("The questionnaire is not available in the language “%(lang)s”.", lang=exc.language)
        ) from None
