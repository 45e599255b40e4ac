"""The canonical JSON form that Fieldlog hashes: keys sorted, no spaces, text as it is.

Both the audit chain (services/audit_chain.py) and an entry's content hash
(services/validation.py) hash this form; changing it breaks every stored hash.
"""

from __future__ import annotations

import json
from typing import Any

# Made once: json.dumps with options other than its defaults builds an encoder per call.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    """``value`` as ``json.dumps(value, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))`` writes it; TypeError for what JSON cannot hold."""
    return _ENCODER.encode(value)
