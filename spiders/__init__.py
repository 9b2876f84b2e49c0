"""Scrapy spiders that collect brand mentions and write them to the spool.

Imports only ``listener.domain`` and ``listener.spool``: never Elasticsearch,
Slack or torch. Each crawl runs in its own process (``python -m spiders.crawl``).
"""
