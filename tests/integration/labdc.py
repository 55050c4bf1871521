"""The lab Samba AD DC that ``scripts/samba-dc.sh start`` brings up.

The tests read where it is from the ``ENTRA_RULEGEN_TEST_DC_*`` variables the
script writes to ``$LAB/env.sh``. Without them the tests are skipped with a loud
reason, except under ``CI=true``, where a missing DC fails the run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

VARIABLES = ("HOST", "CA", "CERT_NAME", "USER", "PASSWORD", "BASE_DN")


@dataclass(frozen=True)
class LabDC:
    host: str
    ca_file: str
    cert_name: str
    user: str
    password: str
    base_dn: str
    seeded_users: int
    realm: str = ""
    krb5_config: str = ""

    def ldaps(self) -> list[str]:
        """Arguments for a checked LDAPS read of the lab."""
        return [
            "--source", f"ldaps://{self.host}", "--user", self.user,
            "--ca-file", self.ca_file, "--tls-server-name", self.cert_name,
        ]  # fmt: skip

    def env(self, password: str | None = None) -> dict[str, str]:
        return {
            "ENTRA_RULEGEN_PASSWORD": self.password if password is None else password
        }


@pytest.fixture(scope="session")
def lab_dc() -> LabDC:
    """The running lab DC, or a skip (a failure under CI=true) saying why."""
    missing = [f"ENTRA_RULEGEN_TEST_DC_{v}" for v in VARIABLES if not _get(v)]
    if os.environ.get("ENTRA_RULEGEN_TEST_DC") != "1" or missing:
        reason = (
            "NO SAMBA AD DC: the live-directory tests did not run. Start one with "
            "`scripts/samba-dc.sh start && source "
            "${ENTRA_RULEGEN_LAB:-/tmp/entra-rulegen-lab}/env.sh` "
            f"(missing: {', '.join(missing) or 'ENTRA_RULEGEN_TEST_DC=1'})"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return LabDC(
        host=_get("HOST"),
        ca_file=_get("CA"),
        cert_name=_get("CERT_NAME"),
        user=_get("USER"),
        password=_get("PASSWORD"),
        base_dn=_get("BASE_DN"),
        seeded_users=int(_get("USERS") or 0),
        realm=_get("REALM"),
        krb5_config=_get("KRB5_CONFIG"),
    )


def _get(name: str) -> str:
    return os.environ.get(f"ENTRA_RULEGEN_TEST_DC_{name}", "")
