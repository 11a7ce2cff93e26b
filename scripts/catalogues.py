"""Bring the gettext catalogues in step with the code: `make catalogues` (or `python scripts/catalogues.py`).

Extracts every message of the answer template, the web templates and the marked strings of the code, adds the
new ones untranslated to each language's .po file, drops those no longer used (translations of the others are
kept) and lists what is left to translate. Translate those (msgstr), then run the tests: tests/test_i18n.py
fails while a message is missing or untranslated. Nothing is compiled: the app reads the .po files.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.catalogues import ASSISTANT  # noqa: E402
from web.languages import WEB  # noqa: E402


def main() -> int:
    todo = [line for catalogue in (ASSISTANT, WEB) for line in catalogue.update()]
    for line in todo:
        print("untranslated:", line)
    print(f"{len(todo)} message(s) to translate" if todo else "every message is translated")
    return 1 if todo else 0


if __name__ == "__main__":
    raise SystemExit(main())
