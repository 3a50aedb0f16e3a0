"""Processes regress starts and finds again: spawning, ports, the ledger, servers, Xvfb, Chromium.

May import: regress.manifest, regress.errors; never running, judging or reporting.
"""
