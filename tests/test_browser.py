"""The built site in a real headless Chromium (Debian's, driven by Playwright).

Every page loads without console errors from the site itself, every image loads, notebook pages
carry launch and download buttons, and the search page finds a word of chapter 1.  Requests to
other hosts (fonts, MathJax from a CDN) cannot succeed on an offline test machine; they are
answered with an empty body so that they neither hang nor count as the site's own errors, and
they are listed in the test output; the formula test aborts them instead, to show that every
formula renders without network (the site serves its own MathJax).  Locally the tests skip
when Chromium is missing; with REQUIRE_BROWSER=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import shutil
import threading
import zipfile

import pytest

from conftest import NOTEBOOKS, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
    "chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no chromium executable was found "
                        "(apt-get install chromium, or set CHROMIUM=/path/to/chromium)")
        pytest.skip("Chromium not found: install Debian's chromium to run the browser checks")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    handler = functools.partial(QuietHandler, directory=str(built_book.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


def open_page(browser, site, path, offline=False):
    """Load a page; return it with the site's own console errors and the external requests,
    which are answered with an empty body, or aborted (no network at all) when ``offline``."""
    page = browser.new_page()
    errors, external = [], []

    def on_request(route):
        url = route.request.url
        if url.startswith(site) or url.startswith("data:"):
            route.continue_()
        else:
            external.append(url)
            if offline:
                route.abort()
            else:
                route.fulfill(status=200, body="", content_type="text/plain")

    page.route("**/*", on_request)
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" and str(m.location.get("url", "")).startswith(site) else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    response = page.goto(f"{site}/{path}", wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    return page, errors, external


@pytest.mark.parametrize("entry", toc_files())
def test_page_loads_cleanly_with_all_images(browser, site, entry):
    page, errors, external = open_page(browser, site, f"{entry}.html")
    if external:
        print(f"{entry}: answered {len(external)} external request(s) offline, e.g. {external[0]}")
    broken = page.evaluate("""() => Array.from(document.images)
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)""")
    page.close()
    assert not errors, f"{entry}: console errors {errors}"
    assert not broken, f"{entry}: images that did not load {broken}"


@pytest.mark.parametrize("nb", [p.stem for p in NOTEBOOKS])
def test_notebook_pages_have_launch_and_download_buttons(browser, site, nb):
    page, errors, _ = open_page(browser, site, f"notebooks/{nb}.html")
    launch = page.evaluate("""() => Array.from(
        document.querySelectorAll('.dropdown-launch-buttons a')).map(a => a.href)""")
    download = page.evaluate("""() => Array.from(
        document.querySelectorAll('.dropdown-download-buttons a')).map(a => a.href)""")
    repo = page.evaluate("""() => Array.from(
        document.querySelectorAll('.dropdown-source-buttons a')).map(a => a.href)""")
    page.close()
    for host in ("mybinder.org", "colab.research.google.com"):
        assert any(host in url for url in launch), f"no {host} launch button in {launch}"
    # no JupyterHub button until an instructor sets a real hub (issue 26: no dead button)
    assert not any("git-pull" in url or "example." in url for url in launch), launch
    assert any(url.endswith(f"{nb}.ipynb") for url in download), download
    assert any(url.endswith(".pdf") or "print" in url or url.endswith(".ipynb")
               for url in download)
    assert any("issues" in url for url in repo), f"no issues button in {repo}"
    assert not errors


def test_search_finds_chapter_one(browser, site):
    page, errors, _ = open_page(browser, site, "search.html?q=lacunarity")
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = page.evaluate("""() => Array.from(
        document.querySelectorAll('#search-results ul.search li a')).map(a => a.href)""")
    page.close()
    assert any("01_landscapes" in h for h in hits), hits
    assert not errors


def test_formulas_render_with_the_network_blocked(browser, site):
    """Every formula of every page is typeset by the MathJax the site serves itself: requests to
    other hosts are aborted, as on a machine without network (issue 13)."""
    blocked, formulas = [], 0
    for entry in toc_files():
        page, _, external = open_page(browser, site, f"{entry}.html", offline=True)
        blocked += external
        page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
        }""")
        found = page.evaluate("""() => {
            const maths = Array.from(document.querySelectorAll('.math'));
            return {total: maths.length,
                    raw: maths.filter(m => !m.querySelector('mjx-container'))
                              .map(m => m.textContent.slice(0, 80))};
        }""")
        page.close()
        assert not found["raw"], f"{entry}: formulas left as raw TeX: {found['raw'][:3]}"
        formulas += found["total"]
    assert formulas >= 10, f"only {formulas} formulas in the whole book: is math detected?"
    assert not [u for u in blocked if "mathjax" in u.lower()], "MathJax requested from a CDN"


