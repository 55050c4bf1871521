"""The analysis facade: from sources, partners and configuration to a decision.

``analyse`` reads every source once. That pass counts (inventory, partner
population, findings data), counts the users per input a proposed marker may
read by signature (:mod:`generator.signatures`), so that each candidate's
exact expression is judged by the engine once per signature, and keeps the
in-scope users, narrowed to what the preview reads, in a temporary file. The
ranking chooses a marker; pass two replays the kept users and evaluates the
chosen marker's exact expression for every one of them (preview counts,
findings) and, when asked, spools each user's
:class:`~generator.marker.UserOutcome`, which ``outcomes`` replays for
``preview.csv`` and the designate scripts. Without a second pass to come
(no partners, no marker) nothing is kept and nothing is read again. Nothing
here holds a list of users in memory: only counters, bounded example lists,
batches of a few hundred users, and the admin's own lists (partner list,
current cloud state).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from generator.commands.options import Config, Partners, Sources
from generator.connect.conflicts import free_precedences
from generator.connect.model import Configuration, Connector
from generator.connect.xmlio import read_configuration
from generator.console import log
from generator.errors import OutputError, UsageError
from generator.expressions import ExpressionError, lint
from generator.marker import DEFAULT_USER_TYPE, Finding, Marker, UserOutcome
from generator.model import (
    IDENTITY_ATTRIBUTES,
    DirectorySource,
    LiveOptions,
    SourceSpec,
    User,
)
from generator.overlap import SourceOverlap, ambiguous_list_findings
from generator.partners import (
    TELLING_ATTRIBUTES,
    PartnerCriteria,
    Suggestion,
    SuggestionTally,
)
from generator.preview import (
    NOT_IN_CLOUD,
    CurrentState,
    ForestRun,
    MarkerEvaluator,
    Verdict,
    identity,
    reason,
)
from generator.readers import load_schema, open_source, unseen_attributes
from generator.recommend import (
    VALUE_CANDIDATES,
    Candidate,
    Confusion,
    FeatureTally,
    Ranking,
    explain,
    explain_choice,
    explain_empty,
    propose,
    rank,
    stability,
)
from generator.rulenames import ENTRA_KEY, OUTBOUND_NAME, inbound_name, rule_identifier
from generator.schema import Schema, SchemaOrigin
from generator.scope import ConnectorScope, Scope, connectors_for, object_class
from generator.signatures import DN_KEY, SignatureTally, replay
from generator.strategies import parse_marker, schema_resolver
from generator.tally import Examples
from generator.validate import (
    CONFIG_AD_ATTRIBUTE_NOT_SELECTED,
    CONFIG_MARKER_READ,
    CRITICAL,
    EXPRESSION_LINT,
    SCOPE_ATTRIBUTES,
    DesignatedValues,
    MarkerChecks,
    OddSuffixes,
    PlannedRule,
    broad_partner_findings,
    class_findings,
    config_findings,
    config_not_given,
    current_change_findings,
    current_coverage_findings,
    current_findings,
    designated_value_findings,
    is_system_account,
    lint_findings,
    marker_reader_findings,
    name_clash_findings,
    ordered,
    out_of_scope_findings,
    outcome_findings,
    parse_version,
    partner_findings,
    precedence_findings,
    schema_findings,
    scope_source_findings,
    system_account_findings,
    unexpanded_column_findings,
    unseen_marker_findings,
    version_findings,
    where_findings,
)

SCHEMA_VERSION = 1
# What pass one counts signatures of: every input a proposed marker may read.
SIGNATURE_INPUTS = tuple(
    dict.fromkeys((DN_KEY, "userprincipalname", *(a.lower() for a in VALUE_CANDIDATES)))
)


@dataclass(frozen=True)
class ConnectorRef:
    """A connector of the existing Entra Connect configuration."""

    name: str
    id: str


@dataclass(frozen=True)
class ForestReport:
    """One ``--source``: what was read and how much of it the rule would see."""

    name: str
    source: str
    schema_origin: SchemaOrigin
    schema_source: str
    users_read: int
    in_scope: int
    partners: int
    ad_connectors: tuple[ConnectorRef, ...] = ()
    # objectClass ("user", "inetOrgPerson") -> partners of that class; the bundle
    # emits a second inbound rule where partners use inetOrgPerson.
    partner_classes: dict[str, int] = field(default_factory=dict)
    out_of_scope: dict[str, int] = field(default_factory=dict)  # reason -> count


@dataclass(frozen=True)
class PartnerPopulation:
    """Who the partners are, as the admin defined them."""

    description: str  # "UPN suffix partners.contoso.com or OU=Partners,..."
    count: int
    given: bool
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class PreviewCounts:
    """What the chosen marker's exact expression makes of one forest's users."""

    forest: str
    guest: int = 0
    member: int = 0
    invalid: int = 0  # errors, nulls, other values (always a blocker)
    defaulted: int = 0  # no source value: the default applied
    # with --current: cloud users whose userType would change
    to_guest: int | None = None
    to_member: int | None = None
    not_in_cloud: int | None = None
    # the same changes by direction (other: the file gives neither type)
    member_to_guest: int | None = None
    guest_to_member: int | None = None
    other_changes: int | None = None

    @property
    def changes(self) -> int | None:
        if self.to_guest is None or self.to_member is None:
            return None
        return self.to_guest + self.to_member


@dataclass
class Analysis:
    """Everything recommend, validate, preview and the bundle need."""

    forests: tuple[ForestReport, ...]
    partners: PartnerPopulation
    ranking: Ranking
    marker: Marker | None  # the given spec, or the best-ranked one
    findings: tuple[Finding, ...]
    preview: tuple[PreviewCounts, ...]  # one per forest
    configuration: Any | None = None  # generator.connect.model.Configuration
    entra_connector: ConnectorRef | None = None
    free_precedences: tuple[int, ...] = ()
    precedence: int | None = None
    connect_version: str | None = None
    # how outcomes() reads the sources again; not part of the report
    context: Any = field(default=None, repr=False, compare=False)

    @property
    def blocked(self) -> bool:
        return any(f.severity == "blocker" for f in self.findings)

    @property
    def blockers(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "blocker")

    def source_of(self, forest: str) -> DirectorySource | None:
        """The source ``forest`` was read from (None for one built by hand)."""
        if not isinstance(self.context, _Context):
            return None
        return next((f.source for f in self.context.forests if f.name == forest), None)


@dataclass
class _Forest:
    """One source with what the passes need to read it again."""

    spec: SourceSpec
    source: DirectorySource
    schema: Schema
    name: str
    scope: Scope
    connectors: tuple[Connector, ...] = ()


@dataclass
class _Context:
    """What ``outcomes`` needs to stream the users again."""

    forests: list[_Forest]
    criteria: PartnerCriteria
    live: LiveOptions
    attributes: tuple[str, ...]
    current: CurrentState | None = None
    designated: DesignatedValues | None = None  # designate: today's values
    spool: _Spool | None = None  # outcomes() after its first complete pass
    users: _UserSpool | None = None  # pass one's in-scope users, for pass two


def analyse(
    sources: Sources,
    partners: Partners,
    config: Config,
    marker_spec: str | None,
    *,
    precedence: int | None = None,
    current: Path | None = None,
    keep_outcomes: bool = False,
) -> Analysis:
    """Read every source and decide; see the module docstring for the passes.

    ``keep_outcomes``: keep the preview pass's outcomes on disk, so that
    :func:`outcomes` replays them instead of reading the sources a third time.
    """
    if config.connect_version is not None:
        parse_version(config.connect_version)  # a usage error before any reading
    if not sources.specs:
        raise UsageError("give at least one --source (plan runs on the sample)")
    criteria = PartnerCriteria.from_options(partners)
    configuration = (
        read_configuration(config.connect_config) if config.connect_config else None
    )
    forests = [_open(spec, sources.live, configuration) for spec in sources.specs]
    _distinct_names(forests)
    schemas = [f.schema for f in forests]
    marker = None
    if marker_spec is not None:
        marker = parse_marker(marker_spec, resolve=schema_resolver(*schemas))
    context = _Context(
        forests,
        criteria,
        sources.live,
        _attributes(criteria, marker),
        CurrentState.read(current) if current else None,
        designated=DesignatedValues.of(marker),
    )
    # a second pass follows when a marker is given or can be chosen
    second = marker is not None or criteria.given
    survey = _survey(context, _UserSpool(_replayed(marker)) if second else None)
    markers = (
        propose(survey.tally, schemas, configuration, criteria.where)
        if criteria.given
        else []
    )
    runs = _judge(context, survey, markers)
    candidates = [
        _candidate(
            m, runs[i], context=context, survey=survey, configuration=configuration
        )
        for i, m in enumerate(markers)
    ]
    ranking = (
        rank(candidates, criteria.where) if criteria.given else Ranking((), explain(()))
    )
    chosen = marker or (ranking.best.marker if ranking.best else None)
    chosen_runs: dict[str, ForestRun] = {}
    if chosen is not None:
        chosen_runs = _preview_pass(context, chosen, keep=keep_outcomes)
    if chosen is not None and criteria.given:
        # the ranking shows the preview pass's evidence for the chosen marker
        # (the same numbers as its signatures give, with example users)
        evidence = _candidate(
            chosen,
            chosen_runs,
            context=context,
            survey=survey,
            configuration=configuration,
        )
        if chosen in markers:
            candidates[markers.index(chosen)] = evidence
        elif all(m.expression != chosen.expression for m in markers):
            candidates.append(evidence)
        ranking = rank(candidates, criteria.where)
    if not ranking.candidates:
        ranking = Ranking((), explain_empty(criteria.given, survey.tally.partners))
    if marker is not None:  # the admin's choice, compared with the best
        ranking = Ranking(ranking.candidates, explain_choice(ranking, marker))
    findings = _findings(
        context,
        survey,
        marker=chosen,
        runs=chosen_runs,
        configuration=configuration,
        config=config,
        precedence=precedence,
    )
    return Analysis(
        forests=tuple(_report(f, survey, configuration) for f in forests),
        partners=PartnerPopulation(
            criteria.describe(),
            survey.tally.partners,
            criteria.given,
            tuple(survey.suggest.suggestions()) if not criteria.given else (),
        ),
        ranking=ranking,
        marker=chosen,
        findings=ordered(findings),
        preview=tuple(
            _counts(f.name, chosen_runs.get(f.name), context) for f in forests
        ),
        configuration=configuration,
        entra_connector=_entra(configuration),
        free_precedences=tuple(
            free_precedences(configuration) if configuration else ()
        ),
        precedence=precedence,
        connect_version=config.connect_version,
        context=context,
    )


def _open(
    spec: SourceSpec, live: LiveOptions, configuration: Configuration | None
) -> _Forest:
    source = open_source(spec, live)
    schema = load_schema(spec, source)
    name = spec.forest or source.forest
    connectors = connectors_for(name, configuration) if configuration else ()
    scope = Scope(ConnectorScope(connectors) if connectors else None)
    return _Forest(spec, source, schema, name, scope, connectors)


def _distinct_names(forests: Sequence[_Forest]) -> None:
    """Findings and previews are per forest: two sources may not share a name."""
    seen: dict[str, str] = {}
    for forest in forests:
        key = forest.name.lower()
        if key in seen:
            raise UsageError(
                f"--source {seen[key]} and --source {forest.spec.source} are both "
                f"forest {forest.name!r}; name them apart with --forest"
            )
        seen[key] = forest.spec.source


def _attributes(criteria: PartnerCriteria, marker: Marker | None) -> tuple[str, ...]:
    """What a live read must fetch: identity, candidates, partner and marker inputs."""
    names = [
        *IDENTITY_ATTRIBUTES,
        *VALUE_CANDIDATES,
        *TELLING_ATTRIBUTES,
        *criteria.attributes,
        *(a for a in (marker.source_attributes if marker else ()) if a != "dn"),
    ]
    return tuple({n.lower(): n for n in names}.values())


@dataclass
class _Survey:
    """Pass one's counters, for every forest together and each one apart."""

    tally: FeatureTally = field(default_factory=FeatureTally)
    suggest: SuggestionTally = field(default_factory=SuggestionTally)
    read: dict[str, int] = field(default_factory=dict)
    in_scope: dict[str, int] = field(default_factory=dict)
    partners: dict[str, int] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)
    out: dict[str, dict[str, int]] = field(default_factory=dict)
    partners_out: dict[str, Examples] = field(default_factory=dict)
    designated: DesignatedValues | None = None
    odd_suffixes: OddSuffixes = field(default_factory=OddSuffixes)
    # in-scope built-in accounts, and entries carrying isCriticalSystemObject
    system: dict[str, Examples] = field(default_factory=dict)
    critical: dict[str, int] = field(default_factory=dict)
    overlap: SourceOverlap = field(default_factory=lambda: SourceOverlap(0))
    signatures: SignatureTally = field(init=False)

    def __post_init__(self) -> None:
        self.signatures = SignatureTally(SIGNATURE_INPUTS, self.tally)


