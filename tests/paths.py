"""Where the checkout and the tests are, for tests at any depth of tests/."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent  # this checkout: its ddtui is what subprocesses must import
