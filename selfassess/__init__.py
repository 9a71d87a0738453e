"""selfassess: self-assessment question banks, pluggable scoring and peer benchmarking."""

__version__ = "0.1.0"