def _survey(context: _Context, spool: _UserSpool | None) -> _Survey:
    """Pass one; with ``spool``, each in-scope user is also kept for pass two."""
    survey = _Survey(
        designated=context.designated, overlap=SourceOverlap(len(context.forests))
    )
    with spool.writer() if spool else nullcontext() as keep:
        for forest in context.forests:
            survey.overlap.start(forest.spec.source)
            _survey_forest(context, forest, survey, keep)
    context.users = spool
    return survey


def _survey_forest(
    context: _Context,
    forest: _Forest,
    survey: _Survey,
    keep: Callable[[str, User, bool], None] | None,
) -> None:
    name = forest.name
    classes = survey.classes.setdefault(name, {})
    out = survey.out.setdefault(name, {})
    for user, why_out, is_partner in _users(forest, context):
        survey.read[name] = survey.read.get(name, 0) + 1
        if user.values(CRITICAL):
            survey.critical[name] = survey.critical.get(name, 0) + 1
        if why_out is not None:
            out[why_out] = out.get(why_out, 0) + 1
            if context.criteria.given and context.criteria.match(user):
                missed = survey.partners_out.setdefault(name, Examples())
                missed.add(f"{identity(user)} ({why_out})")
            continue
        survey.in_scope[name] = survey.in_scope.get(name, 0) + 1
        survey.overlap.add(user)
        if is_system_account(user):
            survey.system.setdefault(name, Examples()).add(identity(user))
        if keep is not None:
            keep(name, user, is_partner)
        survey.tally.add(user, is_partner)
        survey.odd_suffixes.add(user, is_partner)
        if survey.designated is not None:
            survey.designated.add(user, identity(user))
        if context.criteria.given:
            survey.signatures.add(name, user, is_partner)
        else:
            survey.suggest.add(user)
        if is_partner:
            survey.partners[name] = survey.partners.get(name, 0) + 1
            cls = object_class(user) or "user"
            classes[cls] = classes.get(cls, 0) + 1


