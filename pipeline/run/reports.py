"""Executed notebooks as records of the run: normalized so that identical runs give identical bytes, and
rendered to HTML.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def normalize(nb, staging: Path, out_dir: Path, data_dir: Path | None = None) -> None:
    """Strip what differs between identical runs: timings, timestamps, random ids, memory addresses, and
    the folders of this machine.  Paths are written relative to the output root (the data folder as
    ``data`` when it lies elsewhere), so the same data give the same notebooks in any folder and no
    home folder is published."""
    def rel(text: str) -> str:
        text = text.replace(str(staging), ".")
        if data_dir is not None:
            inside = Path(data_dir).is_relative_to(out_dir)
            text = text.replace(str(data_dir), str(Path(data_dir).relative_to(out_dir)) if inside else "data")
        return text.replace(str(out_dir), ".")

    nb.metadata.pop("papermill", None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        cell["source"] = rel(cell["source"])
        if "outputs" in cell:
            cell["outputs"] = _joined_streams(cell["outputs"])
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = rel(_ADDRESS.sub(" at 0x…", out["text"]))
            data = out.get("data", {})
            for key in ("text/plain", "text/html"):
                if key in data:
                    data[key] = rel(_ADDRESS.sub(" at 0x…", data[key]))


def _joined_streams(outputs: list) -> list:
    """Consecutive stream outputs of one name as one: the kernel flushes printed text in pieces
    whose boundaries depend on timing (a print's end of line can arrive apart), not on the code."""
    joined = []
    for out in outputs:
        if (out.get("output_type") == "stream" and joined and joined[-1].get("output_type") == "stream"
                and joined[-1].get("name") == out.get("name")):
            joined[-1]["text"] += out["text"]
        else:
            joined.append(out)
    return joined


_HTML: dict = {}
_HTML_LOCK = threading.Lock()


def to_html(nb) -> str:
    """The executed notebook as HTML, with one exporter shared by the workers (its first export
    compiles templates, ~0.5 s; exporting holds the GIL anyway, so the lock costs nothing)."""
    with _HTML_LOCK:
        if "exporter" not in _HTML:
            quick_jsonschema()
            from nbconvert import HTMLExporter

            _HTML["exporter"] = HTMLExporter()
        body, _ = _HTML["exporter"].from_notebook_node(nb)
    return body


def quick_jsonschema() -> None:
    """Keep jsonschema from importing rfc3987_syntax in this process: it compiles ~35 Earley grammars at
    import (1.5 s here, python-jsonschema/jsonschema#1428), for the ``iri`` format, which no notebook
    schema uses.  Only when jsonschema's formats are not loaded yet; kernels are not affected."""
    if "jsonschema._format" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def warm_up() -> None:
    """Render a small notebook to HTML while the first notebooks execute, so that their own export
    finds the templates compiled and the highlighter loaded (the first export costs ~0.5 s)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("*x*"), nbformat.v4.new_code_cell(
        "x", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1", "text/html": "<b>1</b>"})])])
    to_html(nb)
