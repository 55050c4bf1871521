"""`entra-rulegen plan`: the whole job in one command (PRODUCT.md steps 1-7).

Reads the directory, takes the partner population, ranks the strategies, picks
the best marker, validates and previews it, and writes the change bundle.
With no ``--source`` it runs on the bundled sample (``samples/sample.toml``
names its files, schema, forest and partner definition) and writes
``./entra-rulegen-out``.
"""

import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from generator.analysis import analyse
from generator.bundle.writer import check_target
from generator.commands.generate import (
    CurrentOption,
    ForceOption,
    PrecedenceOption,
    bundle,
    print_result,
)
from generator.commands.options import (
    Config,
    Partners,
    Sources,
    config_options,
    input_files,
    partner_options,
    source_options,
)
from generator.commands.validate import print_headline, print_notes
from generator.console import err, out
from generator.errors import InputError
from generator.model import SourceSpec
from generator.resources import samples_dir

DEFAULT_OUT = Path("entra-rulegen-out")
SAMPLE_FILE = "sample.toml"


def register(app: typer.Typer) -> None:
    @app.command("plan")
    @config_options
    @partner_options
    @source_options
    def command(
        *,
        sources: Sources,
        partners: Partners,
        config: Config,
        out_dir: Annotated[
            Path,
            typer.Option("--out", help="Folder to write the bundle into."),
        ] = DEFAULT_OUT,
        precedence: PrecedenceOption = None,
        current: CurrentOption = None,
        force: ForceOption = False,
    ) -> None:
        """Do the whole job: read, recommend, validate, preview, write the bundle."""
        inputs = input_files(sources, partners, config, None, current)
        check_target(out_dir, force, inputs)
        if not sources.specs:
            sources, partners = sample(sources, partners)
        analysis = analyse(
            sources,
            partners,
            config,
            None,
            precedence=precedence,
            current=current,
            keep_outcomes=True,  # the bundle streams them: no third read
        )
        print_headline(analysis)
        if analysis.ranking.why:
            out.print(Text(f"Why: {analysis.ranking.why}"))
        result = bundle(analysis, out_dir, force)
        print_result(result)
        print_notes(analysis.findings)


def sample(sources: Sources, partners: Partners) -> tuple[Sources, Partners]:
    """The bundled sample as sources, and its partners unless some were given."""
    folder = samples_dir()
    path = folder / SAMPLE_FILE
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        source = data["source"]
        spec = SourceSpec(
            str(folder / source["file"]),
            str(folder / source["schema"]) if source.get("schema") else None,
            source.get("forest"),
        )
        given = data.get("partners", {})
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        message = f"cannot read the sample definition: {error}"
        raise InputError(message, path=path) from error
    err.print(f"No --source given: running on the bundled sample ({folder}).")
    if not partners.given:
        partners = Partners(
            suffixes=tuple(given.get("suffixes", ())),
            ous=tuple(given.get("ous", ())),
            lists=tuple(folder / name for name in given.get("lists", ())),
            where=tuple(given.get("where", ())),
        )
    return Sources((spec,), sources.live), partners
