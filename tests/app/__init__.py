"""AppTest tests: every page through the router, and the flows a marketer follows on each page."""
