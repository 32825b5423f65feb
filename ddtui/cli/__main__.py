"""`python -m ddtui.cli`: the same as the `ddtui` command."""

from ddtui.cli import main

main()