def _users(
    forest: _Forest, context: _Context
) -> Iterator[tuple[User, str | None, bool]]:
    """Every user with why it is out of scope (None: in) and whether a partner."""
    for user in forest.source.users(context.attributes):
        why_out = forest.scope.reason(user)
        partner = why_out is None and context.criteria.match(user) is not None
        yield user, why_out, partner


def _in_scope(context: _Context) -> Iterator[tuple[str, User, bool]]:
    """Every in-scope user as (forest, user, partner): pass one's spool when
    there is one, else the sources read once more."""
    if context.users is not None:
        yield from context.users.replay()
        return
    for forest in context.forests:
        for user, why_out, is_partner in _users(forest, context):
            if why_out is None:
                yield forest.name, user, is_partner


def _judge(
    context: _Context, survey: _Survey, markers: Sequence[Marker]
) -> list[dict[str, ForestRun]]:
    """Each proposed marker's runs from pass one's signatures.

    A marker the signatures cannot judge (an input with too many distinct
    values) is evaluated user by user in a pass of its own.
    """
    stamp = context.criteria.given
    found = [replay(survey.signatures, m, stamp=stamp) for m in markers]
    left = [m for m, runs in zip(markers, found, strict=True) if runs is None]
    if left:
        log.debug("evaluating %d candidate(s) user by user", len(left))
        extra = iter(_evaluate(context, left))
        found = [runs if runs is not None else next(extra) for runs in found]
    return [runs or {} for runs in found]


