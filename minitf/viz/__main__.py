"""``python -m minitf.viz SOURCE -o OUT``: the ``minitf-graph`` command."""

from minitf.viz.cli import main

raise SystemExit(main())
