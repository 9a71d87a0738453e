"""The baseline for bench_web.py: a bare Flask "hello" route."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
