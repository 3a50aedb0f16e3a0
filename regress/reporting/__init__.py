"""What people read: the Rich table and live progress, the GSD SUMMARY, listings.

May import: regress.judging, regress.proc (to describe holders), regress.manifest, regress.errors.
"""
