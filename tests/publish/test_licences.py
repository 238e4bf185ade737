"""Issue 25: the supplement's two licences, and a draft without a data licence that invents none."""

import json

from pipeline.publish.supplement import build, licences


def test_a_draft_without_a_data_licence_says_so_and_invents_none():
    text = licences.license_file({}, "MIT", "2026-12-04")
    assert licences.NO_DATA_LICENSE in text and "spdx.org/licenses/.html" not in text
    assert "Permission is hereby granted" in text and "Copyright (c) 2026" in text
    assert "license" not in json.loads(build._zenodo({"authors": []}))
    assert "date-released" not in build._citation({}, "", "MIT", "2026")  # a year alone is no CFF date
    cff = build._citation({}, "abc", "MIT", "2026-12-04")
    assert "license: MIT" in cff and "date-released: '2026-12-04'" in cff


def test_both_licences_are_named_with_where_their_texts_are():
    text = licences.license_file({"license": "CC-BY-4.0"}, "MIT", "2026-12-04")
    assert "CC-BY-4.0, https://creativecommons.org/licenses/by/4.0/" in text and "MIT, https://opensource.org" in text
    assert licences.license_url("GPL-3.0-only") == "https://spdx.org/licenses/GPL-3.0-only.html"
