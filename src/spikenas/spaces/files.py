"""Reading a genotype file: best.json of a search, or a bare genotype, either naming its space."""

from __future__ import annotations

import json
from pathlib import Path

from spikenas.errors import InputError


def load_genotype(path: Path):
    """(space name, genotype, the file's JSON) or an InputError naming the file and what is wrong."""
    from spikenas import spaces

    path = Path(path)
    try:
        text = path.read_text()
        d = json.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a folder, not a genotype file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    inner = d.get("genotype") if isinstance(d, dict) else None
    name = d.get("space") if isinstance(d, dict) else None
    name = name or (inner.get("space") if isinstance(inner, dict) else None)
    if not isinstance(name, str):
        raise InputError(f"{path}: no 'space' named")
    try:
        return name, spaces.get(name).genotype_from_json(text), d
    except InputError as e:
        raise InputError(f"{path}: {e}") from None
