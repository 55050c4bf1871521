"""The evaluator is fast enough to preview every user of a large forest.

The target is 200,000 evaluations per second of a typical userType expression
on one core (``bench/expressions.py`` measures it); this test only guards
against a large regression, with room for a busy test machine.
"""

from __future__ import annotations

import time

from generator.expressions import Value, compile_expression

SUFFIX_RULE = (
    'IIF(Right(LCase([userPrincipalName]),Len("@partners.contoso.com"))'
    '="@partners.contoso.com","Guest","Member")'
)


def test_typical_usertype_expression_is_fast() -> None:
    evaluate = compile_expression(SUFFIX_RULE).evaluate
    users = [
        {"userprincipalname": (f"u{i}@{'partners.contoso.com' if i % 3 else 'x.com'}",)}
        for i in range(1000)
    ]
    best = 0.0
    for _ in range(3):
        start = time.process_time()
        for _ in range(20):
            results = [evaluate(user) for user in users]
        best = max(best, 20 * len(users) / (time.process_time() - start))
    assert results[1] == Value(("Guest",)) and results[0] == Value(("Member",))
    assert best > 50_000, f"{best:.0f} evaluations per second"
