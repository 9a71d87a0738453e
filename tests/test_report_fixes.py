"""The report's words after the issue-15 walk: gaps that name "No data", peers' quartiles only when
released, figures in the reader's language, the language's punctuation, what paper says, held-back means."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from selfassess import store
from selfassess.bank.model import DONT_KNOW, Question
from selfassess.bank.questiontypes.number import Number, figure_text
from selfassess.demo import create_demo_data
from selfassess.web import charts
from tests.conftest import SHIPPED


@pytest.fixture
def app(database: str):
    """The app with the shipped banks (solity v2 has number questions with "No data"), on a fresh database."""
    from selfassess.web import create_app

    config = {"SELFASSESS_DATABASE": database, "SECRET_KEY": "test", "TESTING": True}
    return create_app(
        {**config, "SELFASSESS_RATE_LIMIT": "100000 per minute", "SELFASSESS_QUESTIONNAIRES": str(SHIPPED)}
    )


def plain_text(html: str) -> str:
    """The page's text, tags dropped and entities read, so assertions read like the page."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


@pytest.fixture
def solity(app):
    """A submitted solity response whose waiting time (a number question) was answered "No data",
    among 150 providers: enough for a peer median, far too few for quartiles (1,000)."""
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("solity")
    token = create_demo_data(path, [bank], 150, seed=15)[0]
    conn = store.open_database(path).conn
    with conn:
        (response_id,) = conn.execute("SELECT id FROM responses WHERE token = ?", [token]).fetchone()
        conn.execute("DELETE FROM answers WHERE response_id = ? AND question_id = 'acc_wait'", [response_id])
        conn.execute(
            "INSERT INTO answers (response_id, question_id, value, updated_at) VALUES (?, 'acc_wait', ?, '2026-01-01')",
            [response_id, json.dumps(DONT_KNOW)],
        )
        conn.execute(
            "UPDATE answers SET value = ? WHERE response_id = ? AND question_id = 'qual_rate'",
            [json.dumps({"value": 57.4, "source": "estimate"}), response_id],
        )
    conn.close()
    return token


def test_no_data_on_a_figure_is_a_gap_named_as_such(client, solity):
    page = client.get(f"/r/{solity}/report?lang=en").get_data(as_text=True)
    text = plain_text(page)
    assert re.search(r"Not known: \d+ questions? answered “Don't know” or “No data”", text)
    assert "statement" not in text  # a figure is a question, not a statement
    gap = page[page.index('data-dimension="access"') :]
    gap = gap[: gap.index("</div>")]
    assert "Not known yet:" in plain_text(gap)
    assert "(answered “No data”)" in plain_text(gap)


def test_no_quartiles_no_middle_half(client, solity):
    # 150 providers release a median but no quartiles (they need 1,000): neither the column nor the band.
    page = client.get(f"/r/{solity}/report?lang=en").get_data(as_text=True)
    assert '<th scope="col">Peer median</th>' in page
    assert "Middle half of peers" not in page
    assert "with the peer median." in unescape(page)  # the chart's description names no band either
    figure = json.loads(unescape(re.search(r'data-figure="([^"]*)"', page).group(1)))
    assert [trace["name"] for trace in figure["data"]] == ["Peers: median", "Your scores"]


def test_band_only_with_quartiles():
    theta = ["A", "B", "C"]
    with_quartiles = charts.band_and_median(theta, [20, 30, 40], [60, 70, 80], [40, 50, 60], "Band", "Median")
    assert [t["name"] for t in with_quartiles] == ["Band", "Median"]
    assert with_quartiles[0]["fill"] == "toself"
    median_only = charts.band_and_median(theta, [None] * 3, [None] * 3, [40, 50, 60], "Band", "Median")
    assert [t["name"] for t in median_only] == ["Median"]


@pytest.mark.parametrize(
    ("lang", "value", "written"),
    [
        ("en", 57.4, "57.4"),
        ("fr", 57.4, "57,4"),
        ("da", 57.4, "57,4"),
        ("nb", 57.4, "57,4"),
        ("en", 12345.5, "12,345.5"),
        ("da", 12345.5, "12.345,5"),
        ("fr", 12345.5, "12\u202f345,5"),
        ("nb", 12345, "12\xa0345"),
        ("fr", -12.8, "-12,8"),
        ("xx", 57.4, "57.4"),  # a bank language Babel does not know: as Python writes it
    ],
)
def test_figures_in_the_readers_language(lang, value, written):
    assert figure_text(value, lang) == written


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (57.4, "57,4 %"),
        ({"value": 57.4, "source": "estimate"}, "57,4 % · Estimate"),
        (DONT_KNOW, "No data"),
    ],
)
def test_answer_words_with_unit_and_source(answer, words):
    question = Question(id="rate", type="number", text=None, unit="%", trustworthiness=True, allow_dont_know=True)  # type: ignore[arg-type]
    assert Number().answer_words(question, answer, "fr", lambda message, **kw: message % kw if kw else message) == words


def test_report_figures_and_punctuation_in_french(client, solity):
    page = client.get(f"/r/{solity}/report?lang=fr").get_data(as_text=True)
    text = plain_text(page)
    assert "57,4 % · Estimation" in text
    assert "57.4" not in text
    plan = plain_text(
        page[page.index('class="action-plan"') : page.index("</section>", page.index('class="action-plan"'))]
    )
    assert re.search(r"\w : \d+, ", plan)  # "Retour à l'emploi : 33, Premiers pas"
    assert not re.search(r"\w: \d+, ", plan)


def test_printed_next_steps_do_not_point_to_unprinted_advice(client, solity):
    page = client.get(f"/r/{solity}/report?lang=en").get_data(as_text=True)
    assert re.search(r'<p class="no-print">Read the advice for each of them below', page)
    assert '<p class="print-only">Agree who does what by when' in page
    assert re.search(r'<section aria-labelledby="advice-heading" class="advice no-print">', page)
    assert re.search(r'<nav class="language-switch in-form no-print"', page)


@pytest.fixture
def held_back(app):
    """A closed go-international round whose report holds back a question's mean beside shown counts."""
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    create_demo_data(path, [bank], 30, seed=8)
    conn = store.open_database(path).conn
    tokens = [
        row[0]
        for row in conn.execute(
            "SELECT r.token FROM rounds x JOIN responses r ON r.id = x.response_id WHERE x.status = 'closed' ORDER BY x.id"
        )
    ]
    conn.close()
    return tokens


def test_a_held_back_mean_is_explained(client, held_back):
    explained = 0
    for token in held_back:
        page = client.get(f"/c/{token}/report?lang=en").get_data(as_text=True)
        for role in re.findall(r'<a href="#held-back-([\w-]+)" class="footnote-mark">\*</a>', page):
            note = re.search(rf'<p class="note" id="held-back-{role}">\* (.*?)</p>', page)
            assert note is not None, f"{token}: a mark without its note"
            assert "as many scored answers as the group&#39;s minimum" in note.group(1)
            explained += 1
        # Every note belongs to a mark: no note without a held-back mean.
        for role in re.findall(r'id="held-back-([\w-]+)"', page):
            assert f'href="#held-back-{role}"' in page
    assert explained, "the demo data should hold back at least one mean beside shown counts"
