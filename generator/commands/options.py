"""Option groups shared by several commands (SOURCES, LIVE, PARTNERS, CONFIG).

Each group is a decorator that adds its options to a command's signature and
hands the command one object instead, so commands stay short and the groups are
declared once. ``--schema`` and ``--forest`` belong to the ``--source`` before
them, which click cannot express; the pairing is read from the raw arguments
that :class:`generator.app.RulegenGroup` keeps in ``ctx.meta``.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer

from generator.console import log
from generator.errors import UsageError
from generator.model import LiveOptions, SourceSpec

RAW_ARGS_KEY = "entra_rulegen.raw_args"
MAX_PAGE_SIZE = 1000

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Sources:
    specs: tuple[SourceSpec, ...]
    live: LiveOptions


@dataclass(frozen=True)
class Partners:
    suffixes: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    lists: tuple[Path, ...] = ()
    where: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        return bool(self.suffixes or self.ous or self.lists or self.where)


@dataclass(frozen=True)
class Config:
    connect_config: Path | None = None
    connect_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def _inject(
    target: str, params: Sequence[inspect.Parameter], build: Callable[..., Any]
) -> Callable[[F], F]:
    """Replace parameter ``target`` of a command by ``params``; ``build`` maps back."""
    names = [p.name for p in params]

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != target]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            own = {name: kwargs.pop(name) for name in names}
            kwargs[target] = build(**own)
            return fn(*args, **kwargs)

        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*kept, *params]
        )
        hints = {
            name: hint
            for name, hint in typing.get_type_hints(fn, include_extras=True).items()
            if name != target
        }
        wrapper.__annotations__ = {**hints, **{p.name: p.annotation for p in params}}
        del wrapper.__wrapped__  # typer must read our signature, not fn's
        return wrapper  # type: ignore[return-value]

    return decorate


_LIVE = "Live directory"
_SOURCE_PARAMS = [
    _param(
        "source",
        Annotated[
            list[str] | None,
            typer.Option(
                help="ldap\\[s]://HOST[:PORT] or an .ldf/.ldif/.csv/.json export; "
                "repeat once per forest.",
                rich_help_panel="Sources",
            ),
        ],
        None,
    ),
    _param(
        "schema",
        Annotated[
            list[str] | None,
            typer.Option(
                help="Schema-partition export for the --source before it.",
                rich_help_panel="Sources",
            ),
        ],
        None,
    ),
    _param(
        "forest",
        Annotated[
            list[str] | None,
            typer.Option(
                help="Forest name for the --source before it.",
                rich_help_panel="Sources",
            ),
        ],
        None,
    ),
    _param(
        "user",
        Annotated[
            str | None,
            typer.Option(help="Bind as this user.", rich_help_panel=_LIVE),
        ],
        None,
    ),
    _param(
        "auth",
        Annotated[
            str,
            typer.Option(
                click_type=click.Choice(["simple", "ntlm", "kerberos"]),
                help="Bind method.",
                rich_help_panel=_LIVE,
            ),
        ],
        "simple",
    ),
    _param(
        "base_dn",
        Annotated[
            str | None,
            typer.Option(
                help="Search base (default: the RootDSE's defaultNamingContext).",
                rich_help_panel=_LIVE,
            ),
        ],
        None,
    ),
    _param(
        "no_tls",
        Annotated[
            bool,
            typer.Option(
                "--no-tls",
                help="Bind over plain ldap:// without StartTLS (not recommended).",
                rich_help_panel=_LIVE,
            ),
        ],
        False,
    ),
    _param(
        "ca_file",
        Annotated[
            str | None,
            typer.Option(
                help="CA certificate(s) to trust (PEM).", rich_help_panel=_LIVE
            ),
        ],
        None,
    ),
    _param(
        "tls_server_name",
        Annotated[
            str | None,
            typer.Option(
                help="Name the DC's certificate must carry, when it differs "
                "from the address used.",
                rich_help_panel=_LIVE,
            ),
        ],
        None,
    ),
    _param(
        "insecure",
        Annotated[
            bool,
            typer.Option(
                "--insecure",
                help="Do not check the DC's certificate.",
                rich_help_panel=_LIVE,
            ),
        ],
        False,
    ),
    _param(
        "gc",
        Annotated[
            bool,
            typer.Option(
                "--gc", help="Read through the Global Catalog.", rich_help_panel=_LIVE
            ),
        ],
        False,
    ),
    _param(
        "page_size",
        Annotated[
            int,
            typer.Option(
                min=1,
                max=MAX_PAGE_SIZE,
                help="LDAP page size (Windows AD caps it at 1,000).",
                rich_help_panel=_LIVE,
            ),
        ],
        500,
    ),
]


def _build_sources(
    source: list[str] | None,
    schema: list[str] | None,
    forest: list[str] | None,
    **live: Any,
) -> Sources:
    specs = pair_sources(_raw_args()) if source else []
    if [s.source for s in specs] != list(source or []):
        specs = [SourceSpec(s) for s in source or []]  # called without raw args
        if schema or forest:
            raise UsageError("--schema and --forest must follow a --source")
    options = LiveOptions(**live)
    if not any(_is_live(s.source) for s in specs):
        _warn_unused_live(options)
    return Sources(tuple(specs), options)


def _is_live(source: str) -> bool:
    return source.lower().startswith(("ldap://", "ldaps://"))


def _warn_unused_live(options: LiveOptions) -> None:
    """Live-directory options given with file sources only do nothing: say so."""
    default = LiveOptions()
    given = [
        "--" + name.replace("_", "-")
        for name in LiveOptions.__dataclass_fields__
        if getattr(options, name) != getattr(default, name)
    ]
    if given:
        log.warning(
            "%s only apply to a live directory (--source ldap[s]://HOST); "
            "ignored for the file source(s) given",
            ", ".join(given),
        )


def _raw_args() -> list[str]:
    ctx = click.get_current_context(silent=True)
    return list(ctx.meta.get(RAW_ARGS_KEY, [])) if ctx else []


def pair_sources(args: Sequence[str]) -> list[SourceSpec]:
    """Give each ``--schema``/``--forest`` to the ``--source`` before it."""
    specs: list[dict[str, str]] = []
    tokens = iter(args)
    for token in tokens:
        name, eq, inline = token.partition("=")
        if name not in {"--source", "--schema", "--forest"}:
            continue
        value = inline if eq else next(tokens, "")
        if name == "--source":
            specs.append({"source": value})
        elif not specs:
            raise UsageError(f"{name} must follow the --source it belongs to")
        elif name[2:] in specs[-1]:
            raise UsageError(f"{name} given twice for --source {specs[-1]['source']}")
        else:
            specs[-1][name[2:]] = value
    return [SourceSpec(s["source"], s.get("schema"), s.get("forest")) for s in specs]


source_options = _inject("sources", _SOURCE_PARAMS, _build_sources)

_PARTNER = "Partners"
partner_options = _inject(
    "partners",
    [
        _param(
            "partner_suffix",
            Annotated[
                list[str] | None,
                typer.Option(
                    help="UPN suffix of partner accounts.", rich_help_panel=_PARTNER
                ),
            ],
            None,
        ),
        _param(
            "partner_ou",
            Annotated[
                list[str] | None,
                typer.Option(
                    help="OU holding partner accounts.", rich_help_panel=_PARTNER
                ),
            ],
            None,
        ),
        _param(
            "partner_list",
            Annotated[
                list[Path] | None,
                typer.Option(
                    help="File of sAMAccountNames, UPNs or DNs, one a line.",
                    rich_help_panel=_PARTNER,
                ),
            ],
            None,
        ),
        _param(
            "partner_where",
            Annotated[
                list[str] | None,
                typer.Option(
                    help="ATTR=VALUE that partner accounts carry.",
                    rich_help_panel=_PARTNER,
                ),
            ],
            None,
        ),
    ],
    lambda partner_suffix, partner_ou, partner_list, partner_where: Partners(
        tuple(partner_suffix or ()),
        tuple(partner_ou or ()),
        tuple(partner_list or ()),
        tuple(partner_where or ()),
    ),
)

_CONFIG = "Entra Connect configuration"
config_options = _inject(
    "config",
    [
        _param(
            "connect_config",
            Annotated[
                Path | None,
                typer.Option(
                    help="A Get-ADSyncServerConfiguration export folder.",
                    rich_help_panel=_CONFIG,
                ),
            ],
            None,
        ),
        _param(
            "connect_version",
            Annotated[
                str | None,
                typer.Option(
                    help="Entra Connect version on the server (X.Y.Z.W).",
                    rich_help_panel=_CONFIG,
                ),
            ],
            None,
        ),
    ],
    Config,
)


def input_files(
    sources: Sources,
    partners: Partners = Partners(),
    config: Config | None = None,
    marker: str | None = None,
    current: Path | None = None,
) -> list[tuple[str, Path]]:
    """Every file or folder a run reads, by its option: an output must be none."""
    found: list[tuple[str, Path]] = []
    for spec in sources.specs:
        if not _is_live(spec.source):
            found.append(("--source", Path(spec.source)))
        if spec.schema:
            found.append(("--schema", Path(spec.schema)))
    if sources.live.ca_file:
        found.append(("--ca-file", Path(sources.live.ca_file)))
    found += [("--partner-list", path) for path in partners.lists]
    if config is not None and config.connect_config is not None:
        found.append(("--connect-config", config.connect_config))
    kind, _, rest = (marker or "").partition(":")
    if kind.strip().lower() == "expression" and rest.strip().startswith("@"):
        found.append(("--marker", Path(rest.strip()[1:])))
    if current is not None:
        found.append(("--current", current))
    return found
