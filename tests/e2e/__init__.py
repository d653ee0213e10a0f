"""End-to-end tests: a real server and headless Chromium (Debian package), required in CI."""
