"""Peer groups: a list answer (several sectors) joins the group of each value chosen; groups are named by the answer."""

from __future__ import annotations

import json

from markupsafe import escape

from selfassess import i18n, store
from selfassess.demo import create_demo_data
from tests.conftest import query


def sectors_of(path: str, token: str) -> list[str]:
    conn = store.open_database(path).conn
    value = conn.execute(
        "SELECT a.value FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.token = ? AND a.question_id = 'sectors'",
        [token],
    ).fetchone()
    return json.loads(value[0]) if value else []


def test_each_chosen_sector_is_a_peer_group(app, client):
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    tokens = create_demo_data(path, [bank], 60, seed=11)
    token = next(t for t in tokens if len(sectors_of(path, t)) >= 2)
    chosen = sectors_of(path, token)
    groups = [o["value"] for o in json_options(client.get(f"/r/{token}/report").get_data(as_text=True))]
    assert [g for g in groups if g.startswith("sectors:")] == [f"sectors:{s}" for s in chosen]
    for sector in chosen:
        answer = client.get(f"/r/{token}/report.json?peers=sectors:{sector}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
    # A sector the provider did not choose is not one of its groups.
    other = next(o.key for o in bank.question("sectors").options if o.key not in chosen)
    assert client.get(f"/r/{token}/report.json?peers=sectors:{other}").status_code == 400

    # Each sector group counts every provider that chose the sector, incrementally as after a rebuild.
    conn = store.open_database(path).conn
    for sector in chosen:
        members = sum(1 for t in tokens if sector in sectors_of(path, t))
        counted = conn.execute(
            "SELECT SUM(n) FROM peer_buckets WHERE bank_id = ? AND grp = 'sectors' AND grp_value = ? AND dimension = ''",
            [bank.id, json.dumps(sector)],
        ).fetchone()[0]
        assert counted == members
    before = sorted(conn.execute("SELECT * FROM peer_buckets WHERE n != 0").fetchall())
    db = store.connect(path)
    with db.conn:
        store.rebuild_peer_buckets(db)
    assert sorted(conn.execute("SELECT * FROM peer_buckets WHERE n != 0").fetchall()) == before


def test_groups_are_named_by_the_providers_own_answer(app, client):
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    token = create_demo_data(path, [bank], 6, seed=3)[0]
    html = client.get(f"/r/{token}/report").get_data(as_text=True)
    # The report is in the response's language: a demo provider's country's, where the bank has it.
    value, lang = query(
        path,
        "SELECT a.value, r.language FROM answers a JOIN responses r ON r.id = a.response_id"
        " WHERE r.token = ? AND a.question_id = 'country'",
        [token],
    )[0]
    question = bank.question("country")
    label = question.option(json.loads(value)).label.get(lang)
    expected = i18n.gettext(
        lang, "Answered “%(answer)s”, as you did, to “%(question)s”", answer=label, question=question.text.get(lang)
    )
    assert escape(expected) in html


def json_options(html: str) -> list[dict[str, str]]:
    """The options of the report's peer-group list."""
    import re

    select = html.split('<select id="peers"')[1].split("</select>")[0]
    return [{"value": v} for v in re.findall(r'<option value="([^"]+)"', select)]
