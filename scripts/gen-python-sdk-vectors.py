#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes Tests/RelayCoreTests/Fixtures/python_sdk_vectors.jsonl: what Meta's Python Business SDK does
with a broad list of user_data inputs, as a reference for RelayCore's normalisation tests.

Needs `pip install facebook-business` (tested with 26.0.3). Run from anywhere:

    python3 scripts/gen-python-sdk-vectors.py

Each line: field, value, country (the event country pixelrelay is given for the case; the SDK has no such
input), sdk (package version), normalized (Normalize.normalize_field_skip_hashing, or null), hashed
(Normalize.normalize_field, or null) and error (the exception's class name when the SDK raised).
The test never runs Python; regenerate the file and review the diff when the SDK changes.
"""
import json
import pathlib
from importlib.metadata import version

from facebook_business.adobjects.serverside.normalize import Normalize

ORACLE = "param_builder_nodejs_pii_expected.jsonl"
OUT = "python_sdk_vectors.jsonl"

# Inputs beyond the param-builder oracle's: (field, value, event country or None).
EXTRA = [
    ("em", "\u00a0user@example.com\u00a0", None),
    ("em", "ΟΔΟΣ@example.gr", None),
    ("em", "jane.doe+shop@example.com", None),
    ("em", " 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938B9824 ", None),
    ("ph", "(650)555-1212", "us"),
    ("ph", "(650) 555-1212", "us"),
    ("ph", "06 12 34 56 78", "fr"),
    ("ph", "+33 6 12 34 56 78", "fr"),
    ("ph", "33612345678", "fr"),
    ("ph", "06 1234 5678", "it"),
    ("ph", "8 (495) 123-45-67", "ru"),
    ("ph", "030 123456", "de"),
    ("ph", "020 7946 0958", "gb"),
    ("ph", "011 44 20 7946 0958", "us"),
    ("ph", "0044 20 7946 0958", None),
    ("ph", "+44 (0)20 7946 0958", None),
    ("ph", "tel:+1-650-555-1212;ext=123", None),
    ("ph", "+1 650 555 1212 #22", None),
    ("ph", "+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", None),
    ("ph", "6505551212", "ca"),
    ("fn", "ΟΔΟΣ", None),
    ("fn", "\u00a0Mary\u00a0", None),
    ("fn", "Mary\u200b", None),
    ("fn", "ǅemal", None),
    ("fn", "Łukasz", None),
    ("fn", "Zoë-Ann", None),
    ("ln", "Nguyễn Văn", None),
    ("db", "16 février 1997", None),
    ("db", "16. Februar 1997", None),
    ("db", "16 de febrero de 1997", None),
    ("db", "02/03/1997", None),
    ("db", "1997-02-30", None),
    ("db", "1899-12-31", None),
    ("db", "1997-02-16T10:00:00", None),
    ("db", "13/02/1997", None),
    ("db", "16-02-1997", None),
    ("db", "1997.02.16", None),
    ("db", "29/02/2000", None),
    ("db", "29/02/1900", None),
    ("ge", "Mr.", None),
    ("ge", "Mrs", None),
    ("ge", "homme", None),
    ("ge", "Männlich", None),
    ("ge", "weiblich", None),
    ("ge", "other", None),
    ("ct", "ΑΘΗΝΑ", None),
    ("ct", "Frankfurt am Main", None),
    ("st", "Québec", None),
    ("st", "British Columbia", None),
    ("st", "District of Columbia", None),
    ("st", "Puerto Rico", None),
    ("st", "Ontario", "us"),
    ("st", "Georgia", "us"),
    ("zp", "94035-1234", "us"),
    ("zp", "94035", "us"),
    ("zp", "SW1A 1AA", "gb"),
    ("zp", "100-0001", "jp"),
    ("zp", "01310-100", "br"),
    ("country", "DEU", None),
    ("country", "United Kingdom", None),
    ("country", "Côte d'Ivoire", None),
    ("country", "Türkiye", None),
    ("country", "Deutschland", None),
    ("country", "EU", None),
    ("external_id", " U-42 ", None),
    ("external_id", "User 42", None),
]


def run(field, value):
    try:
        normalized = Normalize.normalize_field_skip_hashing(field, value)
        hashed = Normalize.normalize_field(field, value)
        return normalized, hashed, None
    except (TypeError, ValueError) as error:
        return None, None, type(error).__name__


def main():
    fixtures = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "RelayCoreTests" / "Fixtures"
    inputs = []
    with open(fixtures / ORACLE, encoding="utf-8") as oracle:
        for line in oracle:
            case = json.loads(line)
            if isinstance(case["value"], str):  # the SDK crashes on non-strings (len() of an int)
                inputs.append((case["field"], case["value"], None))
    inputs += EXTRA
    sdk = version("facebook-business")
    with open(fixtures / OUT, "w", encoding="utf-8") as out:
        for field, value, country in inputs:
            normalized, hashed, error = run(field, value)
            record = {"field": field, "value": value, "country": country, "sdk": sdk,
                      "normalized": normalized, "hashed": hashed, "error": error}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(inputs)} cases from facebook-business {sdk} to {fixtures / OUT}")


if __name__ == "__main__":
    main()
