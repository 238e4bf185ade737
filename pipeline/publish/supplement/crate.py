"""``ro-crate-metadata.json``: the supplement described as an RO-Crate (1.1, Workflow Run Crate 0.5).

Written with ro-crate-py.  The crate lists every file with its type and description; the
notebooks, run in order by ``make`` (``pipeline run``), are the workflow; the run is a
``CreateAction`` whose object is the input data and the parameter values and whose result is
every figure, table and executed notebook; the software is Python and the pipeline's direct
dependencies at the versions of the run; the authors are those of ``CITATION.cff``.  The same
files give the same bytes: no timestamp, entities in sorted order.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import PurePosixPath

from ...run.project import PROJECT_ROOT
from .licences import code_license, license_url


PROFILES = {  # Workflow Run Crate 0.5: the process, workflow and workflow RO-Crate profiles it builds on
    "https://w3id.org/ro/wfrun/process/0.5": "Process Run Crate",
    "https://w3id.org/ro/wfrun/workflow/0.5": "Workflow Run Crate",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0": "Workflow RO-Crate",
}
FORMATS = {".md": "text/markdown", ".csv": "text/csv", ".tex": "application/x-tex", ".ipynb": "application/x-ipynb+json",
           ".yml": "application/yaml", ".yaml": "application/yaml", ".toml": "application/toml",
           ".lock": "text/plain", ".mk": "text/x-makefile", ".qdc": "application/xml", ".xsd": "application/xml",
           ".cff": "application/yaml", ".sha256": "text/plain", ".py": "text/x-python", ".json": "application/json"}
WORKFLOW = "Makefile"


def encoding_format(name: str) -> str:
    """The media type of a file of the supplement, by its name."""
    p = PurePosixPath(name)
    if p.name == "Makefile":
        return "text/x-makefile"
    return FORMATS.get(p.suffix) or mimetypes.guess_type(p.name)[0] or "application/octet-stream"


def title(article: dict) -> str:
    """The supplement's title, the same in CITATION.cff, .zenodo.json and the crate."""
    return f"Supplementary material (reproducible analysis): {article.get('title', '')}"


def _type(value) -> str:
    return {bool: "Boolean", int: "Integer", float: "Float"}.get(type(value), "Text")


def metadata(files: dict[str, bytes], descriptions: dict[str, str], record: dict, article: dict,
             date: str) -> bytes:
    """The crate's JSON-LD for the supplement whose files (by path) are ``files``."""
    from rocrate.model.computerlanguage import ComputerLanguage
    from rocrate.model.contextentity import ContextEntity
    from rocrate.model.person import Person
    from rocrate.rocrate import ROCrate

    crate = ROCrate(gen_preview=False, version="1.1")  # the version Workflow Run Crate 0.5 is defined on
    root = crate.root_dataset
    root["name"] = title(article)
    root["description"] = ("Data, analysis code, parameterized notebooks and every result of a qualitative evidence "
                           "synthesis, re-runnable with `make` and verifiable against MANIFEST.sha256.")
    root["datePublished"] = date
    data_license = article.get("license")  # a draft may have none yet: then the crate names none
    if data_license:
        crate.add(ContextEntity(crate, license_url(data_license), properties={"@type": "CreativeWork",
                                                                              "name": data_license,
                                                                              "identifier": data_license}))
        root["license"] = {"@id": license_url(data_license)}
    code = code_license(PROJECT_ROOT)
    crate.add(ContextEntity(crate, license_url(code), properties={"@type": "CreativeWork", "name": code,
                                                                  "identifier": code}))
    if article.get("keywords"):
        root["keywords"] = list(article["keywords"])
    org = (crate.add(ContextEntity(crate, "#affiliation", properties={"@type": "Organization",
                                                                       "name": article["affiliation"]}))
           if article.get("affiliation") else None)
    authors = [crate.add(Person(crate, f"#author-{i}", properties={
        "name": f"{a.get('given', '')} {a.get('family', '')}".strip(), "givenName": a.get("given", ""),
        "familyName": a.get("family", ""), **({"affiliation": org} if org else {})}))
        for i, a in enumerate(article.get("authors") or [], 1)]
    if authors:
        root["author"] = authors
    for uri, name in PROFILES.items():
        crate.add(ContextEntity(crate, uri, properties={"@type": "CreativeWork", "name": name,
                                                        "version": uri.rsplit("/", 1)[-1]}))
    root["conformsTo"] = [{"@id": uri} for uri in PROFILES]

    version = (record.get("git_commit") or "")[:12] or "unversioned"  # of the pipeline and its notebooks
    entities = {}
    for name in sorted(n for n in descriptions if n != "ro-crate-metadata.json"):
        props = {"name": PurePosixPath(name).name, "description": descriptions[name],
                 "encodingFormat": encoding_format(name)}
        if name in files:
            props["contentSize"] = str(len(files[name]))
        if name == WORKFLOW:
            continue
        if name.startswith("notebooks/"):
            props["@type"] = ["File", "SoftwareSourceCode"]
            props["version"] = version
        if name == "README.md":
            props["about"] = {"@id": "./"}
        entities[name] = crate.add_file(source=None, dest_path=name, properties=props)

    python = crate.add(ComputerLanguage(crate, "#python", properties={
        "name": "Python", "url": {"@id": "https://www.python.org/"},
        "version": record.get("python", "")}))
    packages = record.get("packages", {})
    software = [crate.add(ContextEntity(crate, f"https://pypi.org/project/{name}/{v}/", properties={
        "@type": "SoftwareApplication", "name": name, "softwareVersion": v,
        "url": {"@id": f"https://pypi.org/project/{name}/"}}))
        for name, v in sorted(packages.items())]
    notebooks = [entities[n] for n in sorted(entities) if n.startswith("notebooks/")]
    for nb in notebooks:
        nb["programmingLanguage"] = python
    params = record.get("parameters", {})
    formal = {name: crate.add_formal_parameter(name=name, additionalType=_type(value),
                                               identifier=f"#param-{name}", defaultValue=str(value))
              for name, value in sorted(params.items())}
    workflow = crate.add_workflow(source=None, dest_path=WORKFLOW, main=True, lang=python, properties={
        "name": "Analysis workflow: the notebooks run in order by `pipeline run`",
        "description": descriptions.get(WORKFLOW, ""), "encodingFormat": "text/x-makefile",
        "contentSize": str(len(files.get(WORKFLOW, b""))),
        "hasPart": notebooks, "input": list(formal.values()), "softwareRequirements": software, "version": version,
        "license": {"@id": license_url(code)},
        "conformsTo": {"@id": "https://bioschemas.org/profiles/ComputationalWorkflow/1.0-RELEASE"}})
    values = [crate.add(ContextEntity(crate, f"#value-{name}", properties={
        "@type": "PropertyValue", "name": name, "value": str(value), "exampleOfWork": formal[name]}))
        for name, value in sorted(params.items())]
    inputs = [entities[n] for n in sorted(entities) if n.startswith("data/")]
    outputs = [entities[n] for n in sorted(record.get("outputs", {})) if n in entities]
    outputs += [entities[n] for n in sorted(entities) if n.startswith("reports/")]
    action = crate.add_action(workflow, identifier="#run", object=inputs + values, result=outputs, properties={
        "name": "Run of the analysis that produced the figures, tables and executed notebooks of this supplement",
        "description": "python -m pipeline run: every notebook executed with papermill on data/ with the "
                       "parameters below; no start or end time is recorded, so that the crate is the same "
                       "for the same run",
        "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"}})
    if authors:
        action["agent"] = authors[0]
    root["mentions"] = action
    doc = crate.metadata.generate()
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
