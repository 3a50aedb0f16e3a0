"""The run record and its judgement: JUnit, verdicts per test, suite, requirement and plan, history.

May import: regress.manifest (model only), regress.errors; never proc, running or reporting.
"""
