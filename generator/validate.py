"""Validation findings: each with a stable ID, a severity, counts and examples.

The IDs below are part of the product's interface (admins search for them and
scripts test for them): never rename one, only add. A blocker stops
``validate`` (exit 3) and keeps ``generate`` and ``plan`` from writing a bundle.
Each function here answers one question and returns its findings; the facade
(:mod:`generator.analysis`) collects them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from generator.connect import conflicts
from generator.connect.model import Configuration, Direction, guid_key
from generator.errors import UsageError
from generator.expressions import LintFinding
from generator.marker import Finding, Marker, Severity
from generator.model import User, display_value
from generator.partners import PartnerCriteria, PartnerList, Suggestion, upn_suffix
from generator.preview import CurrentState, identity
from generator.recommend import USER_TYPE_VALUES, FeatureTally
from generator.schema import Schema
from generator.strategies import is_suffix, normalise_value
from generator.tally import Examples

PARTNERS_NOT_GIVEN = "ERG-PARTNERS-NOT-GIVEN"
PARTNERS_NONE_FOUND = "ERG-PARTNERS-NONE-FOUND"
PARTNERS_WHERE_UNKNOWN = "ERG-PARTNERS-WHERE-UNKNOWN"
PARTNER_LIST_UNMATCHED = "ERG-PARTNER-LIST-UNMATCHED"
PARTNER_LIST_DUPLICATE = "ERG-PARTNER-LIST-DUPLICATE"
PARTNERS_INETORGPERSON = "ERG-PARTNERS-INETORGPERSON"
PARTNERS_OUT_OF_SCOPE = "ERG-PARTNERS-OUT-OF-SCOPE"
PARTNERS_MOST_USERS = "ERG-PARTNERS-MOST-USERS"
UPN_SUFFIX_UNUSABLE = "ERG-UPN-SUFFIX-UNUSABLE"
SCHEMA_MISSING = "ERG-SCHEMA-MISSING"
SCHEMA_MULTIVALUED = "ERG-SCHEMA-MULTIVALUED"
SCHEMA_NOT_STRING = "ERG-SCHEMA-NOT-STRING"
SCHEMA_NOT_ON_USER = "ERG-SCHEMA-NOT-ON-USER"
SCHEMA_BUNDLED = "ERG-SCHEMA-BUNDLED"
MARKER_JUNK = "ERG-MARKER-JUNK"
MARKER_PROTECTED = "ERG-MARKER-PROTECTED"
MARKER_VARIANTS = "ERG-MARKER-VARIANTS"
MARKER_EMPLOYEES_GUEST = "ERG-MARKER-EMPLOYEES-GUEST"
MARKER_PARTNERS_MISSED = "ERG-MARKER-PARTNERS-MISSED"
MARKER_NO_PARTNER_GUEST = "ERG-MARKER-NO-PARTNER-GUEST"
MARKER_INVALID_VALUE = "ERG-MARKER-INVALID-VALUE"
MARKER_PARTNERS_NO_VALUE = "ERG-MARKER-PARTNERS-NO-VALUE"
MARKER_USERS_NO_VALUE = "ERG-MARKER-USERS-NO-VALUE"
MARKER_VALUES_UNKNOWN = "ERG-MARKER-VALUES-UNKNOWN"
SOURCE_SCOPE_UNKNOWN = "ERG-SOURCE-SCOPE-UNKNOWN"
SOURCE_SYSTEM_ACCOUNTS = "ERG-SOURCE-SYSTEM-ACCOUNTS"
SOURCE_COLUMN_UNEXPANDED = "ERG-SOURCE-COLUMN-UNEXPANDED"
EXPRESSION_LINT = "ERG-EXPRESSION-LINT"
CONFIG_NOT_GIVEN = "ERG-CONFIG-NOT-GIVEN"
CURRENT_OTHER_USERTYPE = "ERG-CURRENT-USERTYPE-OTHER"
CURRENT_CONFLICT = "ERG-CURRENT-UPN-CONFLICT"
CURRENT_USERS_MISSING = "ERG-CURRENT-USERS-MISSING"
CURRENT_GUESTS_TO_MEMBER = "ERG-CURRENT-GUESTS-TO-MEMBER"
CONFIG_MARKER_READ = "ERG-CONFIG-MARKER-READ"
CONFIG_USERTYPE_CONTRIBUTED = "ERG-CONFIG-USERTYPE-CONTRIBUTED"
CONFIG_PRECEDENCE_TAKEN = "ERG-CONFIG-PRECEDENCE-TAKEN"
CONFIG_PRECEDENCE_RANGE = "ERG-CONFIG-PRECEDENCE-RANGE"
CONFIG_NO_FREE_PRECEDENCE = "ERG-CONFIG-NO-FREE-PRECEDENCE"
CONFIG_AD_ATTRIBUTE_NOT_SELECTED = "ERG-CONFIG-AD-ATTRIBUTE-NOT-SELECTED"
CONFIG_ENTRA_USERTYPE_NOT_SELECTED = "ERG-CONFIG-ENTRA-USERTYPE-NOT-SELECTED"
CONFIG_NO_USERTYPE = "ERG-CONFIG-NO-USERTYPE"
CONFIG_NO_AD_CONNECTOR = "ERG-CONFIG-NO-AD-CONNECTOR"
CONFIG_RULE_NAME_TAKEN = "ERG-CONFIG-RULE-NAME-TAKEN"
CONFIG_NO_ENTRA_CONNECTOR = "ERG-CONFIG-NO-ENTRA-CONNECTOR"
CONNECT_BEFORE_USERTYPE = "ERG-CONNECT-BEFORE-1.1.524"
CONNECT_BEFORE_CHANGES = "ERG-CONNECT-BEFORE-1.5.30"

USERTYPE_SINCE = (1, 1, 524, 0)  # Entra connector and metaverse carry userType
CHANGES_SINCE = (1, 5, 30, 0)  # sync may change the userType of existing users
# The attributes that decide whether the rule sees a user (generator.scope).
SCOPE_ATTRIBUTES = ("objectClass", "isCriticalSystemObject", "adminDescription")
CRITICAL = "isCriticalSystemObject"
# Built-in accounts AD marks as critical system objects (krbtgt_NNNNN: an RODC's).
SYSTEM_ACCOUNTS = frozenset(
    {"krbtgt", "administrator", "guest", "defaultaccount", "wdagutilityaccount"}
)
SEVERITY_ORDER: dict[Severity, int] = {"blocker": 0, "warning": 1, "info": 2}
DISTINCT_SHOWN = 10  # distinct values a finding lists, with their users
# More in-scope users than this share missing from --current: a warning (a few
# accounts not synced yet are normal; more points at a partial export).
MISSING_SHARE = 0.10
CLOUD_EXPORT = (
    "Get-MgUser -All -Property UserPrincipalName,UserType | "
    "Select-Object UserPrincipalName,UserType | "
    "Export-Csv -Path cloud.csv -NoTypeInformation -Encoding UTF8"
)


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Blockers first, then warnings, then information; stable within each."""
    return tuple(sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity]))


