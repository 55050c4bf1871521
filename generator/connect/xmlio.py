"""Read a ``Get-ADSyncServerConfiguration`` export; write rules in its format.

The only module that handles configuration XML. Reading is strict about
structure (a missing ``<name>`` is an :class:`InputError` naming file and
line) and lenient about values (an operator or merge type we do not know is
kept as written). Writing produces what the export writes: no declaration, no
BOM, two-space indentation, ``<empty />`` elements, LF line ends and no final
line break, so a rule read and written back is the same document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Connector,
    Direction,
    FlowType,
    JoinCondition,
    JoinGroup,
    MetaverseAttribute,
    MetaverseSchema,
    Partition,
    ScopeCondition,
    ScopeGroup,
    SyncRule,
)
from generator.console import log
from generator.errors import InputError, OutputError

RULES_DIR = "SynchronizationRules"
CONNECTORS_DIR = "Connectors"
METAVERSE_FILE = Path("GlobalSettings") / "MV.xml"
_DSML = "{http://www.dsml.org/DSML}"
_Element = etree._Element
_LXML_POSITION = re.compile(r", line \d+, column \d+$")
_TAG_MISMATCH = re.compile(
    r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)"
)


def read_configuration(folder: Path) -> Configuration:
    """Read the rules, connectors and metaverse schema of an export folder."""
    if not folder.exists():
        raise InputError(
            "not found (expected a configuration export folder)", path=folder
        )
    if not folder.is_dir():
        raise InputError("not a folder (expected a configuration export)", path=folder)
    rules_dir = folder / RULES_DIR
    if not rules_dir.is_dir():
        raise InputError(
            f"no {RULES_DIR}/ folder: not a Get-ADSyncServerConfiguration export",
            path=folder,
        )
    rules = tuple(read_rule(p) for p in _xml_files(rules_dir))
    connectors = tuple(read_connector(p) for p in _xml_files(folder / CONNECTORS_DIR))
    metaverse_path = folder / METAVERSE_FILE
    if metaverse_path.is_file():
        metaverse = read_metaverse(metaverse_path)
    else:
        log.warning("%s: missing; the metaverse schema is unknown", metaverse_path)
        metaverse = MetaverseSchema()
    _check_unique(rules)
    return Configuration(rules, connectors, metaverse, folder)


def _xml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xml")


def _check_unique(rules: Iterable[SyncRule]) -> None:
    seen: dict[str, SyncRule] = {}
    for rule in rules:
        if rule.key in seen:
            first = seen[rule.key].source
            raise InputError(
                f"rule id {rule.id} also used by {first}",
                path=rule.source,
                line=None if rule.source is None else _id_line(rule.source),
            )
        seen[rule.key] = rule


def _id_line(path: Path) -> int | None:
    """The line of a rule file's ``<id>``: read again, only to report a clash."""
    found = _parse(path).find("id")
    line = None if found is None else found.sourceline
    return line if isinstance(line, int) else None


def _parse(path: Path) -> _Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, remove_comments=False
    )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=path) from None
    try:
        # From bytes, not a file name: libxml2 then reports a bad encoding as a
        # syntax error with its line instead of an I/O error without one.
        return etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as error:
        line = error.lineno or None
        raise InputError(syntax_reason(error), path=path, line=line) from None


def syntax_reason(error: etree.XMLSyntaxError) -> str:
    """libxml2's reason without the ", line N, column M" lxml appends to it.

    The line already leads the message (``file:N:``); the column follows it.
    """
    text = error.msg.splitlines()[0] if error.msg else "unreadable"
    text = _LXML_POSITION.sub("", text)
    mismatch = _TAG_MISMATCH.fullmatch(text)
    if mismatch:
        opened, at, closed = mismatch.groups()
        text = f"</{closed}> does not close <{opened}> (opened on line {at})"
    column = f" at column {error.position[1]}" if error.position[1] else ""
    return f"broken XML{column}: {text}"


