"""Fastlings: learn modern FastAPI by making failing checks pass."""

__version__ = "0.1.0"
