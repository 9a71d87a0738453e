"""The compiled question pages are byte for byte the pages Jinja renders."""

from __future__ import annotations

import random

import pytest
from flask import render_template

from selfassess.bank.answers import is_visible
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from selfassess.web import respond
from selfassess.web.pagerender import LiveSlots


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("lang", ["en", "da", "nb"])
def test_compiled_equals_jinja(app, seed, lang):
    bank = app.extensions["selfassess_catalog"].get("go-international")
    rng = random.Random(seed)
    answers = random_answers(bank, rng, rng.random())
    if seed % 2:  # some pages with several boxes ticked, some answers missing
        answers = {k: v for k, v in answers.items() if rng.random() < 0.7}
    with app.test_request_context("/"):
        from flask import g

        g.lang = lang
        for page in bank_pages(bank):
            visible = {q.id for q in page.questions if is_visible(bank, q, answers)}
            values = {**answers, "_organisation": "Ål & <Co>"}
            slots = LiveSlots(f"tok{seed}", "csrf-value", values, visible, 7, 61)
            expected = render_template(
                "respond/page.html", slots=slots, **respond.page_context(bank, page, lang, None, None)
            )
            got = respond.compiled_page(bank, page, lang).render(slots)
            assert got == expected, f"page {page.number}"
