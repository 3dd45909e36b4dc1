"""``python -m bordermap``: the command-line interface."""

from bordermap.cli import main

raise SystemExit(main())
