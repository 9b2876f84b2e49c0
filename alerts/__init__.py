"""Notifiers and message rendering. Imports only ``listener.domain``."""