class _Reader:
    """Element access that reports the file and line of whatever is missing."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, element: _Element, message: str) -> InputError:
        line = element.sourceline  # the stubs type it loosely
        return InputError(
            message, path=self.path, line=line if isinstance(line, int) else None
        )

    def child(self, element: _Element, tag: str) -> _Element:
        found = element.find(tag)
        if found is None:
            raise self.fail(element, f"<{element.tag}> has no <{tag}>")
        return found

    def text(self, element: _Element, tag: str) -> str:
        return self.child(element, tag).text or ""

    def optional(self, element: _Element, tag: str, default: str = "") -> str:
        found = element.find(tag)
        return default if found is None else (found.text or "")

    def boolean(self, element: _Element, tag: str, default: bool = False) -> bool:
        found = element.find(tag)
        if found is None:
            return default
        value = (found.text or "").strip().lower()
        if value not in {"true", "false"}:
            raise self.fail(found, f"<{tag}> must be True or False, not {value!r}")
        return value == "true"

    def texts(self, element: _Element | None, path: str) -> tuple[str, ...]:
        if element is None:
            return ()
        return tuple(e.text for e in element.iterfind(path) if e.text)


def read_rule(path: Path) -> SyncRule:
    """One ``SynchronizationRule_{GUID}.xml`` file."""
    root = _parse(path)
    r = _Reader(path)
    if root.tag != "synchronizationRule":
        raise r.fail(root, f"expected <synchronizationRule>, found <{root.tag}>")
    direction_text = r.text(root, "direction")
    try:
        direction = Direction(direction_text)
    except ValueError:
        node = r.child(root, "direction")
        raise r.fail(node, f"unknown direction {direction_text!r}") from None
    _note_unknown(path, root)
    precedence_node = r.child(root, "precedence")
    try:
        precedence = int(precedence_node.text or "")
    except ValueError:
        raise r.fail(precedence_node, "precedence is not a whole number") from None
    return SyncRule(
        id=r.text(root, "id"),
        internal_id=r.optional(root, "internal-id"),
        version=r.optional(root, "version", "1"),
        name=r.text(root, "name"),
        description=r.optional(root, "description"),
        immutable_tag=r.optional(root, "immutable-tag"),
        direction=direction,
        disabled=r.boolean(root, "disabled"),
        connector=r.text(root, "connector"),
        source_object_type=r.text(root, "sourceObjectType"),
        target_object_type=r.text(root, "targetObjectType"),
        link_type=r.text(root, "linkType"),
        precedence=precedence,
        precedence_after=r.optional(root, "precedence-after"),
        precedence_before=r.optional(root, "precedence-before"),
        soft_delete_expiry=r.optional(root, "softDeleteExpiryInterval", "00:00:00"),
        enable_password_sync=r.boolean(root, "EnablePasswordSync"),
        flows=tuple(
            _read_flow(r, m) for m in root.iterfind("attribute-mappings/mapping")
        ),
        join_groups=tuple(
            JoinGroup(tuple(_read_join(r, c) for c in group.iterfind("condition")))
            for group in root.iterfind("relationshipCriteria/conditions")
        ),
        scope_groups=tuple(
            ScopeGroup(tuple(_read_scope(r, s) for s in group.iterfind("scope")))
            for group in root.iterfind("synchronizationCriteria/conditions")
        ),
        source=path,
    )


_RULE_ELEMENTS = frozenset(
    [
        "id",
        "internal-id",
        "version",
        "name",
        "description",
        "immutable-tag",
        "direction",
        "disabled",
        "connector",
        "sourceObjectType",
        "targetObjectType",
        "linkType",
        "precedence",
        "precedence-after",
        "precedence-before",
        "softDeleteExpiryInterval",
        "EnablePasswordSync",
        "attribute-mappings",
        "relationshipCriteria",
        "synchronizationCriteria",
    ]
)


def _note_unknown(path: Path, root: _Element) -> None:
    """Say so when a newer build writes elements this reader does not keep."""
    unknown = sorted(
        {str(c.tag) for c in root if isinstance(c.tag, str)} - _RULE_ELEMENTS
    )
    if unknown:  # TODO(#4): keep them, so such rules round-trip too
        log.warning("%s: elements not read: %s", path, ", ".join(unknown))


def _read_flow(r: _Reader, mapping: _Element) -> AttributeFlow:
    source = mapping.find("src")
    expression_node = mapping.find("expression")
    attrs = r.texts(source, "attr")
    expression = None if expression_node is None else (expression_node.text or "")
    constant = None
    if expression is not None:
        flow_type = FlowType.EXPRESSION
    elif source is not None and source.find("attr") is not None:
        flow_type = FlowType.DIRECT
    else:
        flow_type = FlowType.CONSTANT
    if source is not None and source.find("attr") is None:
        constant = source.text or ""
    return AttributeFlow(
        destination=r.text(mapping, "dest"),
        flow_type=flow_type,
        sources=attrs,
        expression=expression,
        constant=constant,
        merge_type=r.optional(mapping, "valueMergeType", "Update"),
        execute_once=_attr(mapping, "execute-once").lower() == "true",
    )


def _read_join(r: _Reader, condition: _Element) -> JoinCondition:
    case = condition.find("caseSensitive")
    return JoinCondition(
        cs_attribute=r.text(condition, "csAttribute"),
        mv_attribute=r.text(condition, "ilmAttribute"),
        case_sensitive=None if case is None else r.boolean(condition, "caseSensitive"),
    )


def _read_scope(r: _Reader, scope: _Element) -> ScopeCondition:
    return ScopeCondition(
        attribute=r.text(scope, "csAttribute"),
        operator=r.text(scope, "csOperator"),
        value=r.optional(scope, "csValue"),
    )


def read_connector(path: Path) -> Connector:
    """One ``Connector_{GUID}.xml`` file (root ``<ma-data>``)."""
    root = _parse(path)
    r = _Reader(path)
    if root.tag != "ma-data":
        raise r.fail(root, f"expected <ma-data>, found <{root.tag}>")
    return Connector(
        id=r.text(root, "id"),
        name=r.text(root, "name"),
        category=r.optional(root, "category"),
        subtype=r.optional(root, "subtype"),
        description=r.optional(root, "description"),
        partitions=tuple(
            _read_partition(r, p) for p in root.iterfind("ma-partition-data/partition")
        ),
        attribute_inclusions=r.texts(root.find("attribute-inclusion"), "attribute"),
        schema=_read_dsml_classes(root.find("schema")),
        source=path,
    )


def _read_partition(r: _Reader, partition: _Element) -> Partition:
    filter_node = partition.find("filter")
    return Partition(
        name=r.text(partition, "name"),
        display_name=r.optional(partition, "display-name"),
        selected=r.optional(partition, "selected", "1").strip() != "0",
        object_classes=r.texts(filter_node, "object-classes/object-class"),
        inclusions=r.texts(filter_node, "containers/inclusions/inclusion"),
        exclusions=r.texts(filter_node, "containers/exclusions/exclusion"),
    )


def _read_dsml_classes(schema: _Element | None) -> dict[str, tuple[str, ...]]:
    """Class name -> attribute names, superior classes' attributes included."""
    if schema is None:
        return {}
    names = _attribute_types(schema)
    direct: dict[str, tuple[str, list[str]]] = {}
    class_names: dict[str, str] = {}
    for node in schema.iter(f"{_DSML}class"):
        name = node.findtext(f"{_DSML}name") or _attr(node, "id")
        refs = [
            names.get(_attr(a, "ref").lstrip("#"), _attr(a, "ref").lstrip("#"))
            for a in node.iterfind(f"{_DSML}attribute")
        ]
        class_names[(_attr(node, "id") or name)] = name
        direct[name] = (_attr(node, "superior").lstrip("#"), refs)
    result: dict[str, tuple[str, ...]] = {}
    for name in direct:
        collected: dict[str, None] = {}
        current: str | None = name
        visited: set[str] = set()
        while current and current in direct and current not in visited:
            visited.add(current)
            superior, refs = direct[current]
            collected.update(dict.fromkeys(refs))
            current = class_names.get(superior)
        result[name] = tuple(collected)
    return result


