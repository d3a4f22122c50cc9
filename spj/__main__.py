"""`python -m spj` runs the `spj` command."""

from .cli import main

main()
