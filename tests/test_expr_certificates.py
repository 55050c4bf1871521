"""The two certificate functions the preview evaluates: CertThumbprint and IsCert.

The certificate is a throwaway self-signed one made for this test with
``openssl req -x509``; its SHA-1 fingerprint, as openssl prints it, is the
thumbprint Windows shows.
"""

from __future__ import annotations

import base64

import pytest

from generator.expressions import Value, compile_expression

PEM_BODY = (
    "MIIBgDCCASWgAwIBAgIUDZWiP7FF6UASQNJos9M2ojEoGsEwCgYIKoZIzj0EAwIwFTETMBEGA1UE"
    "AwwKYXVkaXQtdGVzdDAeFw0yNjEyMDMyMjI2NTFaFw0yNjEyMDQyMjI2NTFaMBUxEzARBgNVBAMM"
    "CmF1ZGl0LXRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ8cZsT0BZBILWlqUkcFlrmkIKc"
    "w5rh9P8T8GnRx1NMQrrlhlGipDQugYbuHMZJyMOh3BC7eftdc13ctF20ZyAlo1MwUTAdBgNVHQ4E"
    "FgQULCLOOJtP9o/zPkqbKKceKhmrAIkwHwYDVR0jBBgwFoAULCLOOJtP9o/zPkqbKKceKhmrAIkw"
    "DwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAvQ2jmZ8XquEzY8i2wNwxcyruRngF"
    "spgBrbP8kF3/TeMCIQDf3fMz3iLqimo3Pzj2q7EOVS2nmp69k94PfYa1CIyMJQ=="
)
DER = base64.b64decode(PEM_BODY)
THUMBPRINT = "5D18D614A0E7571BBAC0D273EC9E457EF0B19321"  # openssl -fingerprint -sha1


def evaluate(text: str, value: object) -> object:
    outcome = compile_expression(text).evaluate({"usercertificate": (value,)}, {})
    assert isinstance(outcome, Value), outcome
    return outcome.value


def test_cert_thumbprint_of_a_der_certificate() -> None:
    assert evaluate("CertThumbprint([userCertificate])", DER) == THUMBPRINT


def test_is_cert_tells_a_certificate_from_other_values() -> None:
    assert evaluate("IsCert([userCertificate])", DER) is True
    assert evaluate("IsCert([userCertificate])", b"\x04\x02ab") is False
    assert evaluate("IsCert([userCertificate])", "not a certificate") is False


@pytest.mark.xfail(
    strict=True,
    reason="TODO(#4): the reference takes DER or base64 text; text gives an Error",
)
def test_cert_thumbprint_of_base64_text() -> None:
    assert evaluate("CertThumbprint([userCertificate])", PEM_BODY) == THUMBPRINT


@pytest.mark.xfail(
    strict=True,
    reason="TODO(#4): IsCert checks only for a DER SEQUENCE of some length",
)
def test_is_cert_refuses_a_sequence_that_is_no_certificate() -> None:
    assert evaluate("IsCert([userCertificate])", b"\x30\x81\x80" + bytes(128)) is False
