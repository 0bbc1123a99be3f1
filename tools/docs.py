"""Render the docs site offline: the pages nbdev's Quarto would build, without Quarto and without a network.

    python tools/docs.py [--out _docs] [--results results/demo]

Quarto cannot be installed on the machines this project is built on, so `make docs` renders the same site here:
every notebook named in `_quarto.yml`'s sidebar becomes one HTML page in that sidebar's order and sections, with
its markdown (CommonMark + tables, `{#id}` heading anchors as Quarto reads them), its code cells and their stored
outputs (text, tables, figures written beside the page), the cell options Quarto honours (`#| hide`,
`#| echo: false`, `#| output: false`, `#| include: false`), an entry per exported function or class (signature and
docstring, as nbdev's `show_doc`) and maths typeset as MathML (latex2mathml; browsers render MathML natively, so no
MathJax download). `*.ipynb` links point at the rendered pages. A results page shows the report of a demo run
(`ldae demo --out DIR`: its tables and figures) when the folder exists. Everything the pages load is in OUT.
"""

import argparse
import ast
import base64
import html
import json
import re
import shutil
from pathlib import Path

import yaml
from latex2mathml.converter import convert as tex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
FORMATTER = HtmlFormatter(nowrap=False, cssclass='highlight')


def _slug(text: str) -> str:
    "A heading's anchor as Quarto makes it: lower case, words joined by '-', punctuation dropped."
    s = re.sub(r'<[^>]+>', '', text).strip().lower()
    s = re.sub(r'[^\w\s-]', '', s)
    return re.sub(r'\s+', '-', s)


def _code_block(code: str, lang: str = 'python') -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else PythonLexer()
    except ClassNotFound:
        lexer = get_lexer_by_name('text')
    return highlight(code, lexer, FORMATTER)


def _math(content: str, display: bool) -> str:
    return tex_to_mathml(content, display='block' if display else 'inline')


def markdown_renderer() -> MarkdownIt:
    "CommonMark + tables + $…$ / $$…$$ maths (MathML), headings with Quarto's {#id} or a slug, highlighted fences."
    md = MarkdownIt('commonmark', {'html': True}).enable('table')
    md.use(dollarmath_plugin, double_inline=True)
    md.add_render_rule('math_inline', lambda self, t, i, o, e: _math(t[i].content, False))
    md.add_render_rule('math_inline_double', lambda self, t, i, o, e: _math(t[i].content, True))
    md.add_render_rule('math_block', lambda self, t, i, o, e: _math(t[i].content, True))
    md.add_render_rule('math_block_label', lambda self, t, i, o, e: _math(t[i].content, True))
    md.add_render_rule('fence', lambda self, t, i, o, e: _code_block(t[i].content, t[i].info.strip().split(' ')[0]))

    def heading_ids(state):
        for i, t in enumerate(state.tokens):
            if t.type != 'heading_open':
                continue
            inline = state.tokens[i + 1]
            m = re.search(r'\s*\{#([^}\s]+)\}\s*$', inline.content)
            if m:
                inline.content = inline.content[: m.start()]
                for c in inline.children or []:
                    if c.type == 'text':
                        c.content = re.sub(r'\s*\{#[^}\s]+\}\s*$', '', c.content)
                t.attrSet('id', m.group(1))
            else:
                t.attrSet('id', _slug(inline.content))

    def ipynb_links(state):
        for t in state.tokens:
            for c in t.children or []:
                if c.type == 'link_open':
                    href = c.attrGet('href') or ''
                    if not re.match(r'^[a-z]+:', href):
                        c.attrSet('href', re.sub(r'\.ipynb(#|$)', r'.html\1', href))

    md.core.ruler.push('heading_ids', heading_ids)
    md.core.ruler.push('ipynb_links', ipynb_links)
    return md


MD = markdown_renderer()


