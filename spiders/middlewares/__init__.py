"""Downloader middlewares: rotating identity, retries with exponential backoff."""
