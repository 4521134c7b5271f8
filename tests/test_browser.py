"""The published briefing in a real browser: headless Chromium, cut off from the network, opens the
`release/briefing.html` of a real run and finds the answer table and the chart; its screenshot is
kept in the run's `restricted/` folder (a picture of the page is for the force until it is released).

Skipped, saying so, where Chromium is not installed (`apt-get install -y chromium`; CI installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from builders import SAMPLE
from PIL import Image

from helpers.project import project_root
from helpers.request import tables as response

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium): the browser test of the briefing is skipped"),
]

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
BIN = Path(sys.executable).parent

#: no network at all: no proxy that works, no name that resolves, no background fetches
OFFLINE = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A real run of request 20180075: on the shared sample export where it is, else synthetic."""
    out = tmp_path_factory.mktemp("browser")
    if (SAMPLE / "CMS_CRIMES.csv").is_file():
        extracts = SAMPLE
    else:
        from helpers.synthetic.generator import generate_extracts

        extracts = out / "extracts"
        generate_extracts(extracts, n_crimes=20_000)
    done = subprocess.run(
        [BIN / "foi-briefing", "run", PARAMS, "--extracts", extracts, "--out", out / "outputs", "--formats", "html", "--no-progress"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return out / "outputs" / "20180075"


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium with a new, empty profile and no network."""
    profile.mkdir(parents=True, exist_ok=True)
    assert not any(profile.iterdir()), "each browser run starts from an empty profile"
    done = subprocess.run([CHROMIUM, *OFFLINE, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def dom(run, tmp_path_factory) -> BeautifulSoup:
    page = (run / "release" / "briefing.html").as_uri()
    done = chromium(tmp_path_factory.mktemp("profile"), "--dump-dom", "--virtual-time-budget=5000", page)
    return BeautifulSoup(done.stdout, "html.parser")


def test_the_browser_shows_the_answer_table_with_the_released_figures(dom, run):
    captions = [caption.get_text() for caption in dom.select("figure.table > figcaption")]
    assert captions[0].startswith("Table 1: People charged in 2017") and len(captions) == 6
    answer = dom.select_one("figure.table table.figures")
    rows = {row.th.get_text(): [cell.get_text() for cell in row.find_all("td")] for row in answer.select("tbody tr")}
    released = pd.read_csv(run / "release" / "tables" / "people_charged.csv", dtype=str, keep_default_na=False)
    assert rows == {label: [value] for label, value in released.to_numpy().tolist()}
    assert list(rows)[-1] == response.VIGILANTE_ROW


def test_the_browser_shows_the_chart_with_its_alt_text(dom):
    chart = dom.select_one("figure.chart")
    assert chart.figcaption.get_text().startswith("Figure 1: Offences of")
    image = chart.img
    assert image["src"].startswith("data:image/svg+xml;base64,")
    assert image["alt"].startswith("Stacked bar chart of the offences recorded each year")


def test_the_page_is_the_briefing_and_nothing_else(dom):
    text = dom.get_text(" ")
    assert dom.select_one("section.key-facts") and dom.select_one("header.masthead h1")
    assert not dom.find_all("script") and not dom.select("input, textarea, iframe")
    for leak in ("Traceback", "Warning", "<HTML fragment>", "DataFrame", "object at 0x", "In [", "Out["):
        assert leak not in text, leak


def test_the_embedded_chart_decodes_in_the_browser(run, tmp_path_factory):
    # a restricted copy of the page that reports the chart's decoded size into the DOM
    probe = run / "restricted" / "browser_probe.html"
    page = (run / "release" / "briefing.html").read_text(encoding="utf-8")
    script = "<script>window.addEventListener('load',()=>{const i=document.querySelector('figure.chart img');document.body.dataset.chart=i.naturalWidth+'x'+i.naturalHeight;});</script>"
    probe.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
    done = chromium(tmp_path_factory.mktemp("profile"), "--dump-dom", "--virtual-time-budget=5000", probe.as_uri())
    width, height = map(int, BeautifulSoup(done.stdout, "html.parser").body["data-chart"].split("x"))
    # the SVG's own size, in CSS pixels: about 7 by 3.5 inches, legend included
    assert width > 500 and 1.5 < width / height < 3


def test_a_screenshot_of_the_briefing_is_kept_in_restricted(run, tmp_path_factory):
    shot = run / "restricted" / "briefing_screenshot.png"
    chromium(tmp_path_factory.mktemp("profile"), f"--screenshot={shot}", "--window-size=1000,2200", "--virtual-time-budget=5000", (run / "release" / "briefing.html").as_uri())
    with Image.open(shot) as picture:
        assert picture.size == (1000, 2200)
        colours = picture.convert("L").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 50  # text, rules and the chart: not a blank page
    assert not (run / "release" / shot.name).exists()
