"""``python -m imagesweep``: the same as the ``imagesweep`` command."""

from imagesweep.cli import main

main()
