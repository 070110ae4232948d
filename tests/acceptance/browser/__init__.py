"""End-to-end tests in a real browser (Debian's chromium through Playwright) against the served app."""
