"""What the expression language knows by name: functions, constants, options.

Function signatures follow Microsoft's functions reference for Entra Connect
Sync (reference-connect-sync-functions-reference.md); the undocumented names
come from the out-of-box rules and the engine's function table.

Argument kinds, one letter per position:
``s`` string, ``n`` number, ``b`` binary, ``d`` date, ``r`` reference (all four
applied per value to a multi-valued input); ``v`` any value, taken whole;
``m`` multi-valued, taken whole; ``e`` a bare option name; ``x`` evaluated
lazily; ``q`` a quoted attribute name; ``$`` a variable being declared.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DOCUMENTED = "documented"
    OUT_OF_BOX = "out-of-box"
    ENGINE_ONLY = "engine-only"


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    kinds: str
    required: int
    returns: str
    status: Status = Status.DOCUMENTED
    variadic: bool = False

    @property
    def most(self) -> int | None:
        """The largest argument count, or None when any even count is taken."""
        return None if self.variadic else len(self.kinds)

    def kind(self, index: int) -> str:
        """The kind of argument ``index`` (0-based)."""
        if self.variadic:
            return self.kinds[index % len(self.kinds)]
        return self.kinds[index]


def _f(
    name: str,
    kinds: str,
    returns: str,
    required: int | None = None,
    *,
    status: Status = Status.DOCUMENTED,
    variadic: bool = False,
) -> FunctionSpec:
    count = len(kinds) if required is None else required
    return FunctionSpec(name, kinds, count, returns, status, variadic)


_CERT_TEXT = [
    "CertFormat",
    "CertFriendlyName",
    "CertHashString",
    "CertIssuer",
    "CertIssuerDN",
    "CertIssuerOid",
    "CertKeyAlgorithm",
    "CertKeyAlgorithmParams",
    "CertPublicKeyOid",
    "CertPublicKeyParametersOid",
    "CertSerialNumber",
    "CertSignatureAlgorithmOid",
    "CertSubject",
    "CertSubjectNameDN",
    "CertSubjectNameOid",
    "CertThumbprint",
    "CertVersion",
]

FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        _f("BitAnd", "nn", "num"),
        _f("BitOr", "nn", "num"),
        _f("CBool", "v", "bool"),
        _f("CDate", "s", "dt"),
        _f("CGuid", "s", "bin"),
        _f("CNum", "s", "num"),
        _f("CRef", "s", "ref"),
        _f("CStr", "s", "str"),
        _f("ConvertFromBase64", "se", "str", 1),
        _f("ConvertToBase64", "v", "str"),
        _f("ConvertFromUTF8Hex", "s", "str"),
        _f("ConvertToUTF8Hex", "s", "str"),
        _f("Count", "m", "num"),
        _f("Contains", "mse", "num", 2),
        _f("DateAdd", "snd", "dt"),
        _f("DateFromNum", "n", "dt"),
        _f("DNComponent", "rn", "str"),
        _f("DNComponentRev", "rns", "str", 2),
        _f("Error", "s", "void"),
        _f("EscapeDNComponent", "s", "str"),
        _f("FormatDateTime", "ds", "str"),
        _f("Guid", "", "str"),
        _f("IIF", "vxx", "var"),
        _f("InStr", "ssne", "num", 2),
        _f("InStrRev", "ssne", "num", 2),
        _f("IsBitSet", "nn", "bool"),
        _f("IsCert", "v", "bool"),
        _f("IsDate", "v", "bool"),
        _f("IsEmpty", "v", "bool"),
        _f("IsGuid", "v", "bool"),
        _f("IsNull", "v", "bool"),
        _f("IsNullOrEmpty", "v", "bool"),
        _f("IsNumeric", "v", "bool"),
        _f("IsPresent", "v", "bool"),
        _f("IsString", "v", "bool"),
        _f("Item", "mn", "var"),
        _f("ItemOrNull", "mn", "var"),
        _f("Join", "ms", "str", 1),
        _f("LCase", "s", "str"),
        _f("Left", "sn", "str"),
        _f("Len", "s", "num"),
        _f("LTrim", "s", "str"),
        _f("Mid", "snn", "str", 2),
        _f("Now", "", "dt"),
        _f("NumFromDate", "d", "num"),
        _f("PadLeft", "sns", "str"),
        _f("PadRight", "sns", "str"),
        _f("PCase", "s", "str"),
        _f("RandomNum", "nn", "num"),
        _f("RemoveDuplicates", "m", "mvstr"),
        _f("Replace", "sss", "str"),
        _f("ReplaceChars", "ss", "str"),
        _f("Right", "sn", "str"),
        _f("RTrim", "s", "str"),
        _f("Select", "$vx", "mvstr"),
        _f("Split", "ssn", "mvstr", 2),
        _f("StringFromGuid", "b", "str"),
        _f("StringFromSid", "b", "str"),
        _f("Switch", "xx", "var", variadic=True),
        _f("Trim", "s", "str"),
        _f("UCase", "s", "str"),
        _f("Where", "$vx", "mvstr"),
        _f("With", "$vx", "var"),
        _f("Word", "sns", "str"),
        _f("ImportedValue", "q", "var", status=Status.OUT_OF_BOX),
        _f("ValueCount", "q", "num", status=Status.OUT_OF_BOX),
        _f("CertExtensionOids", "b", "mvstr"),
        _f("CertNameInfo", "bsv", "str"),
        _f("CertNotAfter", "b", "dt"),
        _f("CertNotBefore", "b", "dt"),
        *(_f(name, "b", "str") for name in _CERT_TEXT),
        _f("CBin", "vn", "var", 1, status=Status.OUT_OF_BOX),
        _f("Thumbprint", "v", "var", status=Status.OUT_OF_BOX),
        _f("RandomStr", "n", "str", status=Status.ENGINE_ONLY),
        _f("RegexIsMatch", "ss", "bool", status=Status.ENGINE_ONLY),
        _f("Concat", "ss", "str", status=Status.ENGINE_ONLY),
        _f("SidFromString", "s", "bin", status=Status.ENGINE_ONLY),
        _f("CertSimpleName", "b", "str", status=Status.ENGINE_ONLY),
        _f("ConvertToBinaryFromBase64", "s", "bin", status=Status.ENGINE_ONLY),
    )
}

_BY_FOLDED = {name.lower(): name for name in FUNCTIONS}

# Names admins bring from other tools, with what this language uses instead.
FOREIGN_FUNCTIONS = {
    "Not": "there is no Not(); compare with = False",
    "Concatenate": "join strings with &",
    "Random": "the function is RandomNum(start, end)",
    "ToLower": "the function is LCase",
    "ToUpper": "the function is UCase",
    "UpperCase": "the function is UCase",
    "LowerCase": "the function is LCase",
    "ProperCase": "the function is PCase",
    "Substring": "use Mid(string, start, length)",
    "IsNullOrWhiteSpace": "use IsNullOrEmpty(Trim(x))",
    "And": "use && between conditions",
    "Or": "use || between conditions",
    "If": "use IIF(condition, then, else)",
}

CONSTANTS = ("NULL", "AuthoritativeNull", "IgnoreThisFlow", "CRLF")
BOOLEANS = {"True": True, "False": False}

# Option names, and the functions (and argument positions) that take them.
ENUMS = {
    "vbTextCompare": (("InStr", 3), ("InStrRev", 3)),
    "vbBinaryCompare": (("InStr", 3), ("InStrRev", 3)),
    "CaseSensitive": (("Contains", 2),),
    "CaseInsensitive": (("Contains", 2),),
    "Unicode": (("ConvertFromBase64", 1),),
    "ASCII": (("ConvertFromBase64", 1),),
    "UTF8": (("ConvertFromBase64", 1),),
}

KNOWN_PARAMETERS = frozenset(
    {
        "Domain.Netbios",
        "Domain.FQDN",
        "Domain.LDAP",
        "Forest.Netbios",
        "Forest.FQDN",
        "Forest.LDAP",
        "Connector.ID",
    }
)

_IDENTIFIERS = {name.lower(): name for name in (*CONSTANTS, *BOOLEANS, *ENUMS)}


def function(name: str) -> FunctionSpec | None:
    """The function spelled exactly ``name`` (names are case-sensitive)."""
    return FUNCTIONS.get(name)


def function_casing(name: str) -> str | None:
    """The real spelling of a function written with the wrong letter case."""
    real = _BY_FOLDED.get(name.lower())
    return real if real != name else None


def identifier(name: str) -> str | None:
    """The canonical spelling of a constant, boolean or option, any case."""
    return _IDENTIFIERS.get(name.lower())


def suggest(
    name: str, choices: list[str] | tuple[str, ...] | None = None
) -> str | None:
    """The closest known function name (or choice) to ``name``, if any is close."""
    pool = list(FUNCTIONS) if choices is None else list(choices)
    folded = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.7)
    return folded[close[0]] if close else None