def _preview_pass(
    context: _Context, marker: Marker, *, keep: bool
) -> dict[str, ForestRun]:
    """Pass two: the chosen marker's exact expression for every in-scope user.

    It counts the preview and, with ``keep``, spools every user's outcome for
    ``preview.csv`` and the designate scripts, so no third read is needed.
    """
    stamp = context.criteria.given
    evaluator = MarkerEvaluator(marker, stamp=stamp)
    current = context.current
    runs = {f.name: ForestRun(f.name, stamp) for f in context.forests}
    spool = _Spool() if keep else None
    with spool.writer() if spool else nullcontext() as write:
        for name, user, is_partner in _in_scope(context):
            run = runs[name]
            who = identity(user)
            verdict = evaluator.verdict(user, is_partner)
            run.add(who, verdict, is_partner, evaluator.lacking(user))
            if current is not None:
                run.compare(who, verdict.result, current.user_type(user))
            if write is not None:
                write(
                    _outcome(
                        name,
                        user,
                        evaluator,
                        verdict=verdict,
                        is_partner=is_partner,
                        context=context,
                    )
                )
    context.spool = spool
    return runs


def _evaluate(
    context: _Context, markers: Sequence[Marker]
) -> list[dict[str, ForestRun]]:
    """Every marker's exact expression for every in-scope user (one more read)."""
    stamp = context.criteria.given
    evaluators = [MarkerEvaluator(m, stamp=stamp) for m in markers]
    runs: list[dict[str, ForestRun]] = [{} for _ in markers]
    if not markers:
        return runs
    for forest in context.forests:
        for r in runs:
            r[forest.name] = ForestRun(forest.name, stamp)
    for name, user, is_partner in _in_scope(context):
        who = identity(user)
        cloud = context.current.user_type(user) if context.current else None
        for evaluator, run in zip(evaluators, runs, strict=True):
            verdict = evaluator.verdict(user, is_partner)
            run[name].add(who, verdict, is_partner, evaluator.lacking(user))
            if context.current is not None:
                run[name].compare(who, verdict.result, cloud)
    return runs


