"""The screenshot of the planner's page in docs/page.md (docs/img/page.png), taken anew.

    .venv/bin/python benchmarks/page_screenshot.py [--seconds 20] [--why 2]

A real `ledokol serve` and Debian's chromium (headless, through Playwright, every host but the
service's unreachable): crimea solved on the page, then why for r05 in 2027-05 within the
given seconds (issue 16's goal on crimea), the whole page captured.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

OUT = HERE.parent / "docs" / "img" / "page.png"
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def main() -> None:
    from playwright.sync_api import sync_playwright
    from service import KEY_A, Service

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="the solve's time")
    parser.add_argument("--why", type=float, default=2.0, help="the why's time")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed (tests/ci/chromium.sh installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Path(tmp) / "data").start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu", OFFLINE]
                )
                tab = browser.new_page(viewport={"width": 1400, "height": 900})
                tab.goto(f"{svc.url}/")
                tab.fill("#key", KEY_A)
                tab.dispatch_event("#key", "change")
                tab.wait_for_selector("#dataset option[value='crimea']", state="attached")
                tab.select_option("#dataset", "crimea")
                tab.wait_for_function("!document.getElementById('solve').disabled")
                tab.fill("#seconds", f"{args.seconds:g}")
                tab.click("#solve")
                tab.wait_for_selector("#result:not([hidden])", timeout=600_000)
                tab.fill("#seconds", f"{args.why:g}")
                tab.click("#schedule-table td[data-person='r05'][data-period='4']")
                tab.wait_for_selector("#why-table", timeout=300_000)
                tab.screenshot(path=str(OUT), full_page=True)
                browser.close()
        finally:
            svc.stop()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
