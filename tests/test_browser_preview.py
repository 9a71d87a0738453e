"""In real Chromium: the author preview scores as `selfassess score` does, and follows the file."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.browser import ARTIFACTS, axe_violations, live_server
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser


def test_preview_scores_live_and_reloads(browser, tmp_path, run_cli):
    from selfassess.web.preview import create_preview_app

    bank = tmp_path / "tiny.yaml"
    shutil.copy(FIXTURES / "tiny.yaml", bank)
    with live_server(create_preview_app(bank)) as server:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(server + "/")
        page.check("input[name=sc][value='4']")
        page.check("input[name=ch][value=some]")
        page.check("input[name=mu][value=x]")
        page.check("input[name=mu][value=z]")
        page.check("input[name=yn][value=yes]")
        page.fill("#nu", "70")
        page.fill("#c1", "2.5")
        page.dispatch_event("#c1", "change")
        page.wait_for_function("document.querySelector(\"tr[data-dimension='c'] .dim-score\").textContent === '75.0'")
        answers = {"sc": 4, "ch": "some", "mu": ["x", "z"], "yn": "yes", "nu": 70, "c1": 2.5}
        (tmp_path / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
        expected = json.loads(run_cli("score", str(bank), str(tmp_path / "answers.json"), "--partial").stdout)
        for dim_id, dim in expected["dimensions"].items():
            shown = page.inner_text(f"tr[data-dimension='{dim_id}'] .dim-score")
            assert shown == ("–" if dim["score"] is None else f"{dim['score']:.1f}"), dim_id
        assert page.inner_text("#overall-score").startswith(f"{expected['overall']['score']:.1f}")
        assert page.inner_text("#contribution-sc") == "weight 2 × s 0.750 = 1.500"
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "preview.png"), full_page=True)

        # Saving the file reloads the page; a broken file shows its file:line:col messages.
        with page.expect_navigation(timeout=10_000):
            bank.write_text(
                bank.read_text(encoding="utf-8").replace("title: Tiny", "title: Tiny, renamed"), encoding="utf-8"
            )
        assert "Tiny, renamed" in page.inner_text("h1")
        with page.expect_navigation(timeout=10_000):
            bank.write_text(
                bank.read_text(encoding="utf-8").replace("scale: agree5, weight: 2", "scale: agree6, weight: 2"),
                encoding="utf-8",
            )
        assert f"{bank}:24:38: " in page.inner_text(".problems") and "scale 'agree6' is not defined" in page.inner_text(
            ".problems"
        )
        assert axe_violations(page) == []
        assert errors == []
        page.close()
