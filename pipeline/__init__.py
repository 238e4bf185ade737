"""Reproducible pipeline for qualitative evidence synthesis (meta-synthesis).

One sub-package per stage of a review, in the order a review goes through them:
``search`` (database exports to deduplicated records), ``screening`` (the log, PRISMA 2020),
``coding`` (open, axial and selective coding after Strauss & Corbin; REFI-QDA in and out) and
``reliability`` (agreement coefficients); over a base of ``errors``, ``schemas`` (one per input
file), ``datafiles`` (atomic writes into ``data/``) and ``language``; with ``inputs`` (every input
validated), ``run`` (the runner, ``init``, ``status``) and ``publish`` (tables, figures, the
supplement) above them, and ``cli`` on top.  ``docs/design/layout.md`` draws the layers;
``tests/test_layout.py`` keeps them.
"""

__version__ = "0.1.0"