def _candidate(
    marker: Marker,
    runs: dict[str, ForestRun],
    *,
    context: _Context,
    survey: _Survey,
    configuration: Configuration | None,
) -> Candidate:
    """A marker with its evidence; its blockers are the ones validation raises
    for it (the same findings, made by the same code)."""
    forests = context.forests
    own = marker_findings(context, survey, marker, runs, configuration)
    conflicts: list[str] = []
    if configuration is not None:
        reads = config_findings(configuration, marker, (), None, 0)
        conflicts = [
            _conflict_text(f)
            for f in reads
            if f.id in (CONFIG_MARKER_READ, CONFIG_AD_ATTRIBUTE_NOT_SELECTED)
        ]
    total = Confusion()
    for run in runs.values():
        total = total.plus(run.confusion())
    return Candidate(
        marker=marker,
        confusion=total,
        by_forest={name: run.confusion() for name, run in runs.items()},
        lacking_value=sum(r.users_lacking.count for r in runs.values()),
        partners_lacking_value=sum(r.partners_lacking.count for r in runs.values()),
        schema_fitness={f.name: _fitness(f.schema, marker) for f in forests},
        conflicts=tuple(conflicts),
        stability=stability(marker)[1],
        blockers=tuple(dict.fromkeys(f.title for f in own if f.severity == "blocker")),
        notes=(*_own_notes(marker), *(f.title for f in own if f.severity == "warning")),
    )


def marker_findings(
    context: _Context,
    survey: _Survey,
    marker: Marker,
    runs: dict[str, ForestRun],
    configuration: Configuration | None,
) -> list[Finding]:
    """Every finding about one marker: its schema fit, the values a designated
    attribute holds, its expression's lint, its outcome against the partner
    population, and the existing rules that read its attributes. Validation
    raises these for the chosen marker; the ranking shows them for each
    candidate."""
    found = [
        f
        for forest in context.forests
        for f in schema_findings(forest.name, forest.schema, marker)
    ]
    designated = survey.designated
    found += designated_value_findings(marker, survey.tally, designated)
    found += lint_problems(marker)
    for run in runs.values():
        found += outcome_findings(marker, _checks(run, context.criteria.given))
    if configuration is not None:
        found += marker_reader_findings(configuration, marker)
    read = [a for a in marker.source_attributes if a.lower() != "dn"]
    designate = marker.strategy == "designate"
    for forest in context.forests:
        unseen = unseen_attributes(forest.source, read)
        found += unseen_marker_findings(forest.name, marker, unseen)
        found += _system_accounts(forest, survey, designate=designate)
    return found


def _system_accounts(
    forest: _Forest, survey: _Survey, *, designate: bool
) -> list[Finding]:
    return system_account_findings(
        forest.name,
        unseen_attributes(forest.source, SCOPE_ATTRIBUTES),
        survey.system.get(forest.name),
        survey.critical.get(forest.name, 0),
        designate,
    )


def _own_notes(marker: Marker) -> tuple[str, ...]:
    if marker.strategy != "designate":
        return ()
    return (
        "Guest/Member follow the partner population by construction: the bundle "
        "stamps them; accounts created later must be stamped too",
    )


def _conflict_text(finding: Finding) -> str:
    if finding.examples:
        return f"{finding.title}: {', '.join(finding.examples)}"
    return finding.title


def _fitness(schema: Schema, marker: Marker) -> str:
    if marker.strategy == "upn-suffix":
        return "userPrincipalName, no schema change"
    if marker.strategy == "ou":
        return "the object's DN, no attribute"
    verdicts = [f"{a}: {schema.verdict(a)}" for a in marker.source_attributes]
    return "; ".join(verdicts) or "reads no attribute"


def _checks(run: ForestRun, partners_known: bool) -> MarkerChecks:
    return MarkerChecks(
        forest=run.forest,
        employees_guest=run.employees_guest,
        partners_missed=run.partners_missed,
        invalid=run.invalid,
        partners_lacking=run.partners_lacking,
        users_lacking=run.users_lacking,
        partners_known=partners_known,
        partners_guest=run.partners_guest,
    )