def _finding(
    id: str,
    severity: Severity,
    title: str,
    detail: str = "",
    examples: Examples | None = None,
    *,
    count: int | None = None,
    forest: str | None = None,
) -> Finding:
    return Finding(
        id=id,
        severity=severity,
        title=title,
        detail=detail,
        count=examples.count if examples is not None and count is None else count or 0,
        examples=tuple(examples.items) if examples is not None else (),
        forest=forest,
    )


# --- partners ---------------------------------------------------------------


def partner_findings(
    criteria: PartnerCriteria, partners: int, suggestions: Sequence[Suggestion]
) -> list[Finding]:
    """No population given, one that matches nobody, list entries nobody matched."""
    if not criteria.given:
        options = "; ".join(f"{s.option} ({s.count} users)" for s in suggestions)
        detail = (
            "Tell the tool who the partners are with --partner-suffix, "
            "--partner-ou, --partner-list or --partner-where. "
            + (f"Likely: {options}." if options else "No likely population found.")
        )
        return [
            _finding(
                PARTNERS_NOT_GIVEN, "blocker", "no partner population given", detail
            )
        ]
    found = []
    if partners == 0:
        found.append(
            _finding(
                PARTNERS_NONE_FOUND,
                "blocker",
                "the partner definition matches no in-scope user",
                f"The definition: {criteria.describe()}. Check it against the "
                "data (inspect lists the suffixes, OUs and values there).",
            )
        )
    for listed in criteria.lists:
        missing = listed.unmatched()
        if missing:
            examples = Examples(limit=5)
            for entry, line in missing:
                examples.add(f"line {line}: {entry.partition(':')[2]}")
            found.append(
                _finding(
                    PARTNER_LIST_UNMATCHED,
                    "warning",
                    f"entries of {listed.path.name} match no in-scope user",
                    "Misspelt, deleted, or outside the rule's scope.",
                    examples,
                )
            )
        found += _duplicates(listed)
    return found


def _duplicates(listed: PartnerList) -> list[Finding]:
    """Lines naming a user another line names: counted once, said once."""
    if not listed.duplicates:
        return []
    examples = Examples(limit=5)
    for lines, who in sorted(listed.duplicates.items()):
        shown = ", ".join(str(n) for n in lines)
        examples.add(f"lines {shown}: {who}")
    return [
        _finding(
            PARTNER_LIST_DUPLICATE,
            "info",
            f"entries of {listed.path.name} name the same user more than once",
            "Each user counts once, whether named by sAMAccountName, UPN or DN.",
            examples,
        )
    ]


# A partner definition matching more than this share of the in-scope users is
# more likely the employees' domain or OU than the partners'.
MOST_USERS_SHARE = 0.5


def broad_partner_findings(
    criteria: PartnerCriteria, tally: FeatureTally
) -> list[Finding]:
    """A partner definition that makes most in-scope users partners: a warning,
    with the UPN suffixes holding the most of them."""
    if not criteria.given or not tally.users:
        return []
    share = tally.partners / tally.users
    if share <= MOST_USERS_SHARE:
        return []
    examples = Examples(limit=5)
    ranked = sorted(tally.suffixes.items(), key=lambda kv: (-kv[1].partners, kv[0]))
    for suffix, split in ranked:
        if split.partners:
            examples.add(f"@{suffix}: {split.partners} of {split.users} users")
    return [
        _finding(
            PARTNERS_MOST_USERS,
            "warning",
            f"the partner definition makes {tally.partners} of the {tally.users} "
            f"in-scope users partners ({share:.0%}): is this the employees' "
            "domain?",
            f"The definition: {criteria.describe()}. Every partner becomes Guest; "
            "check it names the partners' own UPN suffix, OU or value, not one "
            "the employees share (inspect lists the suffixes and OUs with their "
            "users).",
            examples,
            count=tally.partners,
        )
    ]


