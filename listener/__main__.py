"""``python -m listener`` is the same as the ``listener`` command."""

from listener.cli import main

main()