def _findings(
    context: _Context,
    survey: _Survey,
    *,
    marker: Marker | None,
    runs: dict[str, ForestRun],
    configuration: Configuration | None,
    config: Config,
    precedence: int | None,
) -> list[Finding]:
    criteria = context.criteria
    found = partner_findings(
        criteria, survey.tally.partners, survey.suggest.suggestions()
    )
    found += broad_partner_findings(criteria, survey.tally)
    found += ambiguous_list_findings(criteria)
    found += survey.overlap.findings()
    for forest in context.forests:
        scope = unseen_attributes(forest.source, SCOPE_ATTRIBUTES)
        found += scope_source_findings(forest.name, scope)
        unexpanded = getattr(forest.source, "unexpanded_columns", {})
        found += unexpanded_column_findings(forest.name, unexpanded)
        if marker is None:  # else among the marker's findings
            found += _system_accounts(forest, survey, designate=False)
        found += class_findings(forest.name, survey.classes.get(forest.name, {}))
        found += out_of_scope_findings(
            forest.name, survey.partners_out.get(forest.name)
        )
    if marker is not None:
        # the configuration's readers of the marker come with config_findings
        found += marker_findings(context, survey, marker, runs, None)
    if configuration is None:
        found += config_not_given()
    elif marker is not None:
        uncovered = [f.name for f in context.forests if not f.connectors]
        found += config_findings(
            configuration, marker, uncovered, precedence, _rules_needed(context, survey)
        )
        found += name_clash_findings(
            configuration, _planned_rules(context, survey, configuration)
        )
    found += survey.odd_suffixes.findings()
    found += where_findings(criteria, [(f.name, f.schema) for f in context.forests])
    found += current_findings(context.current)
    found += _coverage(context.current, runs)
    found += current_change_findings(
        context.current, _merged(run.guest_to_member for run in runs.values())
    )
    found += precedence_findings(precedence)
    found += version_findings(config.connect_version)
    return found


def _coverage(
    current: CurrentState | None, runs: dict[str, ForestRun]
) -> list[Finding]:
    """The chosen marker's in-scope users missing from ``--current``, all forests."""
    missing = Examples()
    compared = 0
    for run in runs.values():
        compared += run.guest + run.member
        missing.count += run.not_in_cloud.count
        missing.items += run.not_in_cloud.items
    del missing.items[missing.limit :]
    return current_coverage_findings(current, missing, compared)


def _merged(parts: Iterable[Examples]) -> Examples:
    """One count with the first examples, over forests."""
    merged = Examples()
    for part in parts:
        merged.count += part.count
        merged.items += part.items
    del merged.items[merged.limit :]
    return merged


def _planned_rules(
    context: _Context, survey: _Survey, configuration: Configuration
) -> list[PlannedRule]:
    """The rules the bundle would add on the configuration's connectors, named
    and identified as the bundle names them."""
    planned = []
    for forest in context.forests:
        classes = ["user"]
        if survey.classes.get(forest.name, {}).get("inetOrgPerson"):
            classes.append("inetOrgPerson")
        for connector in forest.connectors:
            for cls in classes:
                planned.append(
                    PlannedRule(
                        inbound_name(cls),
                        rule_identifier(connector.name, "Inbound", cls),
                        connector.id,
                    )
                )
    entra = configuration.entra_connector
    if entra is not None:
        planned.append(
            PlannedRule(
                OUTBOUND_NAME,
                rule_identifier(ENTRA_KEY, "Outbound", "user"),
                entra.id,
            )
        )
    return planned


def _rules_needed(context: _Context, survey: _Survey) -> int:
    """One inbound rule per AD connector (two with inetOrgPerson partners), one out."""
    inbound = 0
    for forest in context.forests:
        per = 2 if survey.classes.get(forest.name, {}).get("inetOrgPerson") else 1
        inbound += per * max(1, len(forest.connectors))
    return inbound + 1


def lint_problems(marker: Marker) -> list[Finding]:
    """The engine's lint of the exact expression; a parse error is a blocker."""
    try:
        return lint_findings(lint(marker.expression, target="userType"))
    except ExpressionError as error:
        return [
            Finding(
                EXPRESSION_LINT, "blocker", f"the expression does not parse: {error}"
            )
        ]


def _report(
    forest: _Forest, survey: _Survey, configuration: Configuration | None
) -> ForestReport:
    return ForestReport(
        name=forest.name,
        source=forest.spec.source,
        schema_origin=forest.schema.origin,
        schema_source=forest.schema.source,
        users_read=survey.read.get(forest.name, 0),
        in_scope=survey.in_scope.get(forest.name, 0),
        partners=survey.partners.get(forest.name, 0),
        ad_connectors=tuple(ConnectorRef(c.name, c.id) for c in forest.connectors),
        partner_classes=dict(sorted(survey.classes.get(forest.name, {}).items())),
        out_of_scope=dict(sorted(survey.out.get(forest.name, {}).items())),
    )