def cell_options(source: str) -> tuple[dict, str]:
    "The cell's `#| key: value` / `#| word` options and its code without them."
    opts, lines = {}, source.splitlines()
    i = 0
    while i < len(lines) and lines[i].startswith('#|'):
        body = lines[i][2:].strip()
        if ':' in body:
            k, v = body.split(':', 1)
            opts[k.strip()] = v.strip()
        else:
            for w in body.split():
                opts[w] = 'true'
        i += 1
    return opts, '\n'.join(lines[i:]).strip('\n')


def _api_entries(code: str) -> str:
    "An entry (signature and docstring) per top-level function and class of an exported cell, as nbdev's show_doc."
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ''
    out = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.name.startswith('_'):
            continue
        if isinstance(node, ast.ClassDef):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == '__init__'), None)
            args = ast.unparse(init.args).replace('self, ', '').replace('self', '') if init else ''
            sig = f'class {node.name}({args})'
        else:
            sig = f'{node.name}({ast.unparse(node.args)})'
            if node.returns is not None:
                sig += f' → {ast.unparse(node.returns)}'
        doc = ast.get_docstring(node) or ''
        out.append(
            f'<div class="api" id="{html.escape(node.name)}"><h4 class="api-name"><code>{html.escape(sig)}</code>'
            f'</h4><p>{html.escape(doc)}</p></div>'
        )
    return '\n'.join(out)


def _text(s) -> str:
    return ''.join(s) if isinstance(s, list) else str(s)


class Page:
    "One rendered page: its file name, title and HTML body; figures are written to OUT/figures as they come."

    def __init__(self, name: str, out: Path):
        self.name, self.out, self.n_fig = name, out, 0
        self.title, self.subtitle, self.body = name, '', []

    def figure(self, data: bytes, ext: str) -> str:
        self.n_fig += 1
        rel = f'figures/{self.name}-{self.n_fig}.{ext}'
        (self.out / rel).write_bytes(data)
        return rel

    def output(self, o: dict) -> str:
        t = o.get('output_type')
        if t == 'stream':
            return f'<pre class="output">{html.escape(_text(o.get("text", "")))}</pre>'
        if t == 'error':
            return (
                f'<pre class="output error">{html.escape(o.get("ename", ""))}: {html.escape(o.get("evalue", ""))}</pre>'
            )
        d = o.get('data', {})
        if 'image/png' in d:
            src = self.figure(base64.b64decode(_text(d['image/png'])), 'png')
            alt = html.escape(_text(d.get('text/plain', 'figure'))[:80])
            return f'<div class="output figure"><img src="{src}" alt="{alt}"></div>'
        if 'image/svg+xml' in d:
            src = self.figure(_text(d['image/svg+xml']).encode(), 'svg')
            return f'<div class="output figure"><img src="{src}" alt="figure"></div>'
        if 'text/html' in d:
            return f'<div class="output html">{_text(d["text/html"])}</div>'
        if 'text/markdown' in d:
            return f'<div class="output markdown">{MD.render(_text(d["text/markdown"]))}</div>'
        if 'text/plain' in d:
            return f'<pre class="output">{html.escape(_text(d["text/plain"]))}</pre>'
        return ''

    def markdown(self, src: str, first: bool):
        if first:  # nbdev's title cell: "# Title" and "> description"
            m = re.match(r'^#\s+(.+?)\s*\n((?:>.*(?:\n|$))*)', src + '\n')
            if m:
                quote = ' '.join(line.lstrip('>').strip() for line in m.group(2).splitlines())
                self.title, self.subtitle = m.group(1).strip(), quote.strip()
                src = src[m.end() :]
        if src.strip():
            self.body.append(f'<div class="cell markdown">{MD.render(src)}</div>')

    def code(self, cell: dict):
        opts, code = cell_options(_text(cell['source']))
        if opts.get('hide') == 'true' or opts.get('include') == 'false' or 'default_exp' in opts:
            return
        parts = []
        exported = 'export' in opts or 'exports' in opts
        if exported:
            parts.append(_api_entries(code))
        if opts.get('echo') != 'false' and code.strip():
            block = _code_block(code)
            parts.append(f'<details class="source"><summary>source</summary>{block}</details>' if exported else block)
        if opts.get('output') != 'false':
            parts += [self.output(o) for o in cell.get('outputs', [])]
        if any(parts):
            self.body.append(f'<div class="cell code">{"".join(parts)}</div>')


