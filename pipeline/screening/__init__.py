"""Screening: the record-level log, its decisions and the PRISMA 2020 flow they imply.

- ``log``: the screening log's rules and what it says (stages in use, final decisions, flow,
  pending records);
- ``criteria``: inclusion criteria (Table 1) and exclusion reasons per stage;
- ``reviews``: two independent reviewers' decisions, their conflicts and agreement;
- ``appraisal``: the CASP qualitative checklist and its quality rule;
- ``prisma``: PRISMA 2020 counts and the PRISMA2020 CSV template;
- ``decisions``: the ``screen`` command.

May import: the base, ``search`` and ``reliability``; ``decisions`` also ``inputs``.
"""