def where_findings(
    criteria: PartnerCriteria, schemas: Sequence[tuple[str, Schema]]
) -> list[Finding]:
    """A ``--partner-where`` attribute the forest's schema lacks matches nobody.

    A blocker against a real schema (a typo, most likely); a warning against
    the bundled default, which lacks the attributes schema extensions add.
    """
    found = []
    for attribute in criteria.attributes:
        for forest, schema in schemas:
            if schema.attribute(attribute) is not None:
                continue
            bundled = schema.origin == "bundled"
            found.append(
                _finding(
                    PARTNERS_WHERE_UNKNOWN,
                    "warning" if bundled else "blocker",
                    f"--partner-where reads {attribute}, which does not exist in "
                    f"the schema of {forest}",
                    "No user there can match it; check the spelling"
                    + (
                        " (or give --schema: the check used the bundled one)."
                        if bundled
                        else "."
                    ),
                    forest=forest,
                )
            )
    return found


def class_findings(forest: str, partner_classes: dict[str, int]) -> list[Finding]:
    """Partners of class inetOrgPerson need the second inbound rule."""
    count = partner_classes.get("inetOrgPerson", 0)
    if not count:
        return []
    return [
        _finding(
            PARTNERS_INETORGPERSON,
            "info",
            "partner accounts of class inetOrgPerson",
            "The bundle adds an inbound rule for inetOrgPerson objects as well.",
            count=count,
            forest=forest,
        )
    ]


def out_of_scope_findings(forest: str, partners: Examples | None) -> list[Finding]:
    """Users the partner definition names but the rule never sees stay as they are."""
    if not partners:
        return []
    return [
        _finding(
            PARTNERS_OUT_OF_SCOPE,
            "warning",
            "partners outside the rule's scope",
            "They match the partner definition, but the inbound rule does not see "
            "them (object type, writeback, or the connector's OU selection), so "
            "sync leaves their userType alone.",
            partners,
            forest=forest,
        )
    ]


@dataclass
class OddSuffixes:
    """UPN suffixes in the data that are no DNS domain (a typo, a trailing dot,
    a lookalike letter): no suffix rule can name them, so they are left out of
    the candidates and reported, never refused as if the admin had typed them.
    """

    usable: dict[str, bool] = field(default_factory=dict)  # suffix -> verdict
    odd: dict[str, Examples] = field(default_factory=dict)  # suffix -> users
    partners: dict[str, int] = field(default_factory=dict)

    def add(self, user: User, is_partner: bool) -> None:
        suffix = upn_suffix(user.upn)
        if suffix is None:
            return
        verdict = self.usable.get(suffix)
        if verdict is None:
            verdict = is_suffix(suffix)
            if len(self.usable) < 10_000:
                self.usable[suffix] = verdict
        if verdict:
            return
        if suffix in self.odd or len(self.odd) < DISTINCT_SHOWN:
            self.odd.setdefault(suffix, Examples()).add(identity(user))
            self.partners[suffix] = self.partners.get(suffix, 0) + is_partner

    def findings(self) -> list[Finding]:
        found = []
        for suffix, users in sorted(self.odd.items()):
            partners = self.partners.get(suffix, 0)
            among = f", {partners} of them partners" if partners else ""
            found.append(
                _finding(
                    UPN_SUFFIX_UNUSABLE,
                    "warning",
                    f"UPN suffix {suffix!r} is not a DNS domain: left out of the "
                    "suffix candidates",
                    f"{users.count} in-scope user(s) carry it{among}. A upn-suffix "
                    "marker cannot name it; fix these UPNs, or choose a marker "
                    "that does not read the UPN.",
                    users,
                )
            )
        return found


# --- schema -----------------------------------------------------------------


def schema_findings(forest: str, schema: Schema, marker: Marker) -> list[Finding]:
    """The marker's attributes must be single-valued strings allowed on user."""
    found = []
    if schema.origin == "bundled":
        found.append(
            _finding(
                SCHEMA_BUNDLED,
                "info" if marker.strategy in ("upn-suffix", "ou") else "warning",
                "schema checks use the bundled default AD schema",
                "Give --schema with the forest's schema export for exact checks.",
                forest=forest,
            )
        )
    if marker.strategy == "expression":
        return found + _expression_inputs(forest, schema, marker)
    if marker.strategy not in ("designate", "attribute"):
        return found
    for name in marker.source_attributes:
        found.extend(_attribute_fit(forest, schema, name))
    return found


def _expression_inputs(forest: str, schema: Schema, marker: Marker) -> list[Finding]:
    """An admin's expression may read any attribute, but each must exist: sync
    never sees a value for a missing one, so the rule would fall to its default."""
    return [
        _finding(
            SCHEMA_MISSING,
            "blocker",
            f"{name} does not exist in the schema of {forest}",
            "The expression reads it; check the spelling against the schema.",
            forest=forest,
        )
        for name in marker.source_attributes
        if name.lower() != "dn" and schema.attribute(name) is None
    ]


def _attribute_fit(forest: str, schema: Schema, name: str) -> list[Finding]:
    found = schema.attribute(name)
    where = f"in the schema of {forest}"
    if found is None:
        title = f"{name} does not exist {where}"
        return [_finding(SCHEMA_MISSING, "blocker", title, forest=forest)]
    problems = []
    if not found.single_valued:
        problems.append(
            _finding(
                SCHEMA_MULTIVALUED,
                "blocker",
                f"{name} is multi-valued {where}",
                "userType takes one value; a multi-valued source is ambiguous.",
                forest=forest,
            )
        )
    if not found.is_string:
        problems.append(
            _finding(
                SCHEMA_NOT_STRING,
                "blocker",
                f"{name} is not a string {where} (syntax {found.syntax})",
                forest=forest,
            )
        )
    if not schema.allowed_on(name, "user"):
        problems.append(
            _finding(
                SCHEMA_NOT_ON_USER,
                "blocker",
                f"{name} is not allowed on class user {where}",
                forest=forest,
            )
        )
    return problems


