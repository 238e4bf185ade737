"""The analysis parameters: ``params.yml`` with ``-p`` overrides, each checked against its rule before any
notebook starts (papermill itself only logs a misspelled name and runs with the default).
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from .. import language
from ..errors import InputError
from .project import PARAMS_FILE, cell_source, read_json


RESERVED = ("data_dir", "out_dir")


def parameters_of(nb: dict) -> dict:
    """Names and literal defaults assigned in the cell tagged ``parameters`` (read with ``ast``, no kernel)."""

    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            out = {}
            for node in ast.parse(cell_source(cell)).body:
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            try:
                                out[target.id] = ast.literal_eval(node.value)
                            except ValueError:
                                out[target.id] = None
            return out
    return {}


def declared_parameters(notebook: Path) -> dict:
    """Names and defaults in the notebook's cell tagged ``parameters``."""
    return parameters_of(read_json(notebook))


def coerce(value: str):
    """A command-line value as YAML reads it: numbers, booleans, lists; otherwise the text."""
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return value if parsed is None else parsed


def _language_codes(value) -> str | None:
    """What a ``languages`` value must be, or None when it is that: codes with a translation file."""

    if isinstance(value, (str, type(None))) and all(c in language.available() for c in str(value or "").split()):
        return None
    return f"language codes separated by spaces, each with a translation file ({', '.join(language.available())})"


# The parameters' types and ranges: one schema for params.yml and -p, checked before any notebook
# starts.  A parameter a notebook declares without a rule here takes the type of its default.
PARAMETER_RULES = {
    "quality_min_yes": (int, 0, 10),
    "saturation_orders": (int, 1, 100_000),
    "random_seed": (int, 0, 2**32 - 1),
    "min_supporting_studies": (int, 1, 1_000_000),
    "reliability_minimum": (float, 0.0, 1.0),
    "alpha_minimum": (float, -1.0, 1.0),
    "bootstrap_resamples": (int, 0, 100_000),
    "reliability_level": (("nominal", "ordinal", "interval", "ratio"),),
    "languages": (_language_codes,),  # a check of its own: returns what was expected, or None
}


def check_params(params: dict, defaults: dict, params_file: Path, overridden: set[str]) -> None:
    """Every parameter of its type and in its range; the error names params.yml or the -p option."""
    import math

    for name, value in params.items():
        where = (None, f"-p {name}") if name in overridden else (params_file, f"parameter '{name}'")
        rule = PARAMETER_RULES.get(name)
        if rule is None and name in defaults and defaults[name] is not None:
            rule = (type(defaults[name]),)
        if rule is None:
            continue
        kind = rule[0]
        if callable(kind) and not isinstance(kind, type):
            expected = kind(value)
            if expected:
                raise InputError(where[0], f"{where[1]}: {expected}", value=value)
            continue
        if isinstance(kind, tuple):
            if value not in kind:
                raise InputError(where[0], f"{where[1]}: one of {', '.join(kind)}", value=value)
            continue
        ok = (isinstance(value, int) and not isinstance(value, bool) if kind is int else
              isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else
              isinstance(value, kind))
        if ok and kind is float and not math.isfinite(value):
            ok = False
        if not ok:
            raise InputError(where[0], f"{where[1]}: {'a whole number' if kind is int else 'a number' if kind is float else 'a ' + kind.__name__}",
                             value=value)
        if len(rule) == 3 and not rule[1] <= value <= rule[2]:
            raise InputError(where[0], f"{where[1]}: between {rule[1]} and {rule[2]}", value=value)


def load_params(params_file: Path = PARAMS_FILE, overrides: list[tuple[str, str]] | None = None,
                known: set[str] | None = None) -> dict:
    """params.yml with command-line overrides; an unknown name is an error, not a silent default."""
    params_file = Path(params_file)
    params = {}
    if params_file.exists():
        text = params_file.read_text(encoding="utf-8")
        try:
            params = yaml.safe_load(text) or {}
            lines = _key_lines(text, params_file)
        except yaml.YAMLError as exc:
            raise InputError(params_file, f"valid YAML ({exc})") from None
        if not isinstance(params, dict):
            raise InputError(params_file, "a mapping of parameter names to values")
        for name, line in lines.items():
            if name in RESERVED:
                raise InputError(params_file, f"parameter '{name}': set by the runner (--{name.replace('_dir', '')}), "
                                 f"not in params.yml", row=line)
            if known is not None and name not in known:
                raise InputError(params_file, f"parameter '{name}': unknown; expected one of "
                                 f"{', '.join(sorted(known - set(RESERVED)))}", row=line)
    for name, raw in overrides or []:
        if name in RESERVED:
            raise InputError(None, f"-p {name}: set it with --{name.replace('_dir', '')} instead")
        allowed = set(params) | (known or set())
        if name not in allowed:
            raise InputError(None, f"-p {name}: unknown parameter; expected one of {', '.join(sorted(allowed))}")
        params[name] = coerce(raw)
    return params


def _key_lines(text: str, params_file: Path) -> dict:
    """Each top-level name of params.yml and its line; a name given twice is refused (YAML itself keeps
    the last value without a word)."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    lines: dict = {}
    for key, _ in node.value:
        name, line = key.value, key.start_mark.line + 1
        if name in lines:
            raise InputError(params_file, f"parameter '{name}' once (it is also on line {lines[name]})", row=line)
        lines[name] = line
    return lines
