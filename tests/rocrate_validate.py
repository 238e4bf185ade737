"""Validate an RO-Crate with roc-validator, offline: run by the side environment's Python
(``ROCRATE_PYTHON``, built by ``make test`` from tests/requirements-rocrate.lock).

    python rocrate_validate.py CRATE_DIR PROFILE [SEVERITY]

The validator fetches the crate's JSON-LD context from w3id.org; here it is served from the copy of
the RO-Crate 1.1 context that ro-crate-py 0.13.0 ships (rocrate/data/ro-crate.jsonld).  Prints one
JSON object: passed, and every issue at the REQUIRED level (or SEVERITY, e.g. RECOMMENDED) with its check.
"""

import json
import sys
from importlib.util import find_spec
from pathlib import Path

import requests
from rocrate_validator import services
from rocrate_validator.utils.http import HttpRequester

crate, profile = sys.argv[1:3]
# The file alone: importing rocrate would need its dependencies, which this environment does not have.
context = (Path(find_spec("rocrate").origin).parent / "data" / "ro-crate.jsonld").read_bytes()
LOCAL = {json.loads(context)["@id"]: context}


def get(self, url, *args, **kwargs):
    if url.rstrip("/") in LOCAL:
        response = requests.Response()
        response.status_code, response._content, response.url = 200, LOCAL[url.rstrip("/")], url
        response.headers["Content-Type"] = "application/ld+json"
        return response
    return HttpRequester.__getattr__(self, "get")(url, *args, **kwargs)


HttpRequester.get = get
result = services.validate({"rocrate_uri": crate, "profile_identifier": profile, "requirement_severity": sys.argv[3] if len(sys.argv) > 3 else "REQUIRED",
                            "offline": True})
issues = [{"check": i.check.identifier, "message": str(i.message)} for i in result.get_issues()]
print(json.dumps({"passed": result.passed(), "issues": issues}, indent=1))
