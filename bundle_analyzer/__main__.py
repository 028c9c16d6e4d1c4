"""``python -m bundle_analyzer`` runs the ``cnibundle`` command."""

from bundle_analyzer.cli.app import main

main()
