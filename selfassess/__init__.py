"""selfassess: self-assessment question banks, pluggable scoring and peer benchmarking."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # `selfassess.create_app` for gunicorn, without importing Flask for every CLI command.
    if name == "create_app":
        from selfassess.web import create_app

        return create_app
    raise AttributeError(name)
