"""The code the phase-97 mutations break: the fixture's "system under test"."""


def add(a: int, b: int) -> int:
    return a + b
