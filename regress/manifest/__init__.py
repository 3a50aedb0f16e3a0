"""The manifest: suites.yaml read into frozen dataclasses (model, YAML reader, loading, selection).

May import: regress.errors and the standard library, PyYAML; nothing else of regress.
"""

DEFAULT_MANIFEST = "suites.yaml"  # here, not in load.py: the CLI names it without loading YAML
