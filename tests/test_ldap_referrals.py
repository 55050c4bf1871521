"""No referral chasing by default: a referral ends the read with its own error.

ldap3 follows referrals unless told not to, and would then bind to a DC the
admin never named with the admin's credentials; the connection the reader
builds must say no, and a referral answer must name the DC it points at.
"""

from __future__ import annotations

from generator.model import LiveOptions, SourceSpec
from generator.readers import ldap as reader


def test_the_connection_does_not_follow_referrals() -> None:
    live = LiveOptions(user="svc", insecure=True)
    source = reader.open_ldap(SourceSpec("ldaps://dc1.invalid"), live)
    conn = reader._connection(source.target, live, {})  # builds, does not connect
    assert conn.auto_referrals is False
    assert conn.closed


def test_a_referral_answer_is_an_error_naming_where_it_points() -> None:
    source = reader.open_ldap(
        SourceSpec("ldaps://dc1.invalid"), LiveOptions(user="svc", insecure=True)
    )
    answer = {"result": 10, "referrals": ["ldap://eu.contoso.com/DC=eu"]}
    message = str(reader.search_error(source.target, answer, "DC=contoso,DC=com", 0))
    assert "ldap://eu.contoso.com/DC=eu" in message and "not followed" in message