def _counts(forest: str, run: ForestRun | None, context: _Context) -> PreviewCounts:
    if run is None:
        return PreviewCounts(forest)
    with_current = context.current is not None
    return PreviewCounts(
        forest=forest,
        guest=run.guest,
        member=run.member,
        invalid=run.invalid.count,
        defaulted=run.users_lacking.count,
        to_guest=run.to_guest.count if with_current else None,
        to_member=run.to_member.count if with_current else None,
        not_in_cloud=run.not_in_cloud.count if with_current else None,
        member_to_guest=run.member_to_guest.count if with_current else None,
        guest_to_member=run.guest_to_member.count if with_current else None,
        other_changes=run.other_changes.count if with_current else None,
    )


def _entra(configuration: Configuration | None) -> ConnectorRef | None:
    entra = configuration.entra_connector if configuration else None
    return ConnectorRef(entra.name, entra.id) if entra else None


def outcomes(analysis: Analysis) -> Iterator[UserOutcome]:
    """One outcome per in-scope user of every forest, read again from the source.

    The bundle asks for these several times (preview.csv and, for designate,
    four stamping files). The first complete pass spools them to a temporary
    file; later passes replay it, which costs a small part of reading an export
    again and keeps memory flat.
    """
    context = analysis.context
    if not isinstance(context, _Context) or analysis.marker is None:
        return
    if context.spool is None:
        context.spool = _Spool()
    yield from context.spool.replay_or_record(_read_outcomes(analysis, context))


class _Spool:
    """Outcomes pickled in small batches into a temporary file, for replays.

    Each batch is a pickle of its own (its own memo), so neither the writer
    nor a reader holds more than one batch.
    """

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="entra-rulegen-", suffix=".spool")
        os.close(handle)
        self.path = Path(name)
        self.complete = False
        self.recording = False
        weakref.finalize(self, self.path.unlink, missing_ok=True)

    def replay_or_record(self, fresh: Iterator[UserOutcome]) -> Iterator[UserOutcome]:
        if self.complete:
            yield from self._replay()
        elif self.recording:  # a second reader meanwhile: no spool for it
            yield from fresh
        else:
            yield from self._record(fresh)

    def _record(self, fresh: Iterator[UserOutcome]) -> Iterator[UserOutcome]:
        self.recording = True
        try:
            with self.writer() as write:
                for outcome in fresh:
                    write(outcome)
                    yield outcome
        finally:
            self.recording = False

    @contextmanager
    def writer(self) -> Iterator[Callable[[UserOutcome], None]]:
        """Record outcomes as they are made; the spool is complete on exit."""
        batch: list[tuple[Any, ...]] = []
        with self.path.open("wb") as out:

            def write(outcome: UserOutcome) -> None:
                batch.append(_packed(outcome))
                if len(batch) >= _SPOOL_BATCH:
                    pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                    batch.clear()

            yield write
            if batch:
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
        self.complete = True

    def _replay(self) -> Iterator[UserOutcome]:
        with self.path.open("rb") as spooled:
            while True:
                try:
                    batch = pickle.load(spooled)
                except EOFError:
                    return
                for fields in batch:
                    yield UserOutcome(*fields)


_SPOOL_BATCH = 512


def _packed(outcome: UserOutcome) -> tuple[Any, ...]:
    """The outcome's fields in declaration order (UserOutcome(*fields) again)."""
    return (
        outcome.forest,
        outcome.dn,
        outcome.sam,
        outcome.upn,
        outcome.object_class,
        outcome.source_values,
        outcome.result,
        outcome.reason,
        outcome.is_partner,
        outcome.current_marker,
        outcome.extra,
    )


def _replayed(marker: Marker | None) -> frozenset[str]:
    """The attributes pass two reads: identity, class, every input a proposed
    marker may read, and the given marker's."""
    names = [
        "objectClass",
        "sAMAccountName",
        "userPrincipalName",
        *VALUE_CANDIDATES,
        *(marker.source_attributes if marker else ()),
    ]
    return frozenset(n.lower() for n in names)


