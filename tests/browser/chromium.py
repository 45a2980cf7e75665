"""How the browser tests and bench/frontend_render.py start Debian's chromium.

Headless, never a downloaded browser; the flags keep chromium off this
machine's closed network (background fetches, updates, sync).
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright):
    """Starts headless Debian chromium with Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
