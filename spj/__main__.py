"""`python -m spj` runs the `spj` command."""

from spj.cli.app import main

main()
