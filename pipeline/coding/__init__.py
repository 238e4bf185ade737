"""Coding: open, axial and selective coding (Strauss & Corbin 1998), and QDA projects in and out.

- ``codebook``: the codebook's rules and hierarchy (categories, subcategories, initial codes);
- ``paradigm``: open-coding and axial tables, the study × category evidence, the core category,
  the paradigm model's roles and Table 3;
- ``saturation``: the saturation curve and leave-one-study-out stability;
- ``qda/``: REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette): ids, reading, writing, merging;
- ``importing``: the ``import-coded`` command.

May import: the base, ``search`` and ``screening``; ``importing`` also ``inputs``.
"""
