"""``verify``: a supplement folder or zip checked file by file against its ``MANIFEST.sha256``.

Entries are streamed and never inflated past their listed size; names outside ``supplement/`` or
stored twice are problems, as is any file that differs or is missing.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import zipfile
from pathlib import Path

from ...errors import InputError
from .build import MANIFEST


MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  (\d+)  (.+)$")
# What `make` adds to an unzipped supplement folder; `verify` of a folder passes over it.
BUILD_ARTEFACTS = (".venv/", ".venv-ready-", "rebuilt/", "__pycache__/", ".run-staging/", ".failed/",
                   "qes_pipeline.egg-info/")
MAX_MANIFEST = 50 * 1024 * 1024  # the manifest and provenance.json are read whole; nothing else is


def _entries(path: Path):
    """(name inside the supplement, size, opener) for every file, and the problems of the container itself:
    zip entries outside ``supplement/`` and names stored twice.  Nothing is read yet."""
    path = Path(path)
    if path.is_dir():
        root = path / "supplement" if (path / "supplement" / MANIFEST).exists() else path
        if not (root / MANIFEST).exists():
            raise InputError(path, f"a supplement folder (no {MANIFEST} in it)")
        made = lambda rel: rel.startswith(BUILD_ARTEFACTS) or "/__pycache__/" in rel  # noqa: E731 -- by `make`
        files = {rel: (p.stat().st_size, (lambda p=p: open(p, "rb"))) for p in sorted(root.rglob("*"))
                 if p.is_file() and not made(rel := p.relative_to(root).as_posix())}
        return files, [], None
    if not zipfile.is_zipfile(path):
        raise InputError(path, "a supplement folder or supplement.zip")
    z = zipfile.ZipFile(path)
    infos = [i for i in z.infolist() if not i.filename.endswith("/")]
    names = [i.filename for i in infos]
    prefix = "supplement/" if f"supplement/{MANIFEST}" in names else ""
    if f"{prefix}{MANIFEST}" not in names:
        z.close()
        raise InputError(path, f"a supplement zip (no {MANIFEST} in it)")
    problems = [f"outside supplement/: {n}" for n in names if not n.startswith(prefix)]
    counts = collections.Counter(names)
    problems += [f"stored twice: {n}" for n in sorted(n for n, k in counts.items() if k > 1)]
    files = {i.filename[len(prefix):]: (i.file_size, (lambda i=i: z.open(i))) for i in infos
             if i.filename.startswith(prefix)}
    return files, problems, z


def read_supplement(path: Path) -> dict[str, bytes]:
    """Files of a supplement folder or zip, by their path inside the supplement (read whole: for
    supplements this pipeline built; ``verify`` streams instead)."""
    files, _, z = _entries(path)
    try:
        return {name: _read_all(opener) for name, (_, opener) in files.items()}
    finally:
        if z is not None:
            z.close()


def _read_all(opener) -> bytes:
    with opener() as f:
        return f.read()


def _read_capped(opener, cap: int) -> bytes | None:
    with opener() as f:
        data = f.read(cap + 1)
    return None if len(data) > cap else data


def _digest(opener, size: int) -> str | None:
    """SHA-256 of at most ``size`` bytes, streamed; None when the entry holds more (a bomb or a change)."""
    h, seen = hashlib.sha256(), 0
    with opener() as f:
        while chunk := f.read(1 << 20):
            seen += len(chunk)
            if seen > size:
                return None
            h.update(chunk)
    return h.hexdigest() if seen == size else None


def verify(path: Path) -> tuple[list[str], int]:
    """Problems (missing, extra, changed, stored twice, outside the supplement, disagreeing with
    provenance.json, malformed manifest) and the number of files listed.  Entries are streamed and
    never inflated beyond the size the manifest gives them."""
    files, problems, z = _entries(path)
    try:
        text = _read_capped(files[MANIFEST][1], MAX_MANIFEST)
        if text is None:
            raise InputError(f"{path}: {MANIFEST}", f"a manifest under {MAX_MANIFEST // 2**20} MB")
        listed = {}
        for n, line in enumerate(text.decode("utf-8", errors="replace").splitlines(), 1):
            m = MANIFEST_LINE.match(line)
            if not m or m.group(3) in listed:
                raise InputError(f"{path}: {MANIFEST}", "lines of 'sha256  size  path', each path once (the "
                                 "manifest was altered)", row=n, value=line[:80])
            listed[m.group(3)] = (m.group(1), int(m.group(2)))
        for name, (digest, size) in sorted(listed.items()):
            if name not in files:
                problems.append(f"missing: {name}")
            elif files[name][0] != size or _digest(files[name][1], size) != digest:
                problems.append(f"changed: {name}")
        for name in sorted(set(files) - set(listed) - {MANIFEST}):
            problems.append(f"extra: {name}")
        if "provenance.json" in files and "provenance.json" in listed:
            problems += _against_provenance(_read_capped(files["provenance.json"][1], MAX_MANIFEST) or b"{}", listed)
    finally:
        if z is not None:
            z.close()
    return problems, len(listed)


def _against_provenance(raw: bytes, listed: dict) -> list[str]:
    """The manifest's hashes against provenance.json's: its ``files`` (every file but itself and the
    manifest) and its ``outputs``.  A file changed together with its manifest line shows here."""
    try:
        record = json.loads(raw)
    except ValueError:
        record = None
    outputs = record.get("outputs", {}) if isinstance(record, dict) else None
    hashes = record.get("files", {}) if isinstance(record, dict) else None
    if not isinstance(outputs, dict) or not isinstance(hashes, dict):
        return ["changed: provenance.json (not the record the pipeline writes)"]
    problems = []
    for name, info in sorted(outputs.items()):
        if name in listed and isinstance(info, dict) and info.get("sha256") != listed[name][0]:
            problems.append(f"changed: {name} (its manifest line disagrees with provenance.json)")
    if hashes:  # supplements built before provenance.json recorded every file have outputs only
        for name in sorted(set(listed) - {MANIFEST, "provenance.json"}):
            if name not in hashes:
                problems.append(f"extra: {name} (listed in the manifest, not in provenance.json)")
            elif hashes[name] != listed[name][0]:
                problems.append(f"changed: {name} (differs from its hash in provenance.json)")
        problems += [f"missing: {name} (in provenance.json, not in the manifest)"
                     for name in sorted(set(hashes) - set(listed))]
    return problems