def render_notebook(path: Path, out: Path) -> Page:
    nb = json.loads(path.read_text())
    page = Page(path.stem, out)
    first = True
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            page.markdown(_text(c['source']), first)
            first = False
        elif c['cell_type'] == 'code':
            page.code(c)
    return page


def render_results(results: Path | None, out: Path) -> Page:
    "The results page: a demo run's report (its tables and figures, copied beside the page) or how to make one."
    page = Page('results', out)
    page.title, page.subtitle = 'Results', "What `ldae demo` measured: every capability's tables and figures"
    report = results / 'report.md' if results else None
    if report is None or not report.exists():
        page.body.append(
            MD.render(
                f'No demo run was found{f" in `{results}`" if results else ""}. '
                'Run `make demo` (or `ldae demo --out results/demo`), then `make docs`: '
                'this page then shows its report.'
            )
        )
        return page
    src = report.read_text()
    src = re.sub(r'^#\s+.*\n', '', src, count=1)

    def copy(m):
        rel = m.group(2)
        f = (results / rel).resolve()
        if not f.is_file() or re.match(r'^[a-z]+:', rel):
            return m.group(0)
        dst = out / 'results' / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dst)
        return f'{m.group(1)}(results/{rel})'

    src = re.sub(r'(!\[[^\]]*\])\(([^)\s]+)\)', copy, src)  # figures travel with the page
    src = re.sub(r'(?<!!)\[([^\]]+)\]\((?![a-z]+:|#)([^)\s]+)\)', r'`\1` (\2)', src)  # other files stay in the run
    page.body.append(f'<div class="cell markdown">{MD.render(src)}</div>')
    return page


def sidebar_entries(contents) -> list:
    "[(section or None, [notebook names])] in `_quarto.yml`'s order."
    out, loose = [], []
    for c in contents:
        if isinstance(c, dict) and 'section' in c:
            if loose:
                out.append((None, loose))
                loose = []
            out.append((c['section'], [x if isinstance(x, str) else x['href'] for x in c['contents']]))
        else:
            loose.append(c if isinstance(c, str) else c['href'])
    if loose:
        out.append((None, loose))
    return out


CSS = """
:root { --side: 17rem; --fg: #212529; --muted: #6c757d; --accent: #2780e3; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
header.navbar { position: sticky; top: 0; z-index: 2; background: var(--accent); color: white; padding: .6rem 1.2rem;
  display: flex; gap: 1.5rem; align-items: baseline; }
header.navbar a { color: white; text-decoration: none; font-weight: 600; }
.layout { display: grid; grid-template-columns: var(--side) minmax(0, 1fr) 14rem; gap: 2rem; padding: 0 1.2rem; }
nav.sidebar { position: sticky; top: 3.2rem; align-self: start; max-height: calc(100vh - 3.5rem); overflow-y: auto;
  padding: 1rem 0; font-size: .92rem; }
nav.sidebar .section { font-weight: 600; margin: .9rem 0 .25rem; color: var(--muted); }
nav.sidebar a { display: block; padding: .12rem .5rem; color: var(--fg); text-decoration: none; border-radius: 4px; }
nav.sidebar a.active { background: #e7f1fc; color: var(--accent); font-weight: 600; }
nav.toc { position: sticky; top: 3.2rem; align-self: start; font-size: .85rem; padding: 1rem 0; }
nav.toc a { display: block; color: var(--muted); text-decoration: none; padding: .1rem 0; }
main { padding: 1rem 0 4rem; min-width: 0; }
h1.title { margin-bottom: .2rem; } p.subtitle { color: var(--muted); margin-top: 0; font-size: 1.1rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; display: block; overflow-x: auto; }
th, td { border-bottom: 1px solid #dee2e6; padding: .25rem .6rem; text-align: left; }
pre, .highlight pre { background: #f8f9fa; padding: .6rem .8rem; overflow-x: auto; font-size: .85rem;
  border-radius: 4px; }
pre.output { background: none; border-left: 2px solid lightsalmon; }
pre.error { color: #b00020; }
code { font-size: .88em; }
.output.figure img, .markdown img { max-width: 100%; height: auto; }
.api { border-left: 3px solid var(--accent); padding: .1rem .8rem; margin: 1rem 0; background: #f8fbff; }
.api-name { margin: .4rem 0; font-size: .95rem; word-break: break-word; }
details.source summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
math[display="block"] { margin: .6rem 0; }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } nav.toc, nav.sidebar { position: static; } }
"""


FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#2780e3"/>'
    '<circle cx="8" cy="8" r="3" fill="white"/></svg>'
)


def page_html(page: Page, site_title: str, sections: list, toc: list) -> str:
    side = []
    for sec, names in sections:
        if sec:
            side.append(f'<div class="section">{html.escape(sec)}</div>')
        for n, t in names:
            cls = ' class="active"' if n == page.name else ''
            side.append(f'<a href="{n}.html"{cls}>{MD.renderInline(t)}</a>')
    toc_html = ''.join(f'<a href="#{i}">{html.escape(t)}</a>' for i, t in toc)
    sub = f'<p class="subtitle">{MD.renderInline(page.subtitle)}</p>' if page.subtitle else ''
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(re.sub(r'[`*]', '', page.title))} – {html.escape(site_title)}</title>
<link rel="icon" href="favicon.svg"><link rel="stylesheet" href="site.css">
<link rel="stylesheet" href="pygments.css"><link rel="stylesheet" href="styles.css">
</head><body>
<header class="navbar"><a href="index.html">{html.escape(site_title)}</a><a href="results.html">Results</a>
<a href="decisions.html">Decisions</a></header>
<div class="layout"><nav class="sidebar">{''.join(side)}</nav>
<main><h1 class="title">{MD.renderInline(page.title)}</h1>{sub}
{''.join(page.body)}
</main><nav class="toc"><strong>On this page</strong>{toc_html}</nav></div>
</body></html>
"""


def build(out: Path, results: Path | None = None, quarto: Path = ROOT / '_quarto.yml') -> list[Path]:
    "Render every sidebar notebook and the results page into `out`; the written pages."
    cfg = yaml.safe_load(quarto.read_text())
    site = cfg['website']
    title = site.get('title', 'docs')
    if out.exists():
        shutil.rmtree(out)
    (out / 'figures').mkdir(parents=True)
    sections = sidebar_entries(site['sidebar']['contents'])
    pages = []
    for _, names in sections:
        for n in names:
            p = NBS / n
            if not p.exists():
                raise SystemExit(f'_quarto.yml names {n}, which is not in {NBS}')
            pages.append(render_notebook(p, out))
    pages.append(render_results(results, out))
    sections = sections + [('Results', ['results.ipynb'])]
    titles = {p.name: p.title for p in pages}
    nav = [(s, [(Path(n).stem, titles.get(Path(n).stem, Path(n).stem)) for n in names]) for s, names in sections]
    (out / 'site.css').write_text(CSS)
    (out / 'favicon.svg').write_text(FAVICON)
    (out / 'pygments.css').write_text(FORMATTER.get_style_defs('.highlight'))
    shutil.copy2(NBS / 'styles.css', out / 'styles.css')
    for d in ('images',):  # files the notebooks' markdown points at
        if (NBS / d).is_dir():
            shutil.copytree(NBS / d, out / d)
    written = []
    for p in pages:
        body = ''.join(p.body)
        toc = [(i, re.sub(r'<[^>]+>', '', t)) for i, t in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', body)]
        f = out / f'{p.name}.html'
        f.write_text(page_html(p, title, nav, toc))
        written.append(f)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, default=ROOT / '_docs')
    ap.add_argument('--results', type=Path, default=ROOT / 'results' / 'demo', help='a demo run to show (report.md)')
    a = ap.parse_args(argv)
    pages = build(a.out, a.results)
    n_fig = len(list((a.out / 'figures').iterdir()))
    print(f'{len(pages)} pages, {n_fig} figures → {a.out}/index.html')


if __name__ == '__main__':
    main()
