"""Reproducible pipeline for qualitative evidence synthesis (meta-synthesis).

Stages follow the method of a meta-synthesis: ``screening`` (PRISMA flow),
``coding`` (open, axial and selective coding after Strauss & Corbin),
``reliability`` (agreement coefficients), ``reproduction`` (checks against a
published article).  Plumbing: ``validate`` (one schema per input file),
``tables`` and ``figures`` (deterministic writers), ``runner`` (papermill).
"""

__version__ = "0.1.0"
