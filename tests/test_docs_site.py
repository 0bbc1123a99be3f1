"""The docs site (`make docs`: tools/docs.py) opened in headless Chromium, page by page.

Every page of the sidebar and the results page (from a real demo run) must load with no console error, show every
image (`naturalWidth > 0`), have every internal link resolve to a page and, with a fragment, to an element there,
and typeset its maths (MathML laid out by the browser). Screenshots of the index and one capability page are saved
and checked not to be blank. Chromium and chromedriver come from Debian (`make browser` installs them).
"""

import functools
import http.server
import re
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import docs  # noqa: E402  (tools/ is not a package)


@pytest.fixture(scope='module')
def site(tiny_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp('site') / '_docs'
    pages = docs.build(out, tiny_demo)
    return out, pages


@pytest.fixture(scope='module')
def server(site):
    out = site[0]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()


@pytest.fixture(scope='module')
def browser():
    chrome = shutil.which('chromium') or shutil.which('chromium-browser')
    driver = shutil.which('chromedriver')
    if not (chrome and driver):
        pytest.fail(
            'chromium and chromedriver are needed: `make browser` (Debian: apt-get install chromium chromium-driver)'
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = chrome
    for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1400,1000']:
        opts.add_argument(a)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    drv = webdriver.Chrome(service=Service(driver), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def test_every_sidebar_notebook_is_a_page(site):
    out, pages = site
    cfg = yaml.safe_load((ROOT / '_quarto.yml').read_text())
    names = [n for _, ns in docs.sidebar_entries(cfg['website']['sidebar']['contents']) for n in ns]
    assert [p.name for p in pages] == [Path(n).stem + '.html' for n in names] + ['results.html']
    assert len(pages) > 30
    missing = {p.name for p in (ROOT / 'nbs').glob('*.ipynb')} - set(names)
    assert not missing, f'notebooks not in the sidebar of _quarto.yml: {sorted(missing)}'
    idx = (out / 'index.html').read_text()
    for n in names:  # the sidebar of every page links every notebook
        assert f'href="{Path(n).stem}.html"' in idx


def _ids(path: Path) -> set:
    return set(re.findall(r'\sid="([^"]+)"', path.read_text()))


def test_pages_in_chromium(site, server, browser, tmp_path_factory):
    out, pages = site
    problems, n_img, n_math, n_links = [], 0, 0, 0
    ids = {}
    for p in pages:
        browser.get(server + p.name)
        errors = [e['message'] for e in browser.get_log('browser') if e['level'] == 'SEVERE']
        problems += [f'{p.name}: console error {e}' for e in errors]
        bad = browser.execute_script(
            'return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)'
        )
        problems += [f'{p.name}: image not loaded {b}' for b in bad]
        n_img += browser.execute_script('return document.images.length')
        maths = browser.execute_script(
            "return [...document.querySelectorAll('math')].map(m => "
            '[getComputedStyle(m).display, m.getBoundingClientRect().width, m.querySelectorAll("merror").length])'
        )
        for display, width, err in maths:  # laid out as MathML (display "math" / "block math"), not as text
            if 'math' not in display or width <= 0 or err:
                problems.append(f'{p.name}: maths not typeset ({display}, width {width}, {err} errors)')
        n_math += len(maths)
        for href in browser.execute_script('return [...document.querySelectorAll("a[href]")].map(a => a.href)'):
            u = urlparse(href)
            if not href.startswith(server):
                continue
            n_links += 1
            target = out / unquote(u.path.lstrip('/'))
            if not target.is_file():
                problems.append(f'{p.name}: link to a missing page {href}')
            elif u.fragment and target.suffix == '.html':
                ids.setdefault(target, _ids(target))
                if unquote(u.fragment) not in ids[target]:
                    problems.append(f'{p.name}: link to a missing anchor {href}')
    assert not problems, '\n'.join(problems[:40])
    assert n_img >= 20 and n_math >= 20 and n_links > 40 * len(pages) // 2, (n_img, n_math, n_links)
    shots = tmp_path_factory.mktemp('screenshots')
    for name in ['index', '63_counterfactual']:
        browser.get(server + f'{name}.html')
        f = shots / f'{name}.png'
        browser.save_screenshot(str(f))
        a = np.asarray(Image.open(f).convert('L'), np.float32)
        assert a.shape[0] >= 800 and a.std() > 10, f'{f}: a blank screenshot'
    print(f'{len(pages)} pages, {n_img} images, {n_math} formulas, {n_links} internal links; screenshots in {shots}')


def test_results_page_shows_the_demo(site, tiny_demo):
    out, _ = site
    page = (out / 'results.html').read_text()
    assert '<table>' in page and 'Linear probes' in page
    figs = re.findall(r'<img src="(results/figures/[^"]+)"', page)
    assert len(figs) >= 6 and all((out / f).is_file() for f in figs)
    assert (out / figs[0]).read_bytes() == (tiny_demo / figs[0].removeprefix('results/')).read_bytes()


def test_renderer_reads_notebooks_as_quarto_does(tmp_path):
    "Cell options, title cell, {#id} anchors, .ipynb links, maths and an exported function's entry."
    import json

    cells = [
        ('markdown', '# A page\n> Its `subtitle`\n> on two lines'),
        ('markdown', '## Part {#my-part}\n\nSee [there](other.ipynb#x) and $a^2 + b$ and\n\n$$\\sum_i x_i$$'),
        ('code', '#| hide\nsecret = 1'),
        ('code', '#| export\ndef f(x: int = 1) -> int:\n    "Double x."\n    return 2 * x'),
        ('code', '#| echo: false\nshown_output_only = 1'),
        ('code', 'print(1)'),
    ]
    nb = {
        'cells': [
            {
                'cell_type': t,
                'source': s,
                'metadata': {},
                **({'outputs': [], 'execution_count': None} if t == 'code' else {}),
            }
            for t, s in cells
        ],
        'metadata': {},
        'nbformat': 4,
        'nbformat_minor': 5,
    }
    nb['cells'][4]['outputs'] = [{'output_type': 'stream', 'name': 'stdout', 'text': 'visible output\n'}]
    (tmp_path / 'p.ipynb').write_text(json.dumps(nb))
    (tmp_path / 'figures').mkdir()
    page = docs.render_notebook(tmp_path / 'p.ipynb', tmp_path)
    body = ''.join(page.body)
    assert page.title == 'A page' and page.subtitle == 'Its `subtitle` on two lines'
    assert '<h2 id="my-part">Part</h2>' in body and 'href="other.html#x"' in body
    assert body.count('<math') == 2 and 'display="block"' in body
    assert 'secret' not in body and 'shown_output_only' not in body and 'visible output' in body
    assert 'f(x: int=1) → int' in body and 'Double x.' in body and 'print' in body
