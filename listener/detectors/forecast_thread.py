"""Alias kept for outside evaluations: ``python -m listener.detectors.forecast_thread
[--horizon 24h] [--viral 500] < threads.jsonl`` is ``listener forecast-thread``
(``listener.cli.evaluate``)."""

from __future__ import annotations

import sys

from listener.cli.evaluate import alias, forecast_thread_command


def main(argv: list[str] | None = None) -> int:
    return alias(forecast_thread_command, argv, "python -m listener.detectors.forecast_thread")


if __name__ == "__main__":
    sys.exit(main())
