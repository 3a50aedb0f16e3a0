"""The manifest: suites.yaml read into frozen dataclasses (model, YAML reader, loading, selection).

May import: regress.errors and the standard library, PyYAML; nothing else of regress.
"""
