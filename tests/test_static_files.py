"""Static files: the vendored plotly.js bundle, its precompressed copies, caching and headers."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from selfassess.resources import PACKAGE_DIR, templates_dir

VENDOR = PACKAGE_DIR / "static" / "vendor"


def bundle_name() -> str:
    """Return the bundle file that the pages load (named in _plotly_head.html)."""
    head = (templates_dir() / "_plotly_head.html").read_text(encoding="utf-8")
    match = re.search(r"filename='vendor/(plotly-selfassess-[\d.]+\.min\.js)'", head)
    assert match, "_plotly_head.html names no vendor/plotly-selfassess-<version>.min.js"
    return match.group(1)


def test_pages_load_the_one_vendored_bundle():
    assert [p.name for p in VENDOR.glob("plotly-selfassess-*.min.js")] == [bundle_name()]
    assert (VENDOR / "LICENSE-plotly.txt").read_text(encoding="utf-8").startswith("plotly.js ")


def test_compressed_copies_are_fresh():
    # WhiteNoise serves a .gz or .br as it finds it: a stale one would send old code.
    copies = sorted((PACKAGE_DIR / "static").rglob("*.gz")) + sorted((PACKAGE_DIR / "static").rglob("*.br"))
    assert {p.name for p in copies} == {bundle_name() + ".gz", bundle_name() + ".br"}
    for copy in copies:
        decompress = gzip.decompress if copy.suffix == ".gz" else brotli.decompress
        assert decompress(copy.read_bytes()) == copy.with_suffix("").read_bytes(), (
            f"{copy} is stale: run build-plotly.sh"
        )


@pytest.mark.parametrize(
    ("accept", "encoding", "suffix"),
    [("gzip, deflate, br, zstd", "br", ".br"), ("gzip", "gzip", ".gz"), ("", None, "")],
)
def test_bundle_is_served_compressed_and_immutable(client, accept, encoding, suffix):
    name = bundle_name()
    response = client.get(f"/static/vendor/{name}", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert response.get_data() == (VENDOR / (name + suffix)).read_bytes()
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["style.css", "report.js", "plotly.css"])
def test_other_static_files_are_revalidated(client, name):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(f"/static/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_whole_plotly_is_gone(client):
    assert client.get("/static/vendor/plotly.min.js").status_code == 404