# --- the marker's values ----------------------------------------------------


# What sign-in, the sync engine (anchor, join, scope), Exchange addressing or
# access control read: stamping Guest/Member over any of them breaks accounts.
PROTECTED_ATTRIBUTES = frozenset(
    name.lower()
    for name in (
        "userPrincipalName",
        "sAMAccountName",
        "mail",
        "proxyAddresses",
        "mailNickname",
        "targetAddress",
        "legacyExchangeDN",
        "displayName",
        "givenName",
        "sn",
        "initials",
        "middleName",
        "cn",
        "name",
        "distinguishedName",
        "dn",
        "objectGUID",
        "objectSid",
        "sIDHistory",
        "mS-DS-ConsistencyGuid",
        "msExchMailboxGuid",
        "employeeID",
        "employeeNumber",
        "userAccountControl",
        "accountExpires",
        "pwdLastSet",
        "primaryGroupID",
        "member",
        "memberOf",
        "manager",
        "directReports",
        "objectClass",
        "objectCategory",
        "adminDescription",
        "isCriticalSystemObject",
        "servicePrincipalName",
        "altSecurityIdentities",
        "userCertificate",
        "userWorkstations",
        "msDS-AllowedToDelegateTo",
        "msExchRecipientTypeDetails",
        "msExchHideFromAddressLists",
    )
)


def protected_findings(marker: Marker) -> list[Finding]:
    """A designate marker may not stamp an attribute that names or secures users."""
    name = marker.designated_attribute
    if name is None or name.lower() not in PROTECTED_ATTRIBUTES:
        return []
    return [
        _finding(
            MARKER_PROTECTED,
            "blocker",
            f"{name} cannot be a designated marker: sign-in, sync or access "
            "control rely on it",
            f"Stamping Guest/Member into {name} would overwrite every in-scope "
            "user's value. Designate a spare single-valued attribute instead "
            "(msDS-cloudExtensionAttribute1..20, extensionAttribute1..15), or "
            "derive the marker with upn-suffix:, ou: or attribute:.",
        )
    ]


@dataclass
class DesignatedValues:
    """Pass one's view of a designated attribute: every value it holds today,
    with the users holding it, so a finding can name them.

    The candidate attributes are counted by :class:`FeatureTally` already; an
    admin may designate any attribute, so the chosen one is counted here.
    """

    attribute: str
    junk: Examples = field(default_factory=Examples)  # users
    variants: Examples = field(default_factory=Examples)  # users
    values: dict[str, Examples] = field(default_factory=dict)  # raw value -> users
    more_values: int = 0  # users holding a value beyond the ones kept

    @classmethod
    def of(cls, marker: Marker | None) -> DesignatedValues | None:
        if marker is None or marker.designated_attribute is None:
            return None
        return cls(marker.designated_attribute)

    def add(self, user: User, who: str) -> None:
        texts = [
            display_value(self.attribute, v).strip()
            for v in user.values(self.attribute)
        ]
        texts = [t for t in texts if t]
        odd = [t for t in texts if normalise_value(t) not in USER_TYPE_VALUES]
        if odd:
            self.junk.add(who)
        elif any(t not in ("Guest", "Member") for t in texts):
            self.variants.add(who)
        for text in dict.fromkeys(odd or [t for t in texts if t not in _EXACT]):
            self._value(text, who)

    def _value(self, text: str, who: str) -> None:
        if text in self.values or len(self.values) < 1_000:
            self.values.setdefault(text, Examples(limit=3)).add(who)
        else:
            self.more_values += 1

    def shown(self, *, junk: bool) -> str:
        """The distinct values of one kind, most users first, with example users."""
        chosen = [
            (v, e)
            for v, e in self.values.items()
            if (normalise_value(v) not in USER_TYPE_VALUES) == junk
        ]
        chosen.sort(key=lambda ve: (-ve[1].count, ve[0]))
        parts = [
            f"{v!r} ({e.count}) held by {', '.join(e.items)}"
            for v, e in chosen[:DISTINCT_SHOWN]
        ]
        if len(chosen) > DISTINCT_SHOWN:
            parts.append(f"and {len(chosen) - DISTINCT_SHOWN} more distinct values")
        if junk and self.more_values:
            parts.append(f"{self.more_values} more users with further values")
        return "; ".join(parts)


_EXACT = ("Guest", "Member")


def designated_value_findings(
    marker: Marker, tally: FeatureTally, seen: DesignatedValues | None = None
) -> list[Finding]:
    """A designated attribute must be empty or hold only Guest/Member variants.

    ``seen`` is pass one's count of the attribute with example users; without
    it the candidate attributes' counts in ``tally`` are used.
    """
    if marker.designated_attribute is None:
        return []
    found = protected_findings(marker)
    name = marker.designated_attribute
    if seen is not None and seen.attribute.lower() == name.lower():
        return found + _seen_findings(seen)
    return found + _tally_findings(marker, tally)


