"""Static files, served by WhiteNoise: precompressed copies, long caching for versioned names."""

from __future__ import annotations

import re
from wsgiref.headers import Headers

from flask import Flask
from whitenoise import WhiteNoise

from selfassess.web.security import HEADERS

# A file whose name carries its version (vendor/plotly-selfassess-4.1.1.min.js) never changes:
# browsers keep it for a year without asking again.
VERSIONED = re.compile(r"-\d+(\.\d+)+(\.min)?\.\w+$")


def is_versioned(path: str, url: str) -> bool:
    """Tell whether the file at *url* has a version in its name."""
    return bool(VERSIONED.search(url))


def add_headers(headers: Headers, path: str, url: str) -> None:
    # WhiteNoise answers before Flask, so security.add_headers never sees these responses.
    for name, value in HEADERS:
        headers[name] = value
    if not is_versioned(path, url):
        # The other files change with the app: a browser asks each time (a 304 when unchanged).
        headers["Cache-Control"] = "no-cache"


def init_app(app: Flask) -> None:
    """Serve the static folder at /static/ before Flask, with the .br/.gz copies found beside the files."""
    assert app.static_folder is not None and app.static_url_path is not None
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        max_age=None,
        immutable_file_test=is_versioned,
        add_headers_function=add_headers,
    )