def _attr(node: _Element, name: str) -> str:
    return node.get(name) or ""


def _attribute_types(schema: _Element) -> dict[str, str]:
    return {
        _attr(node, "id"): node.findtext(f"{_DSML}name") or _attr(node, "id")
        for node in schema.iter(f"{_DSML}attribute-type")
    }


def read_metaverse(path: Path) -> MetaverseSchema:
    """``GlobalSettings/MV.xml``: object types, attribute types, global settings."""
    root = _parse(path)
    r = _Reader(path)
    if root.tag != "saved-mv-configuration":
        raise r.fail(root, f"expected <saved-mv-configuration>, found <{root.tag}>")
    data = r.child(root, "mv-data")
    schema = data.find("schema")
    attributes: dict[str, MetaverseAttribute] = {}
    if schema is not None:
        for node in schema.iter(f"{_DSML}attribute-type"):
            name = node.findtext(f"{_DSML}name") or _attr(node, "id")
            attributes[name] = MetaverseAttribute(
                name=name,
                syntax=node.findtext(f"{_DSML}syntax") or "",
                multivalued=_attr(node, "single-value").lower() != "true",
            )
    parameters = {
        _attr(p, "name"): p.text or ""
        for p in data.iterfind("parameter-values/parameter")
    }
    return MetaverseSchema(
        object_types=_read_dsml_classes(schema),
        attributes=attributes,
        server=_attr(root, "server"),
        export_date=_attr(root, "export-date"),
        parameters=parameters,
    )


