"""One self-contained HTML page: a metrics table and, per image, a row of captioned PNG pictures.

The page references the PNGs by relative path, so the folder can be moved or served as it is.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .canvas import save_png

Metrics = Mapping[str, Mapping[str, float | int | str | None] | float | int | str | None]

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.row { margin-bottom: 1.5em; }
.pictures { display: flex; flex-wrap: wrap; gap: 0.6em; }
figure { margin: 0; max-width: 384px; }
figure img { max-width: 384px; border: 1px solid #ccc; }
figcaption { font-size: 0.85em; color: #444; }
ul.notes { margin: 0.2em 0 0.6em 0; font-size: 0.9em; }
"""


@dataclass
class ReportRow:
    """One image's pictures: ``(caption, path relative to the report's folder)`` in display order, and lines of
    text shown above them (e.g. what became of each cut)."""

    name: str
    pictures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A file-name-safe version of a caption: lower case, runs of other characters replaced by ``_``."""
    return re.sub(r'[^a-z0-9]+', '_', text.lower()).strip('_') or 'picture'


def save_row(out_dir: str | Path, name: str, pictures: Mapping[str, np.ndarray],
             notes: Sequence[str] = ()) -> ReportRow:
    """Save ``pictures`` (caption -> RGB uint8) as ``out_dir/<slug(name)>/<slug(caption)>.png`` and return the
    row that references them (with ``notes``, lines shown above the pictures)."""
    row = ReportRow(name, notes=list(notes))
    used: set[str] = set()
    for caption, picture in pictures.items():
        stem = slug(caption)
        while stem in used:
            stem += '_'
        used.add(stem)
        relative = f'{slug(name)}/{stem}.png'
        save_png(Path(out_dir) / relative, picture)
        row.pictures.append((caption, relative))
    return row


def _cell(value: object) -> str:
    if value is None:
        return '&ndash;'
    if isinstance(value, float):
        return f'{value:.3f}' if np.isfinite(value) else html.escape(str(value))
    return html.escape(str(value))


def metrics_table(metrics: Metrics) -> str:
    """HTML table of ``metrics``: ``{variant: {metric: value}}`` gives one row per variant and one column per
    metric (union, in first-seen order); a scalar value is shown in a ``value`` column."""
    rows = {name: (dict(values) if isinstance(values, Mapping) else {'value': values})
            for name, values in metrics.items()}
    columns: list[str] = []
    for values in rows.values():
        columns += [key for key in values if key not in columns]
    head = ''.join(f'<th>{html.escape(str(c))}</th>' for c in ['', *columns])
    body = ''.join(f'<tr><td>{html.escape(str(name))}</td>'
                   + ''.join(f'<td>{_cell(values.get(c))}</td>' for c in columns) + '</tr>'
                   for name, values in rows.items())
    return f'<table class="metrics"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def write_report(out_dir: str | Path, rows: Sequence[ReportRow], metrics: Metrics | None = None,
                 title: str = 'cuts3d report', notes: str | None = None, filename: str = 'report.html',
                 metrics_title: str = 'Metrics') -> Path:
    """Write ``out_dir/filename`` with an optional metrics table (headed ``metrics_title``), an optional
    paragraph of ``notes`` and one section per row. Raises FileNotFoundError when a row references a picture
    that does not exist."""
    out_dir = Path(out_dir)
    missing = [path for row in rows for _, path in row.pictures if not (out_dir / path).is_file()]
    if missing:
        raise FileNotFoundError(f'the report references pictures that do not exist under {out_dir}: {missing}')
    parts = [f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
             f'<style>{_STYLE}</style></head><body>', f'<h1>{html.escape(title)}</h1>']
    if notes:
        parts.append(f'<p>{html.escape(notes)}</p>')
    if metrics:
        parts += [f'<h2>{html.escape(metrics_title)}</h2>', metrics_table(metrics)]
    for row in rows:
        figures = ''.join(f'<figure><img src="{html.escape(path)}" alt="{html.escape(caption)}">'
                          f'<figcaption>{html.escape(caption)}</figcaption></figure>'
                          for caption, path in row.pictures)
        notes = ''.join(f'<li>{html.escape(note)}</li>' for note in row.notes)
        notes = f'<ul class="notes">{notes}</ul>' if notes else ''
        parts.append(f'<div class="row"><h2>{html.escape(row.name)}</h2>{notes}<div class="pictures">{figures}</div>'
                     '</div>')
    parts.append('</body></html>\n')
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / filename
    path.write_text('\n'.join(parts), encoding='utf-8')
    return path
