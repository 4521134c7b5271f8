"""The published briefing in a real browser: headless Chromium, cut off from the network, opens the
`release/briefing.html` of a real run and finds the answer table and the chart; its screenshot is
kept in the run's `restricted/` folder (a picture of the page is for the force until it is released).

Skipped, saying so, where Chromium is not installed (`apt-get install -y chromium`; CI installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from builders import sample_or_synthetic
from PIL import Image

from helpers.briefing.report import smart_quotes
from helpers.project import project_root
from helpers.request.parameters import VIGILANTE_ROW

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)

#: CI (`.ci/run` installs Chromium) must run the browser tests: there a missing browser fails them
REQUIRED = bool(os.environ.get("FOI_REQUIRE_BROWSER"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason="chromium is not installed (apt-get install -y chromium): the browser test of the briefing is skipped"),
]


def test_a_browser_is_there_when_one_is_required():
    assert CHROMIUM is not None or not REQUIRED, "FOI_REQUIRE_BROWSER is set but no chromium is installed"

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
def extracts(tmp_path_factory) -> Path:
    return sample_or_synthetic(tmp_path_factory)


def foi_run(params: Path, extracts: Path, out: Path) -> Path:
    done = subprocess.run(
        [BIN / "foi-briefing", "run", params, "--extracts", extracts, "--out", out / "outputs", "--formats", "html", "--no-progress"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return out / "outputs" / "20180075"


@pytest.fixture(scope="module")
def run(extracts, tmp_path_factory) -> Path:
    """A real run of request 20180075."""
    return foi_run(PARAMS, extracts, tmp_path_factory.mktemp("browser"))


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
    assert list(rows)[-1] == VIGILANTE_ROW


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


POLICY = '<meta http-equiv="Content-Security-Policy" content="'


def with_probe(page: str, script: str) -> str:
    """A copy of the page with a script of the test's own: the page's policy allows no script,
    so the copy's allows this one (by its nonce), and no other, and the script comes first."""
    assert page.count(POLICY) == 1, "the page carries its Content-Security-Policy"
    start = page.index(POLICY) + len(POLICY)
    end = page.index('"', start)
    policy = page[start:end] + "; script-src 'nonce-probe'"
    return page[:start] + policy + page[end:].replace("\n", f"\n<script nonce=\"probe\">{script}</script>\n", 1)


def dump_dom(page: str, folder: Path) -> BeautifulSoup:
    """The page's DOM after it loaded, script enabled (Chromium's default)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "page.html"
    path.write_text(page, encoding="utf-8")
    done = chromium(folder / "profile", "--dump-dom", "--virtual-time-budget=5000", path.as_uri())
    return BeautifulSoup(done.stdout, "html.parser")


def test_the_embedded_chart_decodes_in_the_browser(run, tmp_path_factory):
    # a restricted copy of the page that reports the chart's decoded size into the DOM
    probe = run / "restricted" / "browser_probe.html"
    page = (run / "release" / "briefing.html").read_text(encoding="utf-8")
    script = "window.addEventListener('load',()=>{const i=document.querySelector('figure.chart img');document.body.dataset.chart=i.naturalWidth+'x'+i.naturalHeight;});"
    probe.write_text(with_probe(page, script), encoding="utf-8")
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


# ---- no script runs in the briefing (issue 17): script enabled, a policy-violation listener


def _mark(name: str, page: str = "document") -> str:
    """Script that adds `name` to the page's `data-ran` attribute, if it runs."""
    return f"{page}.documentElement.dataset.ran=({page}.documentElement.dataset.ran||'')+' {name}'"