# --- writing -----------------------------------------------------------------


def _sub(parent: _Element, tag: str, text: str | None = None) -> _Element:
    element = etree.SubElement(parent, tag)
    if text:
        try:
            element.text = text
        except ValueError:  # XML 1.0 cannot carry most control characters
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise OutputError(
                f"cannot write <{tag}> {shown!r}: XML cannot hold control characters"
            ) from None
    return element


def _rule_element(rule: SyncRule) -> _Element:
    root = etree.Element("synchronizationRule")
    for tag, text in (
        ("id", rule.id),
        ("internal-id", rule.internal_id or rule.id),
        ("version", rule.version),
        ("name", rule.name),
        ("description", rule.description),
        ("immutable-tag", rule.immutable_tag),
        ("direction", rule.direction.value),
        ("disabled", "True" if rule.disabled else "False"),
        ("connector", rule.connector),
        ("sourceObjectType", rule.source_object_type),
        ("targetObjectType", rule.target_object_type),
        ("linkType", rule.link_type),
        ("precedence", str(rule.precedence)),
        ("precedence-after", rule.precedence_after),
        ("precedence-before", rule.precedence_before),
        ("softDeleteExpiryInterval", rule.soft_delete_expiry),
        ("EnablePasswordSync", "true" if rule.enable_password_sync else "false"),
    ):
        _sub(root, tag, text)
    mappings = _sub(root, "attribute-mappings")
    for flow in rule.flows:
        _write_flow(mappings, flow)
    joins = _sub(root, "relationshipCriteria")
    for join_group in rule.join_groups:
        group = _sub(joins, "conditions")
        for join in join_group.conditions:
            condition = _sub(group, "condition")
            if join.case_sensitive is not None:
                _sub(condition, "caseSensitive", str(join.case_sensitive))
            _sub(condition, "csAttribute", join.cs_attribute)
            _sub(condition, "ilmAttribute", join.mv_attribute)
    scopes = _sub(root, "synchronizationCriteria")
    for scope_group in rule.scope_groups:
        group = _sub(scopes, "conditions")
        for scope in scope_group.conditions:
            clause = _sub(group, "scope")
            _sub(clause, "csAttribute", scope.attribute)
            _sub(clause, "csOperator", scope.operator)
            _sub(clause, "csValue", scope.value)
    return root


def _write_flow(parent: _Element, flow: AttributeFlow) -> None:
    mapping = _sub(parent, "mapping")
    if flow.execute_once:
        mapping.set("execute-once", "true")
    _sub(mapping, "dest", flow.destination)
    if flow.constant is not None:
        _sub(mapping, "src", flow.constant)
    elif flow.sources:
        source = _sub(mapping, "src")
        for name in flow.sources:
            _sub(source, "attr", name)
    if flow.expression is not None:
        _sub(mapping, "expression", flow.expression)
    _sub(mapping, "valueMergeType", flow.merge_type)


def write_rule(rule: SyncRule) -> bytes:
    """The bytes of ``SynchronizationRule_{GUID}.xml`` for ``rule``."""
    root = _rule_element(rule)
    etree.indent(root, space="  ")
    text: bytes = etree.tostring(root, encoding="utf-8")
    # The export writes empty elements as <tag />; lxml writes <tag/>.
    return text.replace(b"/>", b" />")


def canonical(data: bytes) -> bytes:
    """The C14N form of an XML document, for comparing two serialisations."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    result: bytes = etree.tostring(etree.fromstring(data, parser), method="c14n")
    return result
