"""The few lines every analysis notebook starts with, kept here so notebooks stay thin."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from .. import draft, resources
from ..inputs import Inputs, load_inputs
from ..schemas import OPTIONAL_SCHEMAS, SCHEMAS, field_name
from ..screening.log import stages_used
from .project import NOTEBOOK_DIR
from .reads import EVERYTHING, READS_FILE, VALIDATED_ENV
from .status import unfinished

# Which input file each field of ``Inputs`` holds; ``data_dir`` stands for all of them.
FILE_OF = {**{field_name(k): k for k in (*SCHEMAS, *OPTIONAL_SCHEMAS)}, "article": "reference/article.yml",
           "data_dir": EVERYTHING}


class RecordingInputs(Inputs):
    """``Inputs`` that append to a log each input file first read through them, so the runner knows
    which files a notebook depends on (reading ``data_dir`` counts as reading every file)."""

    def __getattribute__(self, name):
        if name in FILE_OF:
            seen = object.__getattribute__(self, "_seen")
            if name not in seen:
                seen.add(name)
                with open(object.__getattribute__(self, "_log"), "a", encoding="utf-8") as f:
                    f.write(FILE_OF[name] + "\n")
        return object.__getattribute__(self, name)


def recording(inputs: Inputs, log: Path) -> RecordingInputs:
    """The same inputs, noting in ``log`` which files are read (see ``RecordingInputs``)."""
    import dataclasses

    out = RecordingInputs(**{f.name: object.__getattribute__(inputs, f.name) for f in dataclasses.fields(Inputs)})
    object.__setattr__(out, "_seen", set())
    object.__setattr__(out, "_log", Path(log))
    Path(log).touch()  # even a notebook that reads nothing has read nothing, not "unknown"
    return out


def locate(path: str) -> Path:
    """A path parameter, whatever folder the kernel runs in (papermill from the project root or from
    notebooks/, JupyterLab, the runner).  The notebooks' defaults ('../data', '..') are relative to
    notebooks/, so a relative path is taken from there when it exists there, else from the working
    folder (a path given with -p on the command line); absolute paths are kept."""
    p = Path(path)
    if p.is_absolute():
        return p
    beside = NOTEBOOK_DIR / p
    return beside.resolve() if beside.exists() else p.resolve()


# What a notebook says when the data it reads is still empty (a review just started with `init`).
EMPTY = {
    "records": (lambda i: len(i.screening_log) == 0,
                "raw/screening_log.csv holds no record yet (import search results with `pipeline "
                "import-records FILE`): every count below is zero."),
    "decisions": (lambda i: len(i.screening_log) > 0 and (i.screening_log[stages_used(i.screening_log)] == "")
                  .all(axis=None),
                  "No screening decision is recorded yet (`pipeline screen`): every record waits at the first stage."),
    "studies": (lambda i: len(i.studies) == 0,
                "raw/studies.csv lists no included study yet: the per-study tables and figures are empty."),
    "codes": (lambda i: len(i.codebook) == 0,
              "coded/codebook.csv has no code yet (import a codebook or coded project with `pipeline "
              "import-coded FILE`): the coding tables are empty."),
    "segments": (lambda i: len(i.segments) == 0,
                 "coded/segments.csv has no coded segment yet: frequencies are zero and nothing is drawn."),
    "recoding": (lambda i: len(i.recoding) == 0,
                 "coded/recoding.csv has no re-coding yet: the test-retest tables are empty."),
}


def setup(data_dir: str, out_dir: str, uses: tuple[str, ...] = ()) -> tuple[Inputs, Path, Path]:
    """Validated inputs and the figures/ and tables/ folders of this run.  ``uses`` names the data the
    notebook reads (keys of ``EMPTY``); each that is still empty is said once, up front, so an empty
    table below reads as "nothing yet" rather than as a failure."""
    data_dir, out = locate(data_dir), locate(out_dir)
    figures, tables = out / "figures", out / "tables"
    figures.mkdir(parents=True, exist_ok=True)
    tables.mkdir(parents=True, exist_ok=True)
    inputs = _validated(data_dir)
    if inputs is None:
        inputs = load_inputs(data_dir)
    else:
        inputs = recording(inputs, out / READS_FILE)
    resources.start(out / READS_FILE if isinstance(inputs, RecordingInputs) else None)
    for key in uses:
        empty, message = EMPTY[key]
        if empty(inputs):
            print(message)
    draft.set_reasons(unfinished(inputs))  # every notebook sets it afresh: nothing carries over
    if draft.REASONS:
        print(draft.said() + ": the figures and tables below are marked as a draft.")
    return inputs, figures, tables


def _validated(data_dir: Path) -> Inputs | None:
    """The inputs the runner has just validated (pickled; ``VALIDATED_ENV`` is set in the kernels it
    starts), when they are of ``data_dir``: a run validates once, not once per notebook.  None
    elsewhere (JupyterLab, plain papermill), where the notebook validates for itself."""
    path = os.environ.get(VALIDATED_ENV)
    if not path or not Path(path).is_file():
        return None
    with open(path, "rb") as f:
        inputs = pickle.load(f)
    return inputs if isinstance(inputs, Inputs) and inputs.data_dir == data_dir else None


def show(path: Path):
    """Display a saved PNG (the saved file, so the notebook shows exactly what was published)."""
    from IPython.display import Image

    return Image(filename=str(Path(path).with_suffix(".png")), width=720)
