"""``listener demo``: a seeded crisis for a fictional brand, served by a local simulated
platform and run through the real pipeline (``run``); the local stand-ins the demo and
the tests share (the platform server, the Slack Web API, an HTTP recorder)."""
