"""The supplementary material: ``supplement/`` and ``supplement.zip``, verifiable file by file.

- ``build``: collects the run's outputs, the data, the tool and the metadata, and writes the folder
  and the zip (byte-identical for identical inputs);
- ``verify``: checks a supplement folder or zip against its manifest;
- ``entreq``: the ENTREQ checklist (Tong et al. 2012) filled from the data;
- ``crate``: ``ro-crate-metadata.json`` (Workflow Run Crate);
- ``webpage``: ``index.html``, the results to read offline.

May import: everything below ``publish``.
"""