#: what went through live before, each marking the page if it runs (a link's runs when clicked)
PAYLOADS = {
    "script": f"<script>{_mark('script')}</script>",
    "svg": f'<svg onload="{_mark("svg")}"></svg>',
    "details": f'<details open ontoggle="{_mark("details")}">x</details>',
    "iframe": f'<iframe srcdoc="<script>{_mark("iframe", "parent.document")}</script>"></iframe>',
    "link": f'<a href="javascript:void({_mark("link")})">more</a>',
    "img": f'<img alt="x" src="data:image/png;base64,AAAA" onerror="{_mark("img")}"/>',
}
#: the probe: records each violation of the policy, then clicks every `javascript:` link
LISTENER = (
    "const seen=[];document.addEventListener('securitypolicyviolation',e=>{seen.push(e.effectiveDirective);"
    "document.documentElement.dataset.violations=seen.join(' ');});"
    "window.addEventListener('load',()=>{document.querySelectorAll('a[href^=\"javascript:\"]').forEach(a=>a.click());"
    "document.documentElement.dataset.probe='ran';});"
)


def ran(dom: BeautifulSoup) -> set[str]:
    return set(dom.html.get("data-ran", "").split())


@pytest.fixture(scope="module")
def hostile_run(extracts, tmp_path_factory) -> Path:
    """A run whose parameters carry every payload: in `offence_description`, a question and the title."""
    import yaml

    out = tmp_path_factory.mktemp("hostile")
    values = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    typed = " ".join(PAYLOADS.values())
    values["offence_description"] = f"grooming {typed}"
    values["questions"][2] = f"Of those, {typed}?"
    values["title"] = f"People charged, {typed}"
    params = out / "20180075.yaml"
    params.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return foi_run(params, extracts, out)


def test_parameters_texts_full_of_markup_run_nothing_and_show_as_typed(hostile_run, tmp_path):
    page = (hostile_run / "release" / "briefing.html").read_text(encoding="utf-8")
    dom = dump_dom(page, tmp_path)
    assert ran(dom) == set()
    assert not dom.select("script, svg, details, iframe, a, img[onerror]")
    typed = " ".join(PAYLOADS.values())
    shown = dom.get_text()

    def times(text: str) -> int:  # as typed, or with typographic quotes (`report.smart_quotes`)
        return shown.count(text) + shown.count(smart_quotes(text))

    assert times(f"grooming {typed}") >= 3  # the answer's context, Table 2's title, the note
    assert times(f"Of those, {typed}?") == 1
    assert times(f"People charged, {typed}") == 2  # the page's title and its heading
    assert dom.title.get_text() == f"FOI 20180075: People charged, {typed}"


def test_markup_planted_in_the_page_runs_nothing_under_its_policy(run, tmp_path):
    """As if a text had reached the page unescaped: the page's own policy stops every payload
    (and a copy without the policy shows they would have run, script being enabled)."""
    page = (run / "release" / "briefing.html").read_text(encoding="utf-8")
    planted = page.replace("</main>", "".join(PAYLOADS.values()) + "</main>", 1)
    assert ran(dump_dom(planted, tmp_path / "policy")) == set()
    unprotected = "".join(line for line in planted.splitlines(keepends=True) if not line.startswith(POLICY))
    assert unprotected != planted
    clicking = unprotected.replace("<head>\n", f"<head>\n<script>{LISTENER}</script>\n", 1)
    assert ran(dump_dom(clicking, tmp_path / "none")) == set(PAYLOADS)


def test_a_policy_violation_listener_sees_each_payload_blocked(run, tmp_path):
    page = (run / "release" / "briefing.html").read_text(encoding="utf-8")
    planted = page.replace("</main>", "".join(PAYLOADS.values()) + "</main>", 1)
    dom = dump_dom(with_probe(planted, LISTENER), tmp_path)
    assert dom.html.get("data-probe") == "ran"  # script is enabled: the test's own ran
    assert ran(dom) == set()
    violations = sorted(dom.html.get("data-violations", "").split())
    # the script element and the link; the three handlers (the frame's script, blocked too, is
    # the frame's own violation: a `srcdoc` frame keeps the page's policy)
    assert violations == ["script-src-attr"] * 3 + ["script-src-elem"] * 2, violations


def test_the_briefing_itself_violates_nothing_in_its_policy(run, tmp_path):
    """Its styles, its chart (a `data:` SVG) and its words are all the policy allows."""
    page = (run / "release" / "briefing.html").read_text(encoding="utf-8")
    dom = dump_dom(with_probe(page, LISTENER), tmp_path)
    assert dom.html.get("data-probe") == "ran" and dom.html.get("data-violations") is None
