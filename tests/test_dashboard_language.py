"""The dashboard shows the bank's own texts in the facilitator's interface language where the bank has it."""

from __future__ import annotations

from tests.test_facilitate import login, world  # noqa: F401  (the fixture)


def test_dashboard_speaks_the_interface_language(app, world):  # noqa: F811
    client = app.test_client()
    login(client, "owner@agency.eu")
    code = world["cohort"].code
    danish = client.get(f"/facilitator/cohorts/{code}", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert '<html lang="da">' in danish
    assert "Strategi og ledelse" in danish and "Strategy and leadership" not in danish  # a dimension's title
    english = client.get(f"/facilitator/cohorts/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Strategy and leadership" in english
