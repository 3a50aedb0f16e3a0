"""One module per `regress` command: each turns a frozen options object into a result to render.

May import: every part below it (running, reporting, judging, proc, manifest, parity); never cli.
"""
