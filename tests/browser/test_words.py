"""Issue 19 item 6: a Swedish page never shows a string from the English table. Every
`words({en: {...}, sv: {...}})` table of the portal and the console has each English key in
Swedish too (a key missing in Swedish would fall back to English on a Swedish page). Swedish
may have more: people.js words some API errors in Swedish whose English comes from the
error table (console/errors.js, checked against api/openapi.json in test_console.py)."""

import re
from pathlib import Path

from conftest import ROOT

TABLE = re.compile(r"words\(\{\s*en:\s*\{(.*?)\n  \},\s*sv:\s*\{(.*?)\n  \},?\s*\}\);", re.S)
KEY = re.compile(r'^\s*"([^"]+)":', re.M)


def test_every_english_word_has_a_swedish_one():
    tables = 0
    missing = {}
    for path in sorted((Path(ROOT) / "static" / "js").rglob("*.js")):
        if "vendor" in path.parts:
            continue
        for english, swedish in TABLE.findall(path.read_text()):
            tables += 1
            gap = set(KEY.findall(english)) - set(KEY.findall(swedish))
            if gap:
                missing[str(path.relative_to(ROOT))] = sorted(gap)
    assert tables >= 40, f"only {tables} word tables found: the pattern no longer matches the pages"
    assert not missing, f"English words without Swedish: {missing}"
