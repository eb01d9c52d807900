"""Shared pytest set-up.

Browser tests (marked ``browser``) drive Debian's Chromium at /usr/bin/chromium through
Playwright. When Chromium or Playwright is missing they are skipped with the reason,
unless ``GMPLAB_REQUIRE_BROWSER=1`` is set (as CI does), in which case they fail: a green
CI must mean the browser really ran.
"""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("GMPLAB_CHROMIUM", "/usr/bin/chromium")


def browser_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return (f"no Chromium at {CHROMIUM} (install Debian's 'chromium' package, or point "
                "GMPLAB_CHROMIUM at a Chromium binary)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python 'playwright' package is not installed (pip install -e '.[test]')"
    return None


def pytest_runtest_setup(item):
    if "browser" not in item.keywords:
        return
    reason = browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("GMPLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GMPLAB_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason}")


# CI checks a fixed, reproducible set of hypothesis examples (a red CI must be replayable);
# local runs keep exploring new ones.
from hypothesis import settings as _settings  # noqa: E402

_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    _settings.load_profile("ci")
