"""Sentiment scorers: each one file behind the ``Scorer`` protocol in ``base.py``."""
