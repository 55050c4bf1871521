"""Proposal, measured: decode only the raw attributes of live search results.

Not used by the product. For every entry ldap3 builds two dictionaries: the
``raw_attributes`` our reader uses, and ``attributes`` (every value run
through ``to_unicode``, with a configuration lookup per value), both as
``CaseInsensitiveDict``. The reader never reads the second one. This runs
``entra-rulegen`` with one of three ldap3 set-ups, so the same command can be
timed each way against the lab DC:

* ``default``: as the product does today;
* ``plain``: ``set_config_parameter("CASE_INSENSITIVE_ATTRIBUTE_NAMES", False)``
  (public ldap3 API; the reader lower-cases names itself);
* ``raw``: ``plain``, and search entries decoded into ``raw_attributes`` only
  (a replacement of ``decode_response_fast`` for search entries).

Measured with ``inspect`` over 10k users (47 attributes asked, page 500), CPU
seconds of the whole command: default 4.1-4.3, plain 3.7-3.9, raw 2.2-2.4, and
the same JSON document each way. In ``generator/readers/ldap.py`` the ``raw``
variant belongs on the one Connection the reader opens (its strategy object),
not on the class as here.

    ENTRA_RULEGEN_PASSWORD=... python bench/proposals/ldap_raw_decode.py raw \\
        inspect --source ldap://127.0.0.1 --user ... --json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ldap3.strategy import base
from ldap3.utils.config import set_config_parameter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from generator.cli import main

_decode = base.BaseStrategy.decode_response_fast


def raw_only(self: base.BaseStrategy, message: dict[str, Any]) -> dict[str, Any]:
    """Search entries with raw values only; every other response as ldap3 does."""
    if message["protocolOp"] != 4:  # searchResEntry
        return _decode(self, message)  # type: ignore[no-any-return]
    name, attributes = message["payload"]
    return {
        "type": "searchResEntry",
        "raw_dn": name[3],
        "dn": name[3].decode("utf-8"),
        "raw_attributes": {
            bytes(a[3][0][3]).decode("utf-8"): [bytes(v[3]) for v in a[3][1][3]]
            for a in attributes[3]
        },
        "attributes": {},
    }


if __name__ == "__main__":
    variant = sys.argv.pop(1)
    if variant in ("plain", "raw"):
        set_config_parameter("CASE_INSENSITIVE_ATTRIBUTE_NAMES", False)
    if variant == "raw":
        base.BaseStrategy.decode_response_fast = raw_only  # type: ignore[method-assign]
    sys.argv[0] = "entra-rulegen"
    main()
