"""``index.html`` of the supplement: the results as a reviewer reads them, in a browser, offline.

One static page, no script and nothing fetched: the reproduction check with its statuses, every
figure (the SVG, linked to its PDF and PNG), every table rendered from its CSV, the executed
notebooks, the ENTREQ checklist, how to re-run and verify, and every file with what it is.  It is
built from the supplement's own files, so what it shows is what the zip holds, and it is
byte-identical for identical files (no date, sorted everything).
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath

import pandas as pd
from jinja2 import Environment

from ... import language


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}: supplementary material</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b;
       background: #ffffff; max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.5; }
a { color: #0b57a4; }
a:focus, a:hover { color: #06335f; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2.5rem; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; padding: 0; list-style: none; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #c5ccd3; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; background: #ffffff; }
figcaption { font-size: 0.9rem; margin-top: 0.3rem; }
.status-match { background: #dff3e4; }
.status-mismatch { background: #fde2e1; }
.status-not_derivable { background: #fff4d6; }
code, pre { background: #f3f5f7; padding: 0.1rem 0.3rem; border-radius: 3px; }
pre { padding: 0.6rem; overflow-x: auto; }
.citation { color: #3d3d3d; margin-top: 0; }
.draft { background: #fde2e1; border: 2px solid #b03a2e; color: #5e1a13; padding: 0.6rem 1rem; font-weight: 600; }
</style>
</head>
<body>
<header>
{% if draft %}
<p class="draft" role="alert">DRAFT: this review is not finished and this supplement is not for publication. Still open: {{ draft }}.</p>
{% endif %}
<h1>{{ title }}</h1>
<p class="citation">{{ citation }}</p>
<p>Supplementary material: the data, the analysis and every result, re-runnable and verifiable.
This page is static and reads offline; every file it shows is in this folder.</p>
<nav aria-label="Sections"><ul>
<li><a href="#reproduction">Reproduction check</a></li>
<li><a href="#figures">Figures</a></li>
<li><a href="#tables">Tables</a></li>
{% for l in languages %}<li><a href="#lang-{{ l.code }}">{{ l.title }}</a></li>
{% endfor %}<li><a href="#notebooks">Executed notebooks</a></li>
<li><a href="#entreq">ENTREQ checklist</a></li>
<li><a href="#rerun">Re-run and verify</a></li>
<li><a href="#files">Files</a></li>
</ul></nav>
</header>
<main>
<section id="reproduction">
<h2>Reproduction check</h2>
{% if check is not none %}
<p><strong>{{ check_summary }}.</strong></p>
<p>Every number and assignment the published article reports, next to the value the pipeline computes
from the data. <code>basis</code> says whether the computed value rests only on what the article reports
or also on reconstructed rows; a match built from reconstructed data agrees because the data were
reconstructed to agree, and is no evidence that the article's analysis reproduces.</p>
<table>
<caption>Reported and computed values (tables/reproduction_check.csv)</caption>
<thead><tr>{% for c in check.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in check.itertuples(index=False) %}<tr class="status-{{ row.status }}">{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% else %}
<p>This analysis reproduces no published article, so there is nothing to check against.</p>
{% endif %}
</section>
<section id="figures">
<h2>Figures</h2>
{% for f in figures %}
<figure id="figure-{{ f.stem }}">
<img src="{{ f.src }}" alt="{{ f.alt }}">
<figcaption>{{ f.caption }}. Files: {% for label, href in f.links %}<a href="{{ href }}">{{ label }}</a>{% if not loop.last %}, {% endif %}{% endfor %}.</figcaption>
</figure>
{% endfor %}
</section>
<section id="tables">
<h2>Tables</h2>
{% for t in tables %}
<h3 id="table-{{ t.stem }}">{{ t.caption }}</h3>
<p>Files: {% for label, href in t.links %}<a href="{{ href }}">{{ label }}</a>{% if not loop.last %}, {% endif %}{% endfor %}{% if t.rows == 0 %}. The table is empty.{% endif %}</p>
{% if t.rows %}{{ t.html|safe }}{% endif %}
{% endfor %}
</section>
{% for l in languages %}
<section id="lang-{{ l.code }}" lang="{{ l.code }}" dir="{{ l.dir }}">
<h2>{{ l.title }}</h2>
{% for f in l.figures %}
<figure id="figure-{{ l.code }}-{{ f.stem }}">
<img src="{{ f.src }}" alt="{{ f.alt }}">
<figcaption>{{ f.caption }}: {% for label, href in f.links %}<a href="{{ href }}">{{ label }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</figcaption>
</figure>
{% endfor %}
{% for t in l.tables %}
<h3 id="table-{{ l.code }}-{{ t.stem }}">{{ t.caption }}</h3>
<p>{% for label, href in t.links %}<a href="{{ href }}">{{ label }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</p>
{% if t.rows %}{{ t.html|safe }}{% endif %}
{% endfor %}
</section>
{% endfor %}
<section id="notebooks">
<h2>Executed notebooks</h2>
<p>Each notebook as it ran, with its code and outputs: the record of the analysis.</p>
<ul>
{% for n in notebooks %}<li><a href="{{ n.html }}">{{ n.title }}</a> (<a href="{{ n.ipynb }}">.ipynb</a>)</li>
{% endfor %}</ul>
</section>
<section id="entreq">
<h2>ENTREQ checklist</h2>
<p>Enhancing transparency in reporting the synthesis of qualitative research (Tong et al. 2012), filled
from the pipeline's data where it can be (also in <a href="ENTREQ.md">ENTREQ.md</a>).</p>
<table>
<thead><tr><th scope="col">#</th><th scope="col">Domain</th><th scope="col">Item</th><th scope="col">Guide</th><th scope="col">Reported</th></tr></thead>
<tbody>
{% for n, domain, item, guide, reported in entreq %}<tr><td>{{ n }}</td><td>{{ domain }}</td><td>{{ item }}</td><td>{{ guide }}</td><td>{{ reported }}</td></tr>
{% endfor %}</tbody>
</table>
</section>
<section id="rerun">
<h2>Re-run and verify</h2>
<p>With Python 3.11, 3.12 or 3.13 and pip:</p>
<pre><code>unzip supplement.zip &amp;&amp; cd supplement &amp;&amp; make</code></pre>
<p><code>make</code> installs the pinned packages (<a href="requirements.lock">requirements.lock</a>), checks every
file against <a href="MANIFEST.sha256">MANIFEST.sha256</a>, re-runs the notebooks on <code>data/</code> into
<code>rebuilt/</code> and compares every figure and table with the ones here, byte for byte.
<code>make verify</code> checks the manifest alone. See <a href="README.md">README.md</a>.</p>
</section>
<section id="files">
<h2>Files</h2>
<table>
<thead><tr><th scope="col">File</th><th scope="col">What it is</th></tr></thead>
<tbody>
{% for name, what in files %}<tr><td><a href="{{ name }}">{{ name }}</a></td><td>{{ what }}</td></tr>
{% endfor %}</tbody>
</table>
</section>
</main>
</body>
</html>
"""


