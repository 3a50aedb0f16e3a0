"""One `regress run`: the passes as named steps, the pytest subprocess and its plugin, the record.

May import: regress.judging, regress.proc, regress.manifest, regress.errors; never reporting.
"""
