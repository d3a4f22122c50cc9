"""`python -m spj` runs the `spj` command."""

from spj.cli.entry import main

main()
