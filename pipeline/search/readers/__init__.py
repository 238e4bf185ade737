"""One reader per export format, each returning the same record fields (``base.FIELDS``).

``search.exports.read_file`` decodes a file, recognizes its format by content and hands it to the
reader here.  A new format is a new module.

May import: the base only.
"""
