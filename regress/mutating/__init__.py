"""`regress mutate`: mutants in throwaway git worktrees, each run by a real `regress run`.

May import: regress.judging, regress.proc, regress.manifest, regress.errors; never running or
reporting.
"""
