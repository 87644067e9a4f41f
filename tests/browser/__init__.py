"""End-to-end tests: the Voila app in a real browser (Debian's Chromium, driven by Playwright)."""
