"""Rate limits: one address cannot fill the database with drafts, nor try logins without end."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from selfassess import accounts, cohorts, store
from selfassess.settings import SettingError
from selfassess.web import create_app
from selfassess.web.limits import EXTENSION, LOGIN_LIMIT, client_address
from tests.conftest import Respondent, csrf_token

LIMIT = 5


def make_app(database: str, **config) -> Flask:
    return create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": f"{LIMIT} per minute",
            **config,
        }
    )


@pytest.fixture
def limited(database) -> Flask:
    return make_app(database)


def start(client, address="192.0.2.1", **headers):
    home = client.get("/", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post(
        "/start/go-international",
        data={"csrf_token": csrf_token(home), "lang": "en"},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def drafts(app: Flask) -> int:
    with store.open_database(app.config["SELFASSESS_DATABASE"]).conn as conn:
        return int(conn.execute("SELECT count(*) FROM responses").fetchone()[0])


def assert_refused(response, words: str) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    html = response.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in html
    assert words in html and "Please try again in " in html
    assert "Traceback" not in html and "per 1 minute" not in html


def test_starts_from_one_address_are_refused_after_the_limit(limited):
    client = limited.test_client()
    assert [start(client).status_code for _ in range(LIMIT)] == [302] * LIMIT
    for _ in range(3):
        assert_refused(start(client), "Very many assessments were started from your network")
    assert drafts(limited) == LIMIT
    # Another address has its own budget.
    assert start(client, "198.51.100.7").status_code == 302


def test_the_refusal_speaks_the_users_language(limited):
    client = limited.test_client()
    for _ in range(LIMIT):
        start(client)
    refused = start(client, **{"Accept-Language": "da"})
    assert refused.status_code == 429
    assert "Prøv igen om" in refused.get_data(as_text=True)


def test_copy_and_join_share_the_budget_of_starting(limited):
    db = store.connect(limited.config["SELFASSESS_DATABASE"])
    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, "go-international", "Seminar")
    client = limited.test_client()
    address = {"REMOTE_ADDR": "192.0.2.9"}
    token = start(client, "192.0.2.9").headers["Location"].split("/")[2]
    page = client.get(f"/r/{token}/page/1", environ_base=address).get_data(as_text=True)
    copies = [client.post(f"/r/{token}/copy", data={"csrf_token": csrf_token(page)}, environ_base=address)]
    copies += [client.post(f"/r/{token}/copy", data={"csrf_token": csrf_token(page)}, environ_base=address)]
    invite = client.get(f"/join/{cohort.code}", environ_base=address)
    joined = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(invite.get_data(as_text=True))})
    assert [c.status_code for c in copies] == [302, 302] and joined.status_code == 302  # other address
    joins = [
        client.post(
            f"/join/{cohort.code}",
            data={"csrf_token": csrf_token(invite.get_data(as_text=True))},
            environ_base=address,
        )
        for _ in range(3)
    ]
    assert [j.status_code for j in joins] == [302, 302, 429]  # 1 start + 2 copies + 2 joins = 5
    assert_refused(joins[-1], "Very many assessments")
    assert_refused(
        client.post(f"/r/{token}/copy", data={"csrf_token": csrf_token(page)}, environ_base=address),
        "Very many assessments",
    )
    # Reading is never limited: the invitation and the draft still open.
    assert client.get(f"/join/{cohort.code}", environ_base=address).status_code == 200
    assert client.get(f"/r/{token}/page/1", environ_base=address).status_code == 200
    db.conn.close()


def test_a_refusal_on_a_json_address_is_json(limited):
    limiter = limited.extensions[EXTENSION]
    limited.add_url_rule("/api/probe.json", "probe", limiter.limit("1 per minute")(lambda: {"ok": True}))
    client = limited.test_client()
    assert client.get("/api/probe.json").status_code == 200
    refused = client.get("/api/probe.json")
    assert refused.status_code == 429 and refused.is_json
    assert refused.json is not None and refused.json["status"] == 429
    assert "Please try again in " in refused.json["error"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_logins_from_one_address_are_limited(database):
    app = make_app(database, SELFASSESS_RATE_LIMIT="1000 per minute")
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    accounts.add(db, "owner@agency.eu", "a long password")
    db.conn.close()
    allowed = int(LOGIN_LIMIT.split()[0])

    def login():
        client = app.test_client()  # a login starts a new session, and with it a new CSRF token
        html = client.get("/facilitator/login").get_data(as_text=True)
        form = {"csrf_token": csrf_token(html), "email": "owner@agency.eu", "password": "a long password"}
        return client.post("/facilitator/login", data=form)

    assert [login().status_code for _ in range(allowed + 1)] == [302] * allowed + [429]
    assert_refused(login(), "too many login attempts")
    assert app.test_client().get("/facilitator/login").status_code == 200


def test_the_default_limit_lets_a_class_behind_one_address_start(database):
    app = create_app({"SELFASSESS_DATABASE": database, "SECRET_KEY": "t", "TESTING": True})
    clients = [app.test_client() for _ in range(30)]
    assert {Respondent(c).token for c in clients} and drafts(app) == 30
    # ...and each learner may press Start once more (a second tab, another language).
    assert all(start(c, "127.0.0.1").status_code == 302 for c in clients)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::7", "2001:db8:1:2::/64"),  # one subscriber's /64 is one client
        ("::ffff:192.0.2.1", "192.0.2.1"),
    ],
)
def test_clients_are_keyed_by_address_and_ipv6_by_64(address, key):
    with Flask(__name__).test_request_context(environ_base={"REMOTE_ADDR": address}):
        assert client_address() == key


def test_memory_storage_is_the_default(limited):
    assert type(limited.extensions[EXTENSION].storage).__name__ == "MemoryStorage"


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("SELFASSESS_RATE_LIMIT_STORAGE", "mongo-typo://localhost", "SELFASSESS_RATE_LIMIT_STORAGE is"),
        ("SELFASSESS_RATE_LIMIT", "lots", "SELFASSESS_RATE_LIMIT is 'lots', which is not a rate limit"),
    ],
)
def test_a_bad_setting_stops_the_start_with_what_to_write(tmp_path, setting, value, words):
    with pytest.raises(SettingError, match=words):
        make_app(str(tmp_path / "limits.db"), **{setting: value})


REDIS = "redis://127.0.0.1:6379"


def reachable_redis() -> str:
    """The local Redis's URL; fail (never skip) when the package or the server is missing, as CI must."""
    try:
        import redis
    except ImportError:
        pytest.fail("the redis package is not installed: pip install -e '.[test]' installs it")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS} ({exc}): start it with .ci/services (.ci/run does)")
    return REDIS


def test_two_servers_share_their_counts_in_redis(tmp_path):
    # Without a reachable Redis each app would fall back to counting in memory: 302 x 3 on the second.
    shared = {"SELFASSESS_RATE_LIMIT_STORAGE": reachable_redis(), "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    database = str(tmp_path / "limits.db")
    first, second = make_app(database, **shared), make_app(database, **shared)
    assert [start(first.test_client()).status_code for _ in range(3)] == [302] * 3
    assert [start(second.test_client()).status_code for _ in range(3)] == [302, 302, 429]