def _seen_findings(seen: DesignatedValues) -> list[Finding]:
    name = seen.attribute
    found = []
    if seen.junk:
        found.append(
            _finding(
                MARKER_JUNK,
                "blocker",
                f"{name} already holds values other than Guest/Member",
                f"Something else uses it: {seen.shown(junk=True)}. Stamping would "
                "overwrite them; pick another attribute or clear these first.",
                seen.junk,
            )
        )
    if seen.variants:
        found.append(
            _finding(
                MARKER_VARIANTS,
                "warning",
                f"{name} holds Guest/Member spelt differently",
                f"{seen.shown(junk=False)}. The rule trims and lower-cases the "
                "value, so they count; the stamping script writes the exact "
                "spelling.",
                seen.variants,
            )
        )
    return found


def _tally_findings(marker: Marker, tally: FeatureTally) -> list[Finding]:
    assert marker.designated_attribute is not None
    use = tally.use(marker.designated_attribute)
    found = []
    if use.junk:
        shown = ", ".join(f"{v!r} ({n})" for v, n in use.junk[:10])
        found.append(
            _finding(
                MARKER_JUNK,
                "blocker",
                f"{marker.designated_attribute} already holds values other than "
                "Guest/Member",
                f"Something else uses it: {shown}. Stamping would overwrite them; "
                "pick another attribute or clear these first.",
                count=sum(n for _, n in use.junk),
            )
        )
    if use.variants:
        shown = ", ".join(f"{v!r} ({n})" for v, n in use.variants[:10])
        found.append(
            _finding(
                MARKER_VARIANTS,
                "warning",
                f"{marker.designated_attribute} holds Guest/Member spelt differently",
                f"{shown}. The rule trims and lower-cases the value, so they count; "
                "the stamping script writes the exact spelling.",
                count=sum(n for _, n in use.variants),
            )
        )
    return found


# --- what the source cannot show ------------------------------------------------


def is_system_account(user: User) -> bool:
    """A built-in account Connect never syncs (known by its sAMAccountName)."""
    sam = (user.sam or "").lower()
    return sam in SYSTEM_ACCOUNTS or sam.startswith("krbtgt_")


def unseen_marker_findings(
    forest: str, marker: Marker, unseen: dict[str, str]
) -> list[Finding]:
    """The marker reads an attribute whose values the source cannot show.

    ``unseen``: attribute -> why (a column the CSV header lacks, an attribute
    the Global Catalog read could not see). For a designated attribute that is
    a blocker: the stamping files would overwrite values no one has seen, and
    the restore files would put back nothing.
    """
    designated = (marker.designated_attribute or "").lower()
    found = []
    for attribute in marker.source_attributes:
        why = unseen.get(attribute)
        if why is None:
            continue
        if attribute.lower() == designated:
            severity: Severity = "blocker"
            title = f"{attribute} is {why}: its current values are unknown"
            detail = (
                "Stamping would overwrite values no one has seen, and the "
                "restore files would put back nothing. Export the attribute "
                "too (a column of the CSV, or a read from a domain controller "
                "rather than the Global Catalog) and run again."
            )
        else:
            severity = "warning"
            title = f"{attribute}, which the marker reads, is {why}"
            detail = (
                "The preview counts every user as lacking it, while the rule "
                "on the server reads the real values; export it too for a "
                "preview that shows what the rule will do."
            )
        found.append(
            _finding(MARKER_VALUES_UNKNOWN, severity, title, detail, forest=forest)
        )
    return found


def scope_source_findings(forest: str, unseen: dict[str, str]) -> list[Finding]:
    """The source cannot show the attributes that decide the rule's scope
    (``unseen``: those attributes, with why)."""
    found = []
    if unseen:
        names = ", ".join(unseen)
        found.append(
            _finding(
                SOURCE_SCOPE_UNKNOWN,
                "warning",
                f"the source cannot show {names}: the rule's scope is decided "
                "without them",
                f"{'; '.join(f'{n}: {why}' for n, why in unseen.items())}. "
                "Connect leaves out critical system objects "
                "(isCriticalSystemObject), objects written back from Entra "
                "(adminDescription User_...) and objects of other classes "
                "(objectClass); without these values such accounts count as in "
                "scope. Export them too (csvde -l, Select-Object).",
                forest=forest,
            )
        )
    return found


def unexpanded_column_findings(
    forest: str, columns: Mapping[str, str]
) -> list[Finding]:
    """CSV columns that hold PowerShell's type name (``columns``: name -> it)."""
    if not columns:
        return []
    names = ", ".join(columns)
    kinds = ", ".join(sorted(set(columns.values())))
    return [
        _finding(
            SOURCE_COLUMN_UNEXPANDED,
            "warning",
            f"the CSV columns {names} hold a type name, not values: they were ignored",
            f"Export-Csv wrote {kinds} for a property holding several values, "
            "so what these users hold there is unknown. Flatten them with -join "
            "in Select-Object (docs/input-formats.md) and export again.",
            forest=forest,
        )
    ]


