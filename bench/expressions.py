"""Evaluations per second of typical userType expressions, on one core.

    .venv/bin/python bench/expressions.py [--users 2000] [--rounds 100]

Prints one JSON document: for each expression, evaluations per second of
CPU time (best of three runs) over a synthetic population (a third partners,
some without the source attribute). CPU time rather than wall time, so that a
busy machine does not distort the figure for one core.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.expressions import compile_expression

EXPRESSIONS = {
    "upn-suffix": (
        'IIF(Right(LCase([userPrincipalName]),Len("@partners.contoso.com"))'
        '="@partners.contoso.com","Guest","Member")'
    ),
    "upn-two-suffixes": (
        'IIF(Right(LCase([userPrincipalName]),Len("@partners.contoso.com"))'
        '="@partners.contoso.com" || Right(LCase([userPrincipalName]),'
        'Len("@vendors.contoso.com"))="@vendors.contoso.com","Guest","Member")'
    ),
    "designate": 'IIF(LCase(Trim([extensionAttribute1]))="guest","Guest","Member")',
    "doc-sample-C48": (
        "IIF(IsPresent([userPrincipalName]),IIF(CBool(InStr(LCase("
        '[userPrincipalName]),"@partners.fabrikam123.org")=0),"Member","Guest"),'
        'Error("UserPrincipalName is not present to determine UserType"))'
    ),
}


def population(size: int) -> list[dict[str, tuple[str, ...]]]:
    users = []
    for index in range(size):
        partner = index % 3 == 0
        suffix = "Partners.Contoso.com" if partner else "contoso.com"
        user: dict[str, tuple[str, ...]] = {"samaccountname": (f"u{index}",)}
        if index % 50:
            user["userprincipalname"] = (f"user{index}@{suffix}",)
        if partner:
            user["extensionattribute1"] = (" Guest ",)
        users.append(user)
    return users


def measure(text: str, users: list[dict[str, tuple[str, ...]]], rounds: int) -> float:
    evaluate = compile_expression(text).evaluate
    best = 0.0
    for _ in range(3):
        start = time.process_time()
        for _ in range(rounds):
            for user in users:
                evaluate(user)
        best = max(best, rounds * len(users) / (time.process_time() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=50)
    options = parser.parse_args()
    users = population(options.users)
    result = {
        name: round(measure(text, users, options.rounds))
        for name, text in EXPRESSIONS.items()
    }
    print(json.dumps({"evaluations_per_second": result, "users": options.users}))


if __name__ == "__main__":
    main()
