"""Publish: what a journal receives, made from a finished run.

- ``tables`` and ``figures``: deterministic writers (CSV/Markdown/LaTeX; SVG/PDF/PNG);
- ``translated``: the article's figures and tables in each language of ``languages``;
- ``reproduction``: every number an article reports against the computed one;
- ``diff``: what changed against an earlier supplement or git revision;
- ``supplement/``: the supplement folder and zip, its manifest and verification, the ENTREQ
  checklist, the RO-Crate and the web page.

May import: everything below it (base, stages, ``inputs``, ``run``); nothing imports it but
``cli`` and the notebooks.
"""
