"""The examples of Microsoft's functions reference (reference/expressions.md §6, §8).

Each documented example evaluates to its documented result; each documented
edge case behaves as documented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest

from generator.expressions import (
    NULL,
    Error,
    ExpressionError,
    Outcome,
    Value,
    compile_expression,
    lint,
    parse,
)

JOE = "cn=Joe,ou=Atlanta,ou=GA,ou=US,dc=contoso,dc=com"
PARAMS = {"Forest.LDAP": "DC=contoso,DC=com"}
Attrs = Mapping[str, Sequence[str | bytes]]


def run(text: str, attrs: Attrs | None = None) -> Outcome:
    compiled = compile_expression(text)
    return compiled.evaluate(attrs or {}, PARAMS, now=datetime(2026, 1, 1, tzinfo=UTC))


def value(text: str, attrs: Attrs | None = None) -> object:
    outcome = run(text, attrs)
    assert isinstance(outcome, Value), outcome
    assert len(outcome.values) == 1, outcome
    return outcome.value


def values(text: str, attrs: Attrs | None = None) -> tuple[object, ...]:
    outcome = run(text, attrs)
    assert isinstance(outcome, Value), outcome
    return outcome.values


def error(text: str, attrs: Attrs | None = None) -> Error:
    outcome = run(text, attrs)
    assert isinstance(outcome, Error), outcome
    return outcome


# (expression, documented result): one test each.
DOCUMENTED = [
    ("BitAnd(&HF,&HF7)", 7),
    ("BitOr(&H1,&H4)", 5),
    ('BitOr(InStr("abc","x"),InStr("abc","b"))>0', True),
    ('CBool("a"="a")', True),
    ("CBool(IIF(False,True,NULL))", False),
    ('ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)', "Hello world!"),
    ('ConvertToBase64("Hello world!")', "SABlAGwAbABvACAAdwBvAHIAbABkACEA"),
    ('ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")', "Hello world!"),
    ('ConvertFromUTF8Hex("48656C6C6F20776F726C6421")', "Hello world!"),
    ('ConvertToUTF8Hex("Hello world!")', "48656C6C6F20776F726C6421"),
    ('FormatDateTime(CDate("12/25/2007"),"yyyy-MM-dd")', "2007-12-25"),
    ('FormatDateTime(DateAdd("m",3,CDate("2001-01-01")),"yyyy-MM-dd")', "2001-04-01"),
    (
        'FormatDateTime(DateFromNum(129699324000000000),"yyyy-MM-dd HH:mm:ss")',
        "2012-01-01 23:00:00",
    ),
    (
        'FormatDateTime(CDate("2013-01-10 4:00 PM -8"),"yyyy-MM-dd HH:mm")',
        "2013-01-11 00:00",
    ),
    ('InStr("The quick brown fox","quick")', 5),
    ('InStr("repEated","e",3,vbBinaryCompare)', 7),
    ('InStr("The quick brown fox","QUICK")', 0),
    ('InStr("The quick brown fox","QUICK",1,vbTextCompare)', 5),
    ('InStrRev("abbcdbbbef","bb")', 7),
    ("IsBitSet(&HF,4)", True),
    ("IsBitSet(&HF,16)", False),
    ('Left("John Doe",3)', "Joh"),
    ('Left("John Doe",0)', ""),
    ('Left("John Doe",-1)', "John Doe"),
    ('Left("John Doe",99)', "John Doe"),
    ('Right("John Doe",3)', "Doe"),
    ('Right("John Doe",0)', ""),
    ('Right("John Doe",-3)', "John Doe"),
    ('Mid("John Doe",3,5)', "hn Do"),
    ('Mid("John Doe",6,999)', "Doe"),
    ('Mid("John Doe",3,0)', ""),
    ('Mid("John Doe",3,-1)', "John Doe"),
    ('Mid("John Doe",99,2)', "John Doe"),
    ('Mid("John Doe",0,2)', "John Doe"),
    ('Mid("John Doe",6)', "Doe"),
    ('Len("John Doe")', 8),
    ('LCase("John Doe")', "john doe"),
    ('UCase("John Doe")', "JOHN DOE"),
    ('Trim("  x y  ")', "x y"),
    ('LTrim("  x ")', "x "),
    ('RTrim("  x ")', "  x"),
    ('PCase("TEsT")', "Test"),
    ('PCase("the IBM way")', "The Ibm Way"),
    ('PadLeft("C",3,"0")', "00C"),
    ('PadRight("C",3,"0")', "C00"),
    ('PadLeft("Long",2,"0")', "Long"),
    ('Replace("a-b-c","-","")', "abc"),
    ('Replace("1 Main St\\r\\nSpringfield","\\r\\n",", ")', "1 Main St, Springfield"),
    ('ReplaceChars("Åsa Öberg","Å:A,Ö:O")', "Asa Oberg"),
    ('Word("The quick brown fox",3," ")', "brown"),
    ('Word("This,string!has&many separators",3,",!&#")', "has"),
    ('Word("The quick brown fox",0," ")', ""),
    ('Word("The quick brown fox",9," ")', ""),
    ('StringFromGuid(CGuid("{00010203-0405-0607-0809-0a0b0c0d0e0f}"))',
     "00010203-0405-0607-0809-0a0b0c0d0e0f"),
    ('CGuid("00010203-0405-0607-0809-0a0b0c0d0e0f")=CGuid("{00010203-0405-0607-0809-0a0b0c0d0e0f}")',
     True),
    ('IsGuid("{00010203-0405-0607-0809-0a0b0c0d0e0f}")', True),
    ('IsGuid("not a guid")', False),
    ('CNum("42")+1', 43),
    ('IsNumeric("42")', True),
    ('IsNumeric("4x")', False),
    ('IsDate("2013-01-10")', True),
    ('IsDate("soon")', False),
    ('Join(Split("a,b,c",","),";")', "a;b;c"),
    ('Join(Split("a,b,c",","))', "a b c"),
    ('Join(Split("a,b,c",","),"")', "abc"),
    ('Count(Split("a,b,c",",",2))', 2),
    ('NumFromDate(DateFromNum(129699324000000000))', 129699324000000000),
    ("CStr(True)", "True"),
    ("CStr(-5)", "-5"),
    ("&HFFFFFFFFFFFFFFFF", -1),
    ("BitAnd(-2147483646,-2147483648)", -2147483648),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), DOCUMENTED, ids=[t for t, _ in DOCUMENTED]
)
def test_documented_example(text: str, expected: object) -> None:
    assert value(text) == expected


def test_cstr_of_a_reference_is_the_dn() -> None:
    assert value("CStr(CRef([dn]))", {"dn": ["cn=Joe,dc=contoso,dc=com"]}) == (
        "cn=Joe,dc=contoso,dc=com"
    )


def test_cdate_returns_utc() -> None:
    assert value('CDate("2013-01-10 4:00 PM -8")') == datetime(2013, 1, 11, tzinfo=UTC)


def test_dncomponent_example() -> None:
    assert value("DNComponent(CRef([dn]),1)", {"dn": [JOE]}) == "Joe"


def test_dncomponentrev_examples() -> None:
    assert value("DNComponentRev(CRef([dn]),3)", {"dn": [JOE]}) == "US"
    assert value('DNComponentRev(CRef([dn]),1,"DC")', {"dn": [JOE]}) == "US"


def test_dncomponent_out_of_range_is_an_error() -> None:
    assert "out of range" in error("DNComponent(CRef([dn]),9)", {"dn": [JOE]}).message


def test_dncomponent_keeps_escapes_as_the_oob_rule_expects() -> None:
    mangled = {"dn": ["CN=Bob\\0ACNF:1234,OU=x,DC=c,DC=com"]}
    expr = 'CBool(InStr(DNComponent(CRef([dn]),1),"\\\\0ACNF:")>0)'
    assert value(expr, mangled) is True


def test_dncomponentrev_other_option_is_an_error() -> None:
    assert "option" in error('DNComponentRev(CRef([dn]),1,"OU")', {"dn": [JOE]}).message


def test_escape_dn_component_fixed_doc_example() -> None:
    expr = 'EscapeDNComponent("cn=" & [displayName]) & "," & %Forest.LDAP%'
    assert value(expr, {"displayname": ["Smith, Bob"]}) == (
        "cn=Smith\\, Bob,DC=contoso,DC=com"
    )


def test_escape_dn_component_doc_example_is_broken() -> None:
    with pytest.raises(ExpressionError, match="unbalanced"):
        parse('EscapeDNComponent("cn=" & [displayName]) & "," & %ForestLDAP%)')


def test_contains_example_and_item() -> None:
    attrs = {"proxyaddresses": ["smtp:b@x.org", "SMTP:a@x.org"]}
    assert value('Contains([proxyAddresses],"SMTP:")', attrs) == 2
    assert value('Contains([proxyAddresses],"smtp:",CaseInsensitive)', attrs) == 1
    expr = 'Mid(Item([proxyAddresses],Contains([proxyAddresses], "SMTP:")),6)'
    assert value(expr, attrs) == "a@x.org"


def test_contains_example_errors_without_primary_address() -> None:
    expr = (
        'IIF(Contains([proxyAddresses],"SMTP:")>0,[proxyAddresses],'
        'Error("No primary SMTP address found."))'
    )
    assert values(expr, {"proxyaddresses": ["SMTP:a@x", "smtp:b@x"]}) == (
        "SMTP:a@x",
        "smtp:b@x",
    )
    failed = error(expr, {"proxyaddresses": ["smtp:b@x", "x500:y"]})
    assert failed.message == "No primary SMTP address found."
    assert failed.raised


def test_contains_on_references_is_an_exact_dn_match() -> None:
    expr = 'Contains(CRef([member]),"CN=B,DC=x")'
    assert value(expr, {"member": ["CN=A,DC=x", "cn=b,dc=x", "CN=Bob,DC=x"]}) == 2


def test_item_is_one_based_and_out_of_range_is_an_error() -> None:
    attrs = {"description": ["first", "second"]}
    assert value("Item([description],1)", attrs) == "first"
    assert "out of range" in error("Item([description],3)", attrs).message
    assert "out of range" in error("Item([description],0)", attrs).message


def test_item_or_null_out_of_range_is_null() -> None:
    assert run("ItemOrNull([description],3)", {"description": ["a", "b"]}) == NULL


def test_count_and_remove_duplicates() -> None:
    attrs = {"otherphone": ["1", "2", "1"]}
    assert value("Count([otherPhone])", attrs) == 3
    assert values("RemoveDuplicates([otherPhone])", attrs) == ("1", "2")
    assert value("Count([missing])") == 0


def test_select_example() -> None:
    expr = 'Select($item,[otherPhone],Replace($item,"-",""))'
    assert values(expr, {"otherphone": ["555-1234", "555-9876"]}) == (
        "5551234",
        "5559876",
    )


def test_where_keeps_matching_values() -> None:
    expr = 'Where($item,[proxyAddresses],Left($item,5)="SMTP:")'
    attrs = {"proxyaddresses": ["SMTP:a@x", "sip:a@x", "SMTP:b@x"]}
    assert values(expr, attrs) == ("SMTP:a@x", "SMTP:b@x")


def test_with_example_shape() -> None:
    expr = (
        'With($kept,Where($item,[proxyAddresses],InStr($item,"SIP:")=0),'
        "IIF(Count($kept)>0,$kept,NULL))"
    )
    assert values(expr, {"proxyaddresses": ["SIP:a", "smtp:b"]}) == ("smtp:b",)
    assert run(expr, {"proxyaddresses": ["SIP:a"]}) == NULL


def test_switch_example() -> None:
    expr = (
        'Switch([city] = "London", "English", [city] = "Rome", "Italian", '
        '[city] = "Paris", "French", True, Error("Unknown city"))'
    )
    assert value(expr, {"city": ["Rome"]}) == "Italian"
    assert error(expr, {"city": ["Oslo"]}).message == "Unknown city"


def test_switch_without_a_true_condition_is_null() -> None:
    assert run('Switch([city] = "Rome", "Italian")', {"city": ["Oslo"]}) == NULL


def test_switch_evaluates_every_condition() -> None:
    # A failing later condition fails the call even when an earlier one is true.
    expr = 'Switch(True, "a", CNum("x") = 1, "b")'
    assert "CNum" in error(expr).message


def test_is_present_example_picks_the_first_manager() -> None:
    expr = (
        "Switch(IsPresent([directManager]),[directManager], "
        "IsPresent([skiplevelManager]),[skiplevelManager], "
        "IsPresent([director]),[director])"
    )
    assert value(expr, {"skiplevelmanager": ["CN=S"], "director": ["CN=D"]}) == "CN=S"


def test_null_tests() -> None:
    attrs = {"empty": [""], "full": ["x"]}
    checks = {
        "IsNull([absent])": True,
        "IsNull([empty])": False,
        "IsEmpty([empty])": True,
        "IsEmpty([absent])": False,
        "IsNullOrEmpty([empty])": True,
        "IsNullOrEmpty([absent])": True,
        "IsNullOrEmpty([full])": False,
        "IsPresent([full])": True,
        "IsPresent([empty])": False,
        "IsPresent([absent])": False,
    }
    assert {text: value(text, attrs) for text in checks} == checks


def test_is_string_is_false_for_binary_guid() -> None:
    attrs = {"objectguid": [bytes(range(16))]}
    expr = (
        "IIF(IsString([objectGUID]),CStr([objectGUID]),ConvertToBase64([objectGUID]))"
    )
    assert value(expr, attrs) == "AAECAwQFBgcICQoLDA0ODw=="


def test_string_from_sid() -> None:
    sid = bytes.fromhex("010500000000000515000000a065cf7e784b9b5ffe77c87705060000")
    assert value("StringFromSid([objectSid])", {"objectsid": [sid]}) == (
        "S-1-5-21-2127521184-1604012920-2009626622-1541"
    )


def test_now_is_the_pinned_clock() -> None:
    assert value('FormatDateTime(Now(),"yyyy")') == "2026"


def test_guid_is_new_each_time() -> None:
    first, second = value("Guid()"), value("Guid()")
    assert first != second
    assert value(f'IsGuid("{first}")') is True


def test_random_num_stays_in_range() -> None:
    assert all(100 <= int(str(value("RandomNum(100,999)"))) <= 999 for _ in range(50))
    assert "below" in error("RandomNum(9,1)").message


def test_replace_with_empty_text_is_an_error() -> None:
    assert "empty" in error('Replace("abc","","x")').message


def test_pad_with_two_characters_is_an_error() -> None:
    assert "one character" in error('PadLeft("C",3,"00")').message


def test_split_needs_a_single_character_delimiter() -> None:
    assert "one character" in error('Split("a--b","--")').message


def test_cnum_of_text_is_an_error() -> None:
    assert "number" in error('CNum("forty")').message


def test_date_add_with_unknown_interval_is_an_error() -> None:
    assert "interval" in error('DateAdd("fortnight",1,CDate("2001-01-01"))').message


def test_date_add_clamps_to_the_end_of_month() -> None:
    expr = 'FormatDateTime(DateAdd("m",1,CDate("2001-01-31")),"yyyy-MM-dd")'
    assert value(expr) == "2001-02-28"


def test_format_date_time_oob_pwdlastset() -> None:
    expr = 'CStr(FormatDateTime(DateFromNum([pwdLastSet]),"yyyyMMddHHmmss.0Z"))'
    assert value(expr, {"pwdlastset": ["129699324000000000"]}) == "20120101230000.0Z"


def test_imported_value_and_value_count_read_the_quoted_attribute() -> None:
    attrs = {"sourceanchor": ["abc"], "member": ["CN=a", "CN=b"]}
    assert value('ImportedValue("sourceAnchor")', attrs) == "abc"
    assert value('ValueCount("member")', attrs) == 2


# §8: documentation bugs and traps.


def test_trap_precedence_comparison_binds_tighter_than_or() -> None:
    expr = 'IsPresent([x]) || IsPresent([s]) = False || [s] = "SUPPORT_388945a0"'
    assert value(expr, {"s": ["SUPPORT_388945a0"]}) is True
    assert value(expr, {"s": ["bob"]}) is False
    assert value(expr, {}) is True


def test_trap_divide_operator_works_but_is_flagged() -> None:
    assert value("7/2") == 3
    assert value("-7/2") == -3
    assert "EXPR-DIVIDE" in {f.id for f in lint("7/2")}


def test_trap_random_is_not_randomnum() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("Random(100,999)")
    assert caught.value.hint == "the function is RandomNum(start, end)"


def test_trap_instrrev_casing() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse('InstrRev("abbcdbbbef","bb")')
    assert caught.value.hint == "did you mean InStrRev?"
    assert "case-sensitive" in caught.value.message


def test_trap_mid_with_two_arguments_runs_and_warns() -> None:
    assert value('Mid("SMTP:a@x",6)') == "a@x"
    assert "EXPR-MID-ARGUMENTS" in {f.id for f in lint('Mid("SMTP:a@x",6)')}


def test_trap_smart_quotes_from_localized_pages() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("Replace($item,“-”,“”)")
    assert "typographic quote" in caught.value.message
    assert caught.value.column == 15


def test_trap_replacechars_sample_pattern_is_malformed() -> None:
    failed = error('ReplaceChars("Åsa","’:,Å:A,Ä:A,Ö:O,å:a,ä:a,ö,o")')
    assert "ReplaceChars" in failed.message


def test_trap_dncomponent_without_cref_still_reads_a_text_dn() -> None:
    assert value("DNComponent([dn],1)", {"dn": [JOE]}) == "Joe"


def test_trap_comment_lines_are_refused() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("// pwdLastSet\nIIF(IsPresent([pwdLastSet]),1,NULL)")
    assert "comment" in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, 1)


def test_trap_is_bit_set_takes_a_mask() -> None:
    assert value("IsBitSet(&HF,8)") is True
    assert value("IsBitSet(&H4,4)") is True
    assert value("IsBitSet(&H3,4)") is False


DATE_SHAPES = [
    ('CDate("20120101230000.0Z")', "2012-01-01 23:00:00"),
    ('CDate("2013-01-10T16:00:00Z")', "2013-01-10 16:00:00"),
    ('CDate("1/2/2020 11:05:00 PM")', "2020-01-02 23:05:00"),
    ('CDate("2013-01-10 4:00 PM +02:30")', "2013-01-10 13:30:00"),
]


@pytest.mark.parametrize(
    ("text", "expected"), DATE_SHAPES, ids=[t for t, _ in DATE_SHAPES]
)
def test_cdate_reads_common_shapes_as_utc(text: str, expected: str) -> None:
    assert value(f'FormatDateTime({text},"yyyy-MM-dd HH:mm:ss")') == expected


def test_format_date_time_custom_fields() -> None:
    fields = "y yy yyyy M MMM MMMM d ddd h tt"
    expr = f'FormatDateTime(CDate("2007-03-04 5:06:07 PM"),"{fields}")'
    assert value(expr) == "7 07 2007 3 Mar March 4 Sun 5 PM"
    assert value('FormatDateTime(CDate("2007-03-04"),"\'Day\' d")') == "Day 4"


def test_cdate_of_an_impossible_date_is_an_error() -> None:
    assert "CDate" in error('CDate("2020-02-30")').message
