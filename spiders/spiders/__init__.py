"""One spider per platform; ``spiders.registry`` lists them."""
