"""Command-line subcommand groups (one module per group); see :mod:`walkback.cli`."""