def system_account_findings(
    forest: str,
    unseen: dict[str, str],
    system: Examples | None,
    critical_seen: int,
    designate: bool,
) -> list[Finding]:
    """Built-in accounts in scope because the source hid isCriticalSystemObject.

    ``unseen``: the scope attributes the source cannot show, with why;
    ``system``: in-scope users that are built-in accounts; ``critical_seen``:
    the entries read that carry isCriticalSystemObject at all. The attribute
    is hidden when the CSV lacks its column, or when no entry carries it (an
    export cut to a list of attributes without it). Connect skips these
    accounts, but designate's scripts would stamp them: a blocker then, else
    a warning. With no column for it, designate is blocked even when no
    account is known by name: a renamed Administrator or krbtgt is still one.
    """
    if CRITICAL not in unseen and critical_seen:
        return []
    if not system and not (designate and CRITICAL in unseen):
        return []
    why = (
        f"{CRITICAL} is {unseen[CRITICAL]}"
        if CRITICAL in unseen
        else f"no entry of the export carries {CRITICAL}, so it was made with a "
        "list of attributes that left it out (ldifde -l, an ldapsearch "
        "attribute list)"
    )
    stamped = (
        "Set-PartnerMarker.ps1 and the LDIF files would stamp them"
        if designate
        else "the preview counts them as in scope"
    )
    return [
        _finding(
            SOURCE_SYSTEM_ACCOUNTS,
            "blocker" if designate else "warning",
            (
                "built-in system accounts count as in scope"
                if system
                else "critical system objects cannot be told apart"
            )
            + f": the source does not show {CRITICAL}",
            f"{why}. Entra Connect never syncs critical system objects, but "
            f"{stamped}. Export {CRITICAL} (and adminDescription) too and run "
            "again.",
            system or None,
            forest=forest,
        )
    ]


@dataclass
class MarkerChecks:
    """Pass-two counters for the chosen marker in one forest."""

    forest: str
    employees_guest: Examples
    partners_missed: Examples
    invalid: Examples
    partners_lacking: Examples
    users_lacking: Examples
    partners_known: bool
    partners_guest: int = 0


def outcome_findings(marker: Marker, checks: MarkerChecks) -> list[Finding]:
    """Where the marker's Guest/Member split differs from the partner population."""
    forest = checks.forest
    source = ", ".join(marker.source_attributes) or "the source value"
    found = []
    if checks.invalid:
        found.append(
            _finding(
                MARKER_INVALID_VALUE,
                "blocker",
                "users that would get a userType other than Guest or Member",
                "Entra ID accepts only Guest and Member; an error or an empty value "
                "fails the user's sync or export.",
                checks.invalid,
                forest=forest,
            )
        )
    if checks.partners_known and checks.employees_guest:
        found.append(
            _finding(
                MARKER_EMPLOYEES_GUEST,
                "blocker",
                "employees (not in the partner population) that would become Guest",
                "The marker's Guest set differs from the partner population; fix "
                "the data or the partner definition.",
                checks.employees_guest,
                forest=forest,
            )
        )
    if checks.partners_known and checks.partners_missed:
        found.append(_missed(checks))
    if checks.partners_known and checks.partners_lacking:
        found.append(
            _finding(
                MARKER_PARTNERS_NO_VALUE,
                "warning",
                f"partners without {source}",
                "They get the default, Member.",
                checks.partners_lacking,
                forest=forest,
            )
        )
    if checks.users_lacking:
        found.append(
            _finding(
                MARKER_USERS_NO_VALUE,
                "info",
                f"users without {source}: the default Member applies",
                examples=checks.users_lacking,
                forest=forest,
            )
        )
    return found


def _missed(checks: MarkerChecks) -> Finding:
    """Some partners missed is a warning; all of them means the marker is wrong."""
    if checks.partners_guest == 0:
        return _finding(
            MARKER_NO_PARTNER_GUEST,
            "blocker",
            "no partner would become Guest",
            "The marker matches none of the partner population, so the change "
            "would do nothing for them; check the marker's value against the "
            "partners' data.",
            checks.partners_missed,
            forest=checks.forest,
        )
    return _finding(
        MARKER_PARTNERS_MISSED,
        "warning",
        "partners that would stay Member",
        "The marker misses them; they keep Member access.",
        checks.partners_missed,
        forest=checks.forest,
    )


def lint_findings(problems: Sequence[LintFinding]) -> list[Finding]:
    """The engine's lint of the marker's expression (an admin's own, mostly)."""
    return [
        _finding(
            EXPRESSION_LINT,
            "blocker" if p.severity == "blocker" else "warning",
            f"{p.id} at column {p.column}: {p.message}",
            f"Hint: {p.hint}" if p.hint else "",
        )
        for p in problems
        if p.severity in ("blocker", "warning")
    ]


# --- the current cloud state (--current) -------------------------------------


def current_findings(current: CurrentState | None) -> list[Finding]:
    """Rows of ``--current`` the preview cannot compare with as they stand."""
    if current is None:
        return []
    name = current.path.name
    found = []
    if current.other:
        found.append(
            _finding(
                CURRENT_OTHER_USERTYPE,
                "warning",
                f"{name} gives a userType other than Guest or Member",
                "Entra ID knows only Guest and Member; these users show as "
                "changing to whatever the rule gives them."
                + (
                    f" {current.empty} row(s) have no userType at all: Get-MgUser "
                    "returns it only when asked, so export again with -Property "
                    "UserPrincipalName,UserType."
                    if current.empty
                    else ""
                ),
                current.other,
            )
        )
    if current.conflicts:
        found.append(
            _finding(
                CURRENT_CONFLICT,
                "warning",
                f"{name} gives one UPN two different userTypes",
                "The preview compares with the last row of each; check the "
                "export (two tenants or two runs in one file?).",
                current.conflicts,
            )
        )
    return found


