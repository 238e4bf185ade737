"""What the runner hands the kernels it starts, and what their notebooks hand back.

Down: the validated inputs, pickled, named by ``VALIDATED_ENV`` (``notebook.setup`` reads them
instead of validating again).  Back: ``READS_FILE`` in the notebook's output folder, one input file
per line, written by ``RecordingInputs`` the first time a notebook reads each file, so that the
next run re-executes it only when one of those files changed (``cache.data_read``).
"""

from __future__ import annotations

from pathlib import Path

from ..inputs import Inputs
from ..schemas import OPTIONAL_SCHEMAS, SCHEMAS, field_name


# Set in the environment of the kernels a run starts: its validated inputs, pickled (notebook.setup).
VALIDATED_ENV = "PIPELINE_VALIDATED_INPUTS"
# Written by a notebook such a kernel executes, into its output folder: the input files it read, one
# per line, so that the next run re-executes it only when one of those changed (runner.data_read).
READS_FILE = ".reads"
EVERYTHING = "*"  # in that file: the notebook used the data folder itself, so it may have read any file
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
