"""Fail when an environment variable read in ``src/`` is missing from ``.env.example``.

Run by ``make test`` so the committed example stays complete as the code grows.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(
    r"""(?:env_(?:str|bool|int|list)\(\s*|os\.environ(?:\.get)?[\(\[]\s*|getenv\(\s*)"""
    r"""["']([A-Z][A-Z0-9_]*)["']"""
)
DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# Set by the tooling itself, not by whoever deploys the platform.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}


def variables_read(source: Path) -> dict[str, list[str]]:
    """Each variable read under ``source`` with the files reading it."""
    found: dict[str, list[str]] = {}
    for path in sorted(source.rglob("*.py")):
        for name in READS.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return {name: files for name, files in found.items() if name not in NOT_CONFIGURATION}


def main() -> int:
    documented = set(DOCUMENTED.findall((ROOT / ".env.example").read_text(encoding="utf-8")))
    missing = {
        name: files
        for name, files in variables_read(ROOT / "src").items()
        if name not in documented
    }
    for name, files in sorted(missing.items()):
        print(f".env.example lacks {name} (read in {', '.join(sorted(set(files)))})")
    if not missing:
        print(f".env.example documents all {len(documented)} variables read in src/")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