@pytest.mark.parametrize("entry", ["book/instructors", "book/setup"])
def test_student_edition_download_link_works(browser, site, entry):
    page, errors, _ = open_page(browser, site, f"{entry}.html")
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a'))
        .map(a => a.href).filter(h => h.endsWith('student-edition.zip'))""")
    assert links, f"{entry}: no link to the student edition"
    response = page.request.get(links[0])
    body = response.body()
    page.close()
    assert response.ok and body[:2] == b"PK", f"{entry}: {links[0]} is not a zip"
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert sorted(names) == sorted(f"student/{nb.name}" for nb in NOTEBOOKS)
    assert not errors


def test_a_chapter_links_to_the_api_reference_and_its_source(browser, site):
    """Issue 36: a reader follows a function's name in chapter 5b to its API entry, which
    names the chapter back and links to the code that runs."""
    page, errors, _ = open_page(browser, site, "notebooks/05b_relational_latent_space.html")
    link = page.locator("a.reference.internal:has(code.py-func)", has_text="augment_objects")
    link.first.click()
    page.wait_for_load_state("load")
    assert "/book/api/relations.html#utils.objects.augment_objects" in page.url, page.url
    entry = page.locator('dl:has(> dt[id="utils.objects.augment_objects"])')
    assert entry.is_visible()
    text = entry.inner_text()
    assert "Used in chapters:" in text and "5b" in text, text[-300:]
    entry.locator("a:has(.viewcode-link)").first.click()
    page.wait_for_load_state("load")
    assert "/_modules/utils/objects.html" in page.url, page.url
    assert "def augment_objects" in page.inner_text("body")
    page.close()
    assert not errors, errors


def read_images(page) -> list[dict]:
    """Every image in the page's article: its alt text and its top-left pixel as drawn."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('article img'))
        .map(img => {
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(img, 0, 0);
            const pixel = Array.from(ctx.getImageData(1, 1, 1, 1).data);
            return {src: img.src.split('/').pop(), alt: img.getAttribute('alt'), pixel,
                    filter: getComputedStyle(img).filter};
        })""")


@pytest.mark.parametrize("nb", [p.stem for p in NOTEBOOKS])
def test_every_image_of_a_chapter_has_meaningful_alt_text(browser, site, nb):
    """Issue 36: what a screen reader says instead of each figure, read in the browser."""
    page, errors, _ = open_page(browser, site, f"notebooks/{nb}.html")
    images = read_images(page)
    page.close()
    assert images, f"{nb}: no image"
    for image in images:
        alt = (image["alt"] or "").strip()
        words = alt.split()
        assert len(words) >= 4 and alt.lower() not in {"png", "image", "figure", "output"}, (
            f"{nb}: {image['src']} has no meaningful alt text: {alt!r}")
    assert not errors


def test_figures_stand_on_their_light_background_in_dark_mode(browser, site):
    """Issue 36: the theme's dark mode (its switch stores the choice in localStorage) leaves
    every figure on its own opaque, light background: drawn for a light page, readable on a
    dark one."""
    page = browser.new_page(color_scheme="dark")
    page.add_init_script("localStorage.setItem('mode', 'dark');"
                         "localStorage.setItem('theme', 'dark');")
    checked = 0
    for nb in [p.stem for p in NOTEBOOKS]:
        page.goto(f"{site}/notebooks/{nb}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        theme = page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == "dark", f"{nb}: the page did not switch to dark mode ({theme})"
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        rgb = [int(v) for v in re.findall(r"\d+", background)[:3]]
        assert max(rgb) < 100, f"{nb}: the dark page has a light background {background}"
        for image in read_images(page):
            r, g, b, a = image["pixel"]
            assert a == 255 and min(r, g, b) >= 200, (
                f"{nb}: {image['src']} does not stand on a light background in dark mode: "
                f"corner pixel {image['pixel']}")
            assert "invert" not in image["filter"], f"{nb}: {image['src']} is inverted"
            checked += 1
    page.close()
    assert checked >= 20, f"only {checked} images checked in dark mode"
