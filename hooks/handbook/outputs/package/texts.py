"""The texts a package carries or is shown with: the reviewers' README and the site's /package/ page."""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from handbook.model import Archive, Kind
from handbook.outputs.package.result import PackageResult
from handbook.outputs.package.review import ReviewSet
from handbook.render.context import url_path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # plain text for Notepad: nothing here is HTML or Markdown
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_readme(archive: Archive, root: str, review: ReviewSet, date_text: str, with_indicators: bool) -> str:
    """The reviewers' README: what each folder holds and how to check the files, in plain words."""
    plan = archive.project.plan
    return _environment().get_template("package/README.txt.j2").render(
        plan=plan,
        kind_label="国家卫生县" if plan.kind is Kind.COUNTY else "国家卫生城市",
        root=root,
        date_text=date_text,
        documents=len(review.docs),
        converted=len(review.converted),
        photo_docs=sum(1 for d in review.docs if len(d.sources) > 1 or d.how.startswith("由照片")),
        restricted=len(review.restricted),
        with_indicators=with_indicators,
    )


def _page_environment() -> jinja2.Environment:
    """The render layer's one environment: every ``{{ }}`` is escaped for Markdown and HTML."""
    from handbook.render import environment

    return environment()


def _href(path: str) -> Markup:
    """A link destination: percent-encoded (brackets, spaces, < > and parentheses all encoded), so it is inert."""
    return Markup(url_path(path))


def render_skipped_page(reason: str) -> str:
    """The site's /package/ page for a build that wrote no package (e.g. under ``mkdocs serve``).

    ``reason`` is escaped here like any other value (callers used to pre-escape it: Markup passes as is)."""
    return _page_environment().get_template("package_skipped.md.j2").render(reason=reason)


def render_page(result: PackageResult, *, link_prefix: str = "package/", zip_location: str = "") -> str:
    """The site's /package/ page (Markdown) from a PackageResult; links are relative to ``link_prefix``.

    ``zip_location`` (where the reviewers' zip lies on the build machine) replaces its download link when it
    is not published, because it holds restricted files."""
    return _page_environment().get_template("package.md.j2").render(
        result=result, link_prefix=link_prefix, zip_location=zip_location, href=_href)