def current_coverage_findings(
    current: CurrentState | None, missing: Examples, compared: int
) -> list[Finding]:
    """In-scope users ``--current`` does not list, whose cloud userType is unknown.

    ``compared``: the in-scope users the preview compared with the file. Any
    missing user is counted (information); more than :data:`MISSING_SHARE` of
    them is a warning, since the export count the documents expect then leaves
    out many users.
    """
    if current is None or not missing:
        return []
    name = current.path.name
    share = missing.count / compared if compared else 1.0
    found = max(compared - missing.count, 0)
    return [
        _finding(
            CURRENT_USERS_MISSING,
            "warning" if share > MISSING_SHARE else "info",
            f"in-scope users not in {name} (cloud userType unknown)",
            f"{name} lists {found} of the {compared} in-scope users; the "
            "changes the preview counts are among those only. A user is "
            "missing when it is not synced yet (sync creates it with the "
            "rule's userType), when its cloud UPN differs (a UPN suffix that "
            "is not a verified domain), or when the export was partial "
            "(Get-MgUser returns only its first page without -All, and no "
            "userType without -Property). To export every cloud user: "
            f"{CLOUD_EXPORT}",
            missing,
        )
    ]


def current_change_findings(
    current: CurrentState | None, guest_to_member: Examples
) -> list[Finding]:
    """Users Guest in the cloud today that the marker would make Member.

    The rule is meant to make partners Guest; turning existing Guests into
    Members widens what they can see in the tenant, so it is never silent.
    """
    if current is None or not guest_to_member:
        return []
    name = current.path.name
    count = guest_to_member.count
    return [
        _finding(
            CURRENT_GUESTS_TO_MEMBER,
            "warning",
            f"{count} user(s) Guest in {name} today would become Member",
            "The marker gives these in-scope users Member while the cloud has "
            "them as Guest: the change (sync from Connect 1.5.30.0 on, "
            "Convert-ExistingUsers.ps1 before) gives them a member's access to "
            "the tenant. If they are partners, the marker misses them: choose "
            "or widen it so that it covers them. If they are employees the "
            "cloud has as Guest by mistake, the change is the fix. The "
            "preview's CSV lists each (change Guest -> Member).",
            guest_to_member,
        )
    ]


# --- the existing configuration ---------------------------------------------


def config_not_given() -> list[Finding]:
    return [
        _finding(
            CONFIG_NOT_GIVEN,
            "info",
            "no --connect-config: conflicts with existing rules were not checked",
            "The apply script checks connectors, attribute selections and "
            "precedences again on the server before it changes anything.",
        )
    ]


def config_findings(
    configuration: Configuration,
    marker: Marker,
    forests_without_connector: Sequence[str],
    precedence: int | None,
    rules_needed: int,
) -> list[Finding]:
    """Everything the existing configuration says about this change."""
    found = _version_of_config(configuration)
    found += marker_reader_findings(configuration, marker)
    found += _user_type_writers(configuration)
    found += _precedence(configuration, precedence, rules_needed)
    selections = _selections(configuration, marker)
    if any(f.id == CONFIG_NO_USERTYPE for f in found):  # the upgrade comes first
        selections = [
            f for f in selections if f.id != CONFIG_ENTRA_USERTYPE_NOT_SELECTED
        ]
    found += selections
    for forest in forests_without_connector:
        found.append(
            _finding(
                CONFIG_NO_AD_CONNECTOR,
                "warning",
                f"no AD connector of the configuration covers {forest}",
                "The rule for this forest cannot be bound; check the source and "
                "the export belong together.",
                forest=forest,
            )
        )
    return found


@dataclass(frozen=True)
class PlannedRule:
    """A rule the bundle would add: its name, id and connector (its GUID)."""

    name: str
    identifier: str
    connector_id: str


def name_clash_findings(
    configuration: Configuration, planned: Sequence[PlannedRule]
) -> list[Finding]:
    """A rule of the same name on the same connector, not one of ours by its
    identifier: the apply script refuses to add ours next to it (two rules of
    one name on one connector cannot be told apart in the console)."""
    found = []
    for rule in planned:
        namesakes = [
            r
            for r in configuration.rules
            if r.name.casefold() == rule.name.casefold()
            and guid_key(r.connector) == guid_key(rule.connector_id)
            and guid_key(r.id) != guid_key(rule.identifier)
        ]
        if not namesakes:
            continue
        connector = configuration.connector_name(namesakes[0])
        examples = Examples(limit=5)
        for other in namesakes:
            examples.add(f"{other.name} (id {other.id}, precedence {other.precedence})")
        found.append(
            _finding(
                CONFIG_RULE_NAME_TAKEN,
                "blocker",
                f"connector {connector} already has a rule named {rule.name}",
                "The bundle adds a rule of that name there, and the apply script "
                "refuses to run while another rule holds it (ours are known by "
                f"their identifier, {rule.identifier}). Rename or remove the "
                "existing rule first, or check it is not an earlier copy of this "
                "change made by hand.",
                examples,
            )
        )
    return found


def _version_of_config(configuration: Configuration) -> list[Finding]:
    entra = configuration.entra_connector
    if entra is None:
        return [
            _finding(
                CONFIG_NO_ENTRA_CONNECTOR,
                "blocker",
                "the configuration has no Entra ID connector",
            )
        ]
    in_schema = any(
        name.lower() == "usertype" for attrs in entra.schema.values() for name in attrs
    )
    if not conflicts.metaverse_has_user_type(configuration) and not in_schema:
        return [
            _finding(
                CONFIG_NO_USERTYPE,
                "blocker",
                "neither the metaverse nor the Entra connector knows userType",
                "Entra Connect added userType in 1.1.524.0; upgrade Connect first.",
            )
        ]
    return []