def _csv(data: bytes) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:  # a table with no column at all (written before tables kept their header)
        return pd.DataFrame()


def citation(article: dict) -> str:
    """Authors (year). Title. As far as the article's metadata goes."""
    def one(a):
        given = " ".join(f"{g[0]}." for g in str(a.get("given", "")).replace("-", " ").split() if g)
        return f"{a.get('family', '')}, {given}".strip(", ")

    authors = ", ".join(one(a) for a in article.get("authors") or [])
    year = article.get("year")
    parts = [p for p in (authors, f"({year})" if year else "", article.get("title", "")) if p]
    return " ".join(parts) + ("." if parts else "")


def index_html(files: dict[str, bytes], descriptions: dict[str, str], captions: dict[str, str], article: dict,
               entreq_rows: list, outputs: dict[str, dict], draft: str = "") -> str:
    """The page, from the supplement's files (by path), their descriptions, the outputs' captions and the run
    record's outputs (figures and tables appear in the order the notebooks make them); ``draft``: what is
    still open in a review that is not finished, said at the top of the page."""
    stems: dict[str, dict[str, str]] = {}
    for name in files:
        p = PurePosixPath(name)
        if p.parts[0] in ("figures", "tables") and len(p.parts) == 2:
            stems.setdefault(f"{p.parts[0]}/{p.stem}", {})[p.suffix] = name

    def caption(name):
        return captions.get(name, PurePosixPath(name).stem)

    def made(item):
        key, exts = item
        info = next((outputs[n] for n in exts.values() if n in outputs), {})
        return info.get("notebook", "~"), info.get("cell_number") or 0, key

    figures = []
    for key, exts in sorted(stems.items(), key=made):
        if key.startswith("figures/") and ".svg" in exts:
            figures.append({"stem": PurePosixPath(key).name, "src": exts[".svg"], "caption": caption(exts[".svg"]),
                            "alt": f"Figure: {caption(exts['.svg'])}",
                            "links": [(e.lstrip(".").upper(), exts[e]) for e in (".svg", ".pdf", ".png") if e in exts]})
    tables = []
    for key, exts in sorted(stems.items(), key=made):
        if key.startswith("tables/") and ".csv" in exts:
            df = _csv(files[exts[".csv"]])
            tables.append({"stem": PurePosixPath(key).name, "caption": caption(exts.get(".tex", exts[".csv"])),
                           "rows": len(df), "html": df.to_html(index=False, border=0, escape=True, na_rep=""),
                           "links": [(label, exts[e]) for e, label in ((".csv", "CSV"), (".md", "Markdown"),
                                                                       (".tex", "LaTeX"), (".qdc", "REFI-QDA"))
                                     if e in exts]})
    languages = []
    by_lang: dict[str, dict[str, dict[str, str]]] = {}
    for name in files:
        p = PurePosixPath(name)
        if p.parts[0] in ("figures", "tables") and len(p.parts) == 3:
            by_lang.setdefault(p.parts[1], {}).setdefault(f"{p.parts[0]}/{p.stem}", {})[p.suffix] = name
    for code in sorted(by_lang):
        try:
            title, rtl = language.labels(code)["meta.name"], language.is_rtl(code)
        except (KeyError, FileNotFoundError, OSError):
            continue  # a folder that is no language of pipeline/translations
        entries = sorted(by_lang[code].items(), key=made)
        def label(kind, stem, code=code):  # the language's own caption, else the English one
            return language.labels(code).get(f"captions.{stem}") or caption(f"{kind}/{stem}" + (
                ".svg" if kind == "figures" else ".tex"))
        languages.append({
            "code": code, "dir": "rtl" if rtl else "ltr", "title": f"{title} ({code})",
            "figures": [{"stem": PurePosixPath(k).name, "src": e[".svg"],
                         "caption": label("figures", PurePosixPath(k).name),
                         "alt": f"Figure: {label('figures', PurePosixPath(k).name)} ({code})",
                         "links": [(x.lstrip(".").upper(), e[x]) for x in (".svg", ".pdf", ".png") if x in e]}
                        for k, e in entries if k.startswith("figures/") and ".svg" in e],
            "tables": [{"stem": PurePosixPath(k).name, "caption": label("tables", PurePosixPath(k).name),
                        "rows": len(df := _csv(files[e[".csv"]])),
                        "html": df.to_html(index=False, border=0, escape=True, na_rep=""),
                        "links": [(lab, e[x]) for x, lab in ((".csv", "CSV"), (".md", "Markdown"), (".tex", "LaTeX"))
                                  if x in e]}
                       for k, e in entries if k.startswith("tables/") and ".csv" in e]})
    notebooks = []
    for name in sorted(files):
        p = PurePosixPath(name)
        if p.parts[0] == "reports" and p.suffix == ".html":
            title = descriptions.get(name, p.stem).split("\u201c")[-1].split("\u201d")[0]
            notebooks.append({"html": name, "ipynb": str(p.with_suffix(".ipynb")), "title": title})
    check = None
    if "tables/reproduction_check.csv" in files:
        check = _csv(files["tables/reproduction_check.csv"])
    summary = check_headline(check) if check is not None else ""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(TEMPLATE).render(
        title=article.get("title") or "Supplementary material", citation=citation(article),
        check=check, check_summary=summary, figures=figures, tables=tables, languages=languages, notebooks=notebooks,
        entreq=entreq_rows, files=sorted(descriptions.items()), draft=draft)


def check_headline(check) -> str:
    """The reproduction check in one line that keeps apart what reproduces from what was built to match:
    matches on reported data, matches on reconstructed data, then every other status."""
    parts = []
    basis = check["basis"] if "basis" in check else None
    for status, group in sorted(check.groupby("status"), key=lambda kv: (kv[0] != "match", kv[0])):
        if status == "match" and basis is not None:
            reported = int((group["basis"] == "reported").sum())
            built = len(group) - reported
            if reported:
                parts.append(f"{reported} {'matches' if reported != 1 else 'match'} from reported data")
            if built:
                parts.append(f"{built} {'matches' if built != 1 else 'match'} built from reconstructed data")
        else:
            parts.append(f"{len(group)} {status.replace('_', ' ')}")
    return ", ".join(parts)
