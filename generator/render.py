"""Jinja rendering: one strict environment for every generated file.

Templates never escape by hand: they call the filter for their context
(``ps``, ``expr``, ``md``, ``mdcode``, ``mdblock``, ``ldif``); HTML templates are
autoescaped. Whatever a template writes also passes ``escaping.any_output``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jinja2

from generator import escaping
from generator.resources import templates_dir


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        finalize=escaping.any_output,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        ps=escaping.ps_literal,
        expr=escaping.expression_literal,
        md=escaping.md_text,
        mdcell=escaping.md_cell,
        mdcode=escaping.md_code,
        mdcellcode=escaping.md_cell_code,
        mdblock=escaping.md_block,
        ldif=escaping.ldif_line,
    )
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``; missing names are errors."""
    return environment().get_template(template).render(**context)


def stream(template: str, **context: Any) -> Iterator[str]:
    """Render ``templates/<template>`` piece by piece, for files fed by a stream."""
    return environment().get_template(template).generate(**context)
