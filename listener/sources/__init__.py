"""Source configs: one file per platform, each turning its config into a CrawlSpec."""
