"""The review screen in a real browser (issue 19): headless Chromium, driven by Playwright, against a
real JupyterLab started as `make lab` starts it, on the project's kernel (over socket files). It
opens the review notebook on a run made here (a synthetic extract, a temporary log folder), runs
it, clicks Yes on the first candidate and No on the second, and finds both in the review store.
Screenshots of the review screen are kept in the test's temporary folder (they show circumstances
text: restricted). Nothing is fetched from the network.

Skipped, saying so, where Chromium or Playwright is missing, unless FOI_REQUIRE_BROWSER is set (CI),
as tests/test_browser.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from builders import sample_or_synthetic
from lab_server import running_lab

from helpers.analysis import review
from helpers.analysis.review_store import ReviewStore
from helpers.project import project_root

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
REQUIRED = bool(os.environ.get("FOI_REQUIRE_BROWSER"))
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the dev extras install it
    sync_playwright = None

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif((CHROMIUM is None or sync_playwright is None) and not REQUIRED, reason="chromium or playwright is not installed (apt-get install -y chromium; make setup): the browser test of the review screen is skipped"),
]

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
BIN = Path(sys.executable).parent

#: no network: Chromium's own background fetches off, and no proxy or name that works (the lab is
#: reached by its address, 127.0.0.1, which needs neither)
OFFLINE = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def test_a_browser_and_playwright_are_there_when_required():
    assert (CHROMIUM is not None and sync_playwright is not None) or not REQUIRED, "FOI_REQUIRE_BROWSER is set but chromium or playwright is missing"


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> Path:
    return sample_or_synthetic(tmp_path_factory)


def test_a_reviewer_clicks_yes_then_no_and_both_are_in_the_store(tmp_path, extracts):
    log, out = tmp_path / "log", tmp_path / "outputs"
    env = {"FOI_LOG_DIR": str(log)}
    done = subprocess.run([BIN / "foi-briefing", "run", PARAMS, "--extracts", extracts, "--out", out, "--formats", "html", "--no-progress"], capture_output=True, text=True, cwd=ROOT, env=os.environ | env)
    assert done.returncode == 0, done.stderr[-3000:]
    worklist = review.read_candidates(out / "20180075" / "restricted" / review.CANDIDATES_FILE)
    assert len(worklist) >= 2
    first, second = worklist["reference"].iloc[:2]

    # the review notebook with this run's parameters, as papermill would give them, not run
    lab_root = tmp_path / "lab"
    lab_root.mkdir()
    prepared = subprocess.run(
        [BIN / "papermill", ROOT / "notebooks" / "evidence_review.ipynb", lab_root / "review.ipynb", "--prepare-only",
         "-p", "parameters_file", str(PARAMS), "-p", "extracts_dir", str(extracts), "-p", "output_dir", str(out), "-p", "reviewer", "AB"],
        capture_output=True, text=True,
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]

    store = ReviewStore.for_request(log, "20180075")
    shots = tmp_path / "screenshots"
    with running_lab(tmp_path, env=env, args=(f"--ServerApp.root_dir={lab_root}",)) as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=OFFLINE)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(45_000)
            page.goto(f"{lab.url}lab/tree/review.ipynb?token={lab.token}&reset")
            page.get_by_text("Python (foi-briefing) | Idle").wait_for()  # its kernel, started
            # a restart and run of every cell: the run waits for the kernel, however long it takes
            page.get_by_role("menuitem", name="Kernel", exact=True).click()
            page.get_by_role("menuitem", name="Restart Kernel and Run All Cells…").click()
            page.locator(".jp-Dialog .jp-mod-accept").click()
            yes = page.get_by_role("button", name="Yes (y)")
            try:
                yes.wait_for()
            except Exception:
                page.screenshot(path=tmp_path / "failed.png")
                raise
            screen = page.locator(".foi-review")
            screen.scroll_into_view_if_needed()
            shots.mkdir()
            screen.screenshot(path=shots / "review-screen.png")
            assert first in screen.inner_text() and "still to decide" in screen.inner_text()

            yes.click()
            page.get_by_text(f"{first}: yes, recorded.").wait_for()
            assert second in screen.locator("h3").inner_text()
            page.get_by_role("button", name="No (n)").click()
            page.get_by_text(f"{second}: no, recorded.").wait_for()
            screen.screenshot(path=shots / "review-screen-after.png")
            # the keys, with the pointer over the candidate (ipyevents): s skips the third
            third = worklist["reference"].iloc[2] if len(worklist) > 2 else first
            screen.locator("h3").hover()
            page.keyboard.press("s")
            page.get_by_text(f"{third}: skipped.").wait_for()

            # the worklist table: the text has the room, left-aligned, whatever JupyterLab's CSS
            page.locator("table.worklist tbody tr").nth(1).screenshot(path=shots / "worklist-row.png")
            widths = page.locator("table.worklist thead th").evaluate_all("cells => cells.map(c => c.getBoundingClientRect().width)")
            align = page.locator("table.worklist td.text").first.evaluate("c => getComputedStyle(c).textAlign")
            assert widths[3] > 5 * widths[0] and align == "left"

            # saved, and opened as a copy (changed, so not trusted: JupyterLab keeps no <style> of
            # its outputs, as for a notebook from elsewhere): each mark keeps its look
            page.keyboard.press("Control+s")
            page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')")
            saved = nbformat.read(lab_root / "review.ipynb", as_version=4)
            saved.metadata["reopened"] = True
            nbformat.write(saved, lab_root / "reopened.ipynb")
            page.goto(f"{lab.url}lab/tree/reopened.ipynb?token={lab.token}&reset")  # that one only
            page.locator("#jp-main-statusbar [title='reopened.ipynb']").wait_for()
            negated = page.locator("table.worklist mark.negated").first
            negated.wait_for(state="attached")
            assert page.locator("#jp-main-statusbar [title^='Notebook not trusted']").count() == 1
            assert page.locator(".jp-NotebookPanel").count() == 1
            look = negated.evaluate("m => [getComputedStyle(m).textDecorationLine, getComputedStyle(m).outlineStyle]")
            assert look == ["line-through", "dashed"]
        finally:
            browser.close()

    decided = store.latest()
    assert {reference: decided[reference].decision for reference in (first, second)} == {first: "yes", second: "no"}
    assert {decided[reference].reviewer for reference in (first, second)} == {"AB"}
    for shot in ("review-screen.png", "review-screen-after.png", "worklist-row.png"):
        assert (shots / shot).stat().st_size > 10_000
