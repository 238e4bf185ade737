"""REFI-QDA, the exchange standard of NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette.

- ``ids``: a code's identity (its GUID, else uuid5 of its name path) and fresh node ids;
- ``read``: projects (.qdpx) and codebooks (.qdc) as the tools write them;
- ``write``: our codebook and coded data as .qdc and .qdpx, valid against the standard's schemas
  (``Codebook.xsd``, ``Project.xsd``, beside this file);
- ``merge``: a project or a spreadsheet of coded segments merged into the review's data.

May import: the base and ``coding``.
"""
