"""What the runner hands the kernels it starts, and what their notebooks hand back.

Down: the validated inputs, pickled, named by ``VALIDATED_ENV`` (``notebook.setup`` reads them
instead of validating again).  Back: ``READS_FILE`` in the notebook's output folder, one input file
per line, written by ``notebook.RecordingInputs`` the first time a notebook reads each file, so that
the next run re-executes it only when one of those files changed (``cache.data_read``).  Only names
here: the runner imports them without loading pandas, so a run with nothing to do stays quick.
"""

from __future__ import annotations

# Set in the environment of the kernels a run starts: its validated inputs, pickled (notebook.setup).
VALIDATED_ENV = "PIPELINE_VALIDATED_INPUTS"
# Written by a notebook such a kernel executes, into its output folder: the input files it read, one
# per line, so that the next run re-executes it only when one of those changed (runner.data_read).
READS_FILE = ".reads"
EVERYTHING = "*"  # in that file: the notebook used the data folder itself, so it may have read any file
