"""Search: from database exports to a deduplicated corpus of records.

- ``exports``: reads any export, whatever its format and encoding (the front door);
  ``readers/``: one reader per format (RIS, MEDLINE, Web of Science, refer, EndNote XML, BibTeX,
  tables), each returning the same record fields;
- ``records``: one export as normalized records with stable ids;
- ``dedup``: duplicate groups, never two different studies in one;
- ``strategy``: the search strategy as the article reports it;
- ``importing``: the ``import-records`` command.

May import: the base (``errors``, ``schemas``, ``datafiles``, ``language``); ``importing`` also
``inputs`` and ``screening.log``.
"""
