"""Take the README's screenshot of the founding case's belief timeline page.

    .venv/bin/python scripts/screenshot.py [OUT.png]

Opens the page in headless Chromium (Debian's chromium and chromium-driver) at
1400 px, moves the date cursor to 25 July 2018, focuses the marker of the
dispute of one account of the death of Baghdadi's son so its details show, and
saves the page as a 256-colour PNG (default: docs/founding-case.png).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.keys import Keys

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "examples"))

import founding_case  # noqa: E402

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def main(out: Path) -> None:
    """Write the screenshot to ``out``."""
    folder = Path(tempfile.mkdtemp(prefix="ledger-shot-"))
    try:
        page = founding_case.write_page(founding_case.load(), folder)
        options = webdriver.ChromeOptions()
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={folder / 'profile'}")
        options.add_argument("--window-size=1400,1000")
        driver = webdriver.Chrome(
            options=options, service=Service("/usr/bin/chromedriver")
        )
        try:
            driver.get(page.as_uri())
            box = driver.find_element("id", "cursor-date")
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(Keys.BACKSPACE)
            box.send_keys("2018-07-25")
            height = driver.execute_script(
                "return document.documentElement.scrollHeight"
            )
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": 1400,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            )
            row = "[data-key='baghdadi-son-suicide-attack-2018']"
            marks = driver.find_elements(
                "css selector", f"{row} .mark[data-kind='disputed']"
            )
            driver.execute_script("arguments[0].focus()", marks[0])
            raw = folder / "shot.png"
            driver.save_screenshot(str(raw))
        finally:
            driver.quit()
        image = Image.open(raw).convert("RGB")
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            out, optimize=True
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "founding-case.png"
    )
