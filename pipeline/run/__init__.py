"""Run: the plumbing that turns data and notebooks into outputs, and the review around them.

- ``project``: where the notebooks and parameters are; ``params``: the parameters, checked;
- ``runner``: validate, execute the stale notebooks, swap the outputs into place (``run``);
- ``execute``: one notebook through papermill; ``kernels``: kernels kept for a run;
- ``reports``: executed notebooks made byte-identical and rendered to HTML;
- ``cache``: what each notebook's outputs depend on, and the run record;
- ``staging``: the output folder's lock and the journalled swap;
- ``reads``: what the runner hands its kernels, and what they hand back (the files read);
- ``notebook``: the few lines every notebook starts with (``setup``, ``show``);
- ``scaffold``: ``init``, a new review; ``status``: what a review still needs.

May import: the base, the stages and ``inputs``; never ``publish``.
"""
