"""Spike detectors: each one file behind the ``Detector`` base in ``base.py``."""
