"""A small HTTP client that takes assessments against a live server (for the concurrency test and benchmarks)."""

from __future__ import annotations

import http.cookiejar
import random
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import Questionnaire
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One browser-like session: a cookie jar and the CSRF token of its session."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )
        html = self.get("/")[1]
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode()


def form_data(bank: Questionnaire, page_number: int, answers: dict[str, Any]) -> dict[str, Any]:
    page = bank_pages(bank)[page_number - 1]
    data: dict[str, Any] = {"action": "next", "_shown": [q.id for q in page.questions if is_visible(bank, q, answers)]}
    for q in page.questions:
        if q.id in answers:
            value = answers[q.id]
            data[q.id] = [str(v) for v in value] if isinstance(value, list) else str(value)
    if page_number == 1:
        data["_organisation"] = f"Load test provider {random.randrange(10**6)}"
    return data


def complete_submission(client: Client, bank: Questionnaire, rng: random.Random) -> tuple[str, list[int]]:
    """Start, answer every page, submit; return the token and every status code seen."""
    statuses = []
    status, location, _ = client.post(f"/start/{bank.id}", {"lang": bank.languages[0]})
    statuses.append(status)
    token = location.split("/")[2]
    answers = random_answers(bank, rng, rng.random())
    for page in bank_pages(bank):
        status, _, _ = client.post(f"/r/{token}/page/{page.number}", form_data(bank, page.number, answers))
        statuses.append(status)
    status, _, _ = client.post(f"/r/{token}/submit", {})
    statuses.append(status)
    return token, statuses
