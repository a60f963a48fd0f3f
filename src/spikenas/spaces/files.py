"""Reading a genotype file: best.json of a search, or a bare genotype, either naming its space."""

from __future__ import annotations

import json
from pathlib import Path

from spikenas.errors import InputError

MAX_BYTES = 16 * 2**20  # a genotype file is a few kB; best.json of the largest space well under this


def load_genotype(path: Path):
    """(space name, genotype, the file's JSON) or an InputError naming the file and what is wrong."""
    from spikenas import spaces

    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(f"{path}: a folder, not a genotype file")
        if path.exists() and not path.is_file():
            raise InputError(f"{path}: not a regular file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: {size:,} bytes is not a genotype file (at most {MAX_BYTES:,})")
        text = path.read_bytes().decode("utf-8")
        d = json.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, so not a genotype file") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be a genotype") from None
    inner = d.get("genotype") if isinstance(d, dict) else None
    name = d.get("space") if isinstance(d, dict) else None
    name = name or (inner.get("space") if isinstance(inner, dict) else None)
    if not isinstance(name, str):
        raise InputError(f"{path}: no 'space' named")
    try:
        return name, spaces.get(name).genotype_from_json(text), d
    except InputError as e:
        raise InputError(f"{path}: {e}") from None