def marker_reader_findings(
    configuration: Configuration, marker: Marker
) -> list[Finding]:
    """Existing rules that read the marker's attributes (a blocker when custom
    rules read an attribute designate would stamp)."""
    found = []
    for attribute in marker.source_attributes:
        if attribute.lower() == "dn":
            continue
        uses = conflicts.rules_reading(configuration, attribute, Direction.INBOUND)
        if not uses:
            continue
        custom = [u for u in uses if not u.rule.is_out_of_box]
        examples = Examples(limit=10)
        for rule in dict.fromkeys(u.rule.name for u in uses):
            examples.add(rule)
        if marker.strategy == "designate":
            severity: Severity = "blocker" if custom else "warning"
            detail = (
                "Stamping Guest/Member into it changes what these rules flow."
                if custom
                else "Out-of-box rules flow it to Entra ID as well, so the stamped "
                "value becomes visible there too."
            )
        else:
            severity, detail = "info", "The marker only reads it; nothing changes."
        found.append(
            _finding(
                CONFIG_MARKER_READ,
                severity,
                f"{attribute} is already read by existing rules",
                detail,
                examples,
            )
        )
    return found


def _user_type_writers(configuration: Configuration) -> list[Finding]:
    writers = [
        c
        for c in conflicts.user_type_contributors(configuration)
        if not c.rule.disabled
    ]
    if not writers:
        return []
    examples = Examples(limit=10)
    for contribution in writers:
        rule = contribution.rule
        examples.add(
            f"{rule.name} ({rule.direction.value}, precedence {rule.precedence})"
        )
    return [
        _finding(
            CONFIG_USERTYPE_CONTRIBUTED,
            "blocker",
            "userType is already written by existing rules",
            "Two sets of userType rules fight by precedence; remove or disable "
            "the old ones first (the undo of an earlier change, if it was ours).",
            examples,
        )
    ]


def _precedence(
    configuration: Configuration, precedence: int | None, rules_needed: int
) -> list[Finding]:
    free = conflicts.free_precedences(configuration)
    found = []
    if precedence is not None and 1 <= precedence <= 99 and precedence not in free:
        taken = [r.name for r in configuration.rules if r.precedence == precedence]
        found.append(
            _finding(
                CONFIG_PRECEDENCE_TAKEN,
                "blocker",
                f"precedence {precedence} is already taken",
                f"Used by {', '.join(taken)}. Free: {_ranges(free[:20])}.",
            )
        )
    if len(free) < rules_needed:
        found.append(
            _finding(
                CONFIG_NO_FREE_PRECEDENCE,
                "blocker",
                f"{rules_needed} rules need a precedence but {len(free)} are free "
                "in 1-99",
            )
        )
    return found


def _ranges(values: Sequence[int]) -> str:
    return ", ".join(str(v) for v in values) or "none"


def _selections(configuration: Configuration, marker: Marker) -> list[Finding]:
    found = []
    for attribute in marker.source_attributes:
        if attribute.lower() == "dn":
            continue
        missing = [
            name
            for name, included in conflicts.ad_connectors_including(
                configuration, attribute
            ).items()
            if not included
        ]
        if missing:
            found.append(
                _finding(
                    CONFIG_AD_ATTRIBUTE_NOT_SELECTED,
                    "warning",
                    f"{attribute} is not selected on AD connector(s) "
                    + ", ".join(missing),
                    "The apply script adds it (then a Full Import is needed); "
                    "CHANGE.md gives the console steps too.",
                )
            )
    if conflicts.entra_includes_user_type(configuration) is False:
        found.append(
            _finding(
                CONFIG_ENTRA_USERTYPE_NOT_SELECTED,
                "warning",
                "userType is not selected on the Entra ID connector",
                "The apply script adds it (then a Full Import on that connector).",
            )
        )
    return found


def precedence_findings(precedence: int | None) -> list[Finding]:
    """A requested precedence must be a custom one, with or without a configuration."""
    if precedence is None or 1 <= precedence <= 99:
        return []
    return [
        _finding(
            CONFIG_PRECEDENCE_RANGE,
            "blocker",
            f"precedence {precedence} is outside 1-99",
            "Microsoft reserves 1-99 for custom rules; higher numbers belong to "
            "the out-of-box rules.",
        )
    ]


# --- the Connect version ------------------------------------------------------


def parse_version(text: str) -> tuple[int, ...]:
    """``1.5.30.0`` -> ``(1, 5, 30, 0)``; anything else is a usage error."""
    parts = text.strip().split(".")
    if not 2 <= len(parts) <= 4 or not all(p.isdigit() for p in parts):
        raise UsageError(f"--connect-version {text!r}: expected X.Y.Z.W")
    return tuple(int(p) for p in parts) + (0,) * (4 - len(parts))


def version_findings(version: str | None) -> list[Finding]:
    if version is None:
        return []
    parsed = parse_version(version)
    if parsed < USERTYPE_SINCE:
        return [
            _finding(
                CONNECT_BEFORE_USERTYPE,
                "blocker",
                f"Entra Connect {version} cannot sync userType",
                "userType sync needs 1.1.524.0 or later; upgrade first.",
            )
        ]
    if parsed < CHANGES_SINCE:
        return [
            _finding(
                CONNECT_BEFORE_CHANGES,
                "warning",
                f"Entra Connect {version} cannot change existing cloud users",
                "Before 1.5.30.0 sync sets userType only when it creates a user; "
                "the bundle carries Convert-ExistingUsers.ps1 (Microsoft Graph) "
                "for the partners that already exist in Entra ID.",
            )
        ]
    return []
