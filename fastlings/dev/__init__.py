"""Maintainer tools: the verify gate, lesson snippets and derived files, scaffolding."""