class _UserSpool:
    """Pass one's in-scope users, narrowed to what pass two reads, on disk.

    Pass two then evaluates the chosen marker for every user without parsing
    the sources again, and memory stays flat: batches of a few hundred users
    are pickled as they fill, and read back one batch at a time.
    """

    def __init__(self, keep: frozenset[str]) -> None:
        handle, name = tempfile.mkstemp(prefix="entra-rulegen-", suffix=".users")
        os.close(handle)
        self.path = Path(name)
        self.keep = keep
        weakref.finalize(self, self.path.unlink, missing_ok=True)

    @contextmanager
    def writer(self) -> Iterator[Callable[[str, User, bool], None]]:
        batch: list[tuple[Any, ...]] = []
        keep = self.keep
        with self._opened() as out:

            def write(forest: str, user: User, partner: bool) -> None:
                held = {k: v for k, v in user.attributes.items() if k in keep}
                batch.append((forest, user.dn, held, user.forest, partner))
                if len(batch) >= _SPOOL_BATCH:
                    self._dump(batch, out)

            yield write
            self._dump(batch, out)

    @contextmanager
    def _opened(self) -> Iterator[BinaryIO]:
        try:
            out = self.path.open("wb")
        except OSError as error:
            raise self._failed(error) from None
        with out:
            yield out

    def _dump(self, batch: list[tuple[Any, ...]], out: BinaryIO) -> None:
        if not batch:
            return
        try:
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as error:
            raise self._failed(error) from None
        batch.clear()

    def _failed(self, error: OSError) -> OutputError:
        return OutputError(
            f"cannot keep the users in a temporary file ({self.path}): "
            f"{error.strerror or error}"
        )

    def replay(self) -> Iterator[tuple[str, User, bool]]:
        with self.path.open("rb") as spooled:
            while True:
                try:
                    batch = pickle.load(spooled)
                except EOFError:
                    return
                for forest, dn, held, home, partner in batch:
                    yield forest, User(dn, held, home), partner


def _read_outcomes(analysis: Analysis, context: _Context) -> Iterator[UserOutcome]:
    marker = analysis.marker
    assert marker is not None
    evaluator = MarkerEvaluator(marker, stamp=context.criteria.given)
    for name, user, is_partner in _in_scope(context):
        verdict = evaluator.verdict(user, is_partner)
        yield _outcome(
            name,
            user,
            evaluator,
            verdict=verdict,
            is_partner=is_partner,
            context=context,
        )


def _outcome(
    forest: str,
    user: User,
    evaluator: MarkerEvaluator,
    *,
    verdict: Verdict,
    is_partner: bool,
    context: _Context,
) -> UserOutcome:
    marker = evaluator.marker
    extra: dict[str, str] = {}
    if context.current is not None:
        cloud = context.current.user_type(user)
        extra["cloudUserType"] = cloud or ""
        extra["change"] = _change(verdict.result, cloud)
    designated = marker.designated_attribute
    return UserOutcome(
        forest=forest,
        dn=user.dn,
        sam=user.sam,
        upn=user.upn,
        object_class=object_class(user) or "user",
        source_values=evaluator.source_values(user),
        result=verdict.result or DEFAULT_USER_TYPE,
        reason=reason(marker, user, verdict, evaluator.stamp),
        is_partner=is_partner,
        current_marker=user.text(designated) if designated else None,
        extra=extra,
    )


def _change(result: str | None, cloud: str | None) -> str:
    if result is None:
        return ""
    if cloud is None:
        return NOT_IN_CLOUD
    if cloud.strip().lower() == result.lower():
        return "unchanged"
    return f"{cloud.strip() or '(empty)'} -> {result}"


# --- the --json document ---------------------------------------------------------


def to_json(analysis: Analysis, command: str) -> dict[str, Any]:
    """The ``--json`` document of recommend, validate and preview."""
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "forests": [_plain(asdict(f)) for f in analysis.forests],
        "partners": _plain(asdict(analysis.partners)),
        "ranking": {
            "why": analysis.ranking.why,
            "candidates": [_candidate_json(c) for c in analysis.ranking.candidates],
        },
        "marker": _plain(asdict(analysis.marker)) if analysis.marker else None,
        "blocked": analysis.blocked,
        "findings": [_plain(asdict(f)) for f in analysis.findings],
        "preview": [
            {**_plain(asdict(p)), "changes": p.changes} for p in analysis.preview
        ],
        "configuration": _config_json(analysis),
    }


def _candidate_json(candidate: Candidate) -> dict[str, Any]:
    found: dict[str, Any] = _plain(asdict(candidate))
    found["confusion"]["errors"] = candidate.confusion.errors
    return found


def _config_json(analysis: Analysis) -> dict[str, Any] | None:
    if analysis.configuration is None:
        return None
    entra = analysis.entra_connector
    return {
        "folder": str(analysis.configuration.folder or ""),
        "entra_connector": _plain(asdict(entra)) if entra else None,
        "free_precedences": list(analysis.free_precedences),
        "precedence": analysis.precedence,
        "connect_version": analysis.connect_version,
    }


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively, so the document is plain JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Candidate",
    "Confusion",
    "ConnectorRef",
    "ForestReport",
    "PartnerPopulation",
    "PreviewCounts",
    "Ranking",
    "Suggestion",
    "analyse",
    "outcomes",
    "to_json",
]
