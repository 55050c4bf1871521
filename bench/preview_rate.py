"""Preview speed: evaluations per second of the sample's emitted expressions.

The expressions are the ones ``plan`` emits on the bundled sample: the chosen
marker and every ranked alternative (designate, UPN suffix, OU, attribute
values), taken from the sample bundle's ``report.json`` and rebuilt from
their ``--marker`` specs. Each is compiled once by the engine, then evaluated
over every user of the given LDIF, read by our reader in batches; only the
evaluations are timed. The peer is the same decision written by hand in plain
Python (what the expression means, without an expression engine), over the
same inputs. A third figure times the product's whole per-user preview step
(inputs, parameters, evaluation, verdict).

    .venv/bin/python bench/preview_rate.py bench/data/directory-1m.ldif

Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.expressions import compile_expression  # noqa: E402
from generator.marker import Marker  # noqa: E402
from generator.model import SourceSpec, User  # noqa: E402
from generator.preview import MarkerEvaluator, parameters  # noqa: E402
from generator.readers import open_source  # noqa: E402
from generator.strategies import normalise_value, parse_marker  # noqa: E402

BATCH = 20_000
Inputs = Mapping[str, Sequence[str | bytes]]


def sample_markers() -> list[Marker]:
    """The markers ``plan`` ranks on the bundled sample, chosen one first."""
    with tempfile.TemporaryDirectory() as out:
        cli = [sys.executable, "-c", "from generator.cli import main; main()"]
        subprocess.run(
            [*cli, "-q", "plan", "--out", out, "--force"],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        report = json.loads((Path(out) / "report.json").read_text())
    specs = [report["marker"]["spec"]]
    specs += [alt["spec"] for alt in report.get("alternatives", [])]
    return [parse_marker(spec) for spec in dict.fromkeys(specs)]


def by_hand(marker: Marker) -> Callable[[Inputs], str]:
    """The peer: the marker's meaning in plain Python."""
    name = marker.source_attributes[0]

    def first(inputs: Inputs) -> str | None:
        values = inputs.get(name)
        return str(values[0]) if values else None

    if marker.strategy == "upn-suffix":
        ends = tuple("@" + s for s in marker.suffixes)

        def suffix(inputs: Inputs) -> str:
            upn = first(inputs)
            return "Guest" if upn and upn.lower().endswith(ends) else "Member"

        return suffix
    if marker.strategy == "ou":
        tail = "," + (marker.ou or "")

        def ou(inputs: Inputs) -> str:
            dn = first(inputs)
            return "Guest" if dn and dn.lower().endswith(tail) else "Member"

        return ou
    wanted = "guest"
    if marker.where is not None:
        wanted = normalise_value(marker.where[1])

    def equals(inputs: Inputs) -> str:
        value = first(inputs)
        return "Guest" if value and value.strip().lower() == wanted else "Member"

    return equals


class Clock:
    """Wall and CPU time spent inside ``with clock:`` blocks, summed."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def batches(path: Path) -> Iterator[list[User]]:
    batch: list[User] = []
    for user in open_source(SourceSpec(str(path))).users():
        batch.append(user)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ldif", type=Path)
    args = parser.parse_args(argv)
    markers = sample_markers()
    partner_suffixes = next(m.suffixes for m in markers if m.strategy == "upn-suffix")
    evaluators = [MarkerEvaluator(m, stamp=True) for m in markers]
    compiled = [compile_expression(m.expression) for m in markers]
    peers = [by_hand(m) for m in markers]
    engine, peer, product = Clock(), Clock(), Clock()
    users = 0
    for batch in batches(args.ldif):
        users += len(batch)
        partner = [(u.upn or "").lower().endswith(partner_suffixes) for u in batch]
        params = [parameters(u) for u in batch]
        for evaluator, expression, hand in zip(
            evaluators, compiled, peers, strict=True
        ):
            inputs = [
                evaluator.inputs(u, p) for u, p in zip(batch, partner, strict=True)
            ]
            with engine:
                for values, param in zip(inputs, params, strict=True):
                    expression.evaluate(values, param)
            with peer:
                for values in inputs:
                    hand(values)
            with product:
                for user, is_partner in zip(batch, partner, strict=True):
                    evaluator.verdict(user, is_partner)
    evaluations = users * len(markers)
    print(
        json.dumps(
            {
                "rate": evaluations / engine.wall,
                "peer_rate": evaluations / peer.wall,
                "product_rate": evaluations / product.wall,
                "cpu_rate": evaluations / engine.cpu,
                "peer_cpu_rate": evaluations / peer.cpu,
                "product_cpu_rate": evaluations / product.cpu,
                "expressions": len(markers),
                "users": users,
                "evaluations": evaluations,
                "specs": [m.spec for m in markers],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
