"""Live benchmark: ``inspect`` over LDAP against ``ldapsearch``, same DC, same run.

Run by ``bench/run.py`` inside a private network namespace (``unshare --net``),
so the lab DC it starts has 127.0.0.1:389 to itself and never meets the test
suite's DC. The lab lives under ``bench/data/lab-<users>``: provisioned and
seeded by ``scripts/samba-dc.sh`` (about a thousand users), then topped up to
the benchmark's size by ``bench/seed_dc.py`` (ldapadd, the fastest method
measured), and kept for the next run.

Both sides bind as the lab's reader over StartTLS, page by 500 and ask for the
same attributes: the identity attributes and the candidate markers, which is
what ``inspect`` asks for. Prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from run import measure, ours  # noqa: E402

from generator.inventory import CANDIDATE_ATTRIBUTES  # noqa: E402
from generator.model import IDENTITY_ATTRIBUTES  # noqa: E402

PAGE = 500
FILTER = "(&(objectCategory=person)(objectClass=user))"  # the reader's own


def say(text: str) -> None:
    print(f"live: {text}", file=sys.stderr, flush=True)


def dc(command: str, lab: Path, users: int | None = None) -> None:
    """scripts/samba-dc.sh COMMAND for the benchmark's own lab."""
    env = dict(os.environ, ENTRA_RULEGEN_LAB=str(lab))
    if users is not None:
        env["ENTRA_RULEGEN_LAB_USERS"] = str(users)
    script = ROOT / "scripts" / "samba-dc.sh"
    # bash reads a script as it runs; handing it the text keeps a run whole
    # even when the file changes meanwhile.
    argv = ["bash", "-c", script.read_text(), str(script), command]
    # stdout carries the JSON result; the script's chatter goes to stderr.
    subprocess.run(argv, env=env, check=True, stdout=sys.stderr)


def lab_env(lab: Path) -> dict[str, str]:
    """The ENTRA_RULEGEN_TEST_DC_* values samba-dc.sh wrote for the tests."""
    found = {}
    for line in (lab / "env.sh").read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            found[name] = shlex.split(value)[0] if value else ""
    return found


def prepare(lab: Path, users: int) -> dict[str, float]:
    """Start the lab DC, seeding it first when it is new; return the timings."""
    timings: dict[str, float] = {}
    marker = lab / "bench-seeded"
    wanted = f"{users} {recipe()}"
    started = time.perf_counter()
    if marker.exists() and marker.read_text() == wanted:
        dc("start", lab)
        timings["start_s"] = time.perf_counter() - started
        return timings
    if marker.exists():  # seeded by other scripts or for another size
        shutil.rmtree(lab)
    # samba-dc.sh provisions and seeds a new lab, or restarts a seeded one.
    dc("start", lab, min(users, 1000))
    timings["provision_and_seed_s"] = time.perf_counter() - started
    seeded = int((lab / "seeded").read_text())
    if users > seeded:
        started = time.perf_counter()
        top_up = [sys.executable, str(HERE / "seed_dc.py")]
        top_up += ["--users", str(users - seeded), "--method", "ldapadd"]
        # ldapadd -c skips users an interrupted top-up already added.
        subprocess.run([*top_up, "--work", str(lab)], check=True, stdout=sys.stderr)
        timings["top_up_s"] = time.perf_counter() - started
        timings["top_up_users"] = users - seeded
    marker.write_text(wanted)
    return timings


def recipe() -> str:
    """A digest of the scripts that build the lab: a change rebuilds it."""
    digest = hashlib.sha256()
    for script in ("scripts/samba-dc.sh", "scripts/seed_dc.py", "bench/seed_dc.py"):
        digest.update((ROOT / script).read_bytes())
    return digest.hexdigest()[:16]


def run_both(env: dict[str, str], repeat: int) -> dict[str, float]:
    attributes = [*IDENTITY_ATTRIBUTES, *CANDIDATE_ATTRIBUTES]
    host = env["ENTRA_RULEGEN_TEST_DC_HOST"]
    user = env["ENTRA_RULEGEN_TEST_DC_USER"]
    password = env["ENTRA_RULEGEN_TEST_DC_PASSWORD"]
    base = env["ENTRA_RULEGEN_TEST_DC_BASE_DN"]
    ca = env["ENTRA_RULEGEN_TEST_DC_CA"]
    search = ["ldapsearch", "-LLL", "-x", "-ZZ", "-H", f"ldap://{host}"]
    search += ["-D", user, "-w", password, "-b", base, "-E", f"pr={PAGE}/noprompt"]
    search += [FILTER, *attributes]
    # The lab's certificate names dc1.contoso.test, not 127.0.0.1.
    search_env = dict(os.environ, LDAPTLS_CACERT=ca, LDAPTLS_REQCERT="allow")
    inspect = [*ours(), "inspect", "--source", f"ldap://{host}", "--user", user]
    inspect += [
        "--ca-file",
        ca,
        "--tls-server-name",
        env["ENTRA_RULEGEN_TEST_DC_CERT_NAME"],
    ]
    inspect += ["--base-dn", base, "--page-size", str(PAGE), "--json"]
    inspect_env = dict(os.environ, ENTRA_RULEGEN_PASSWORD=password)
    peer = min(
        (measure(search, env=search_env, keep_stdout=True) for _ in range(repeat)),
        key=lambda m: m.wall_s,
    )
    mine = min(
        (measure(inspect, env=inspect_env, keep_stdout=True) for _ in range(repeat)),
        key=lambda m: m.wall_s,
    )
    if peer.code != 0 or mine.code != 0:
        raise SystemExit(
            f"ldapsearch exit {peer.code}: {peer.stderr.strip()[-300:]}; "
            f"inspect exit {mine.code}: {mine.stderr.strip()[-300:]}"
        )
    entries = sum(line.startswith("dn:") for line in peer.stdout.splitlines())
    return {
        "ldapsearch_s": peer.wall_s,
        "ldapsearch_rss_mb": peer.rss_mb,
        "ldapsearch_cpu_s": peer.cpu_s,
        "ldapsearch_entries": entries,
        "inspect_s": mine.wall_s,
        "inspect_rss_mb": mine.rss_mb,
        "inspect_cpu_s": mine.cpu_s,
        "attributes": len(attributes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)
    if shutil.which("ip"):
        # A fresh network namespace has its loopback down.
        subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    lab = args.data.resolve() / f"lab-{args.users}"
    timings = prepare(lab, args.users)
    try:
        result = timings | run_both(lab_env(lab), args.repeat)
    finally:
        dc("stop", lab)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
