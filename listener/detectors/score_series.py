"""Alias kept for outside evaluations: ``python -m listener.detectors.score_series IN.csv
OUT.csv [--bucket 5m]`` is ``listener score-series`` (``listener.cli.evaluate``)."""

from __future__ import annotations

import sys

from listener.cli.evaluate import alias, score_series_command


def main(argv: list[str] | None = None) -> int:
    return alias(score_series_command, argv, "python -m listener.detectors.score_series")


if __name__ == "__main__":
    sys.exit(main())
