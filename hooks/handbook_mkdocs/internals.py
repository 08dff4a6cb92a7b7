"""Every touch of a private MkDocs or Material internal, in one place.

Checked against mkdocs 1.6.1 and mkdocs-material 9.8.1 (both frozen: MkDocs 1.x ends at 1.6.1, Material is in
maintenance until 2027-05-05). ``missing_internals()`` names what moved; tests/test_mkdocs_internals.py fails
on it, so an upgrade that moves one is caught by the tests, not by a city's preview. Each touch degrades to
MkDocs' own behaviour when its internal is absent.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

MKDOCS_CHECKED = "1.6.1"
MATERIAL_CHECKED = "9.8.1"


def missing_internals() -> list[str]:
    """The internals this module relies on that the installed MkDocs or Material no longer has."""
    from mkdocs.livereload import LiveReloadServer

    missing = []
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=".")
    for name in ("_watched_paths", "observer", "builder"):
        if not hasattr(server, name):
            missing.append(f"mkdocs.livereload.LiveReloadServer.{name}")
    from mkdocs.commands import build

    for name in ("_populate_page", "_build_page"):
        if not callable(getattr(build, name, None)):
            missing.append(f"mkdocs.commands.build.{name}")
    if "_title_from_render" not in Page.__init__.__code__.co_names:  # set on the instance in Page.__init__
        missing.append("mkdocs.structure.pages.Page._title_from_render")
    return missing


# --------------------------------------------------------------------------- privacy plugin


def switch_off_privacy_scan(config: MkDocsConfig) -> None:
    """With ``assets_fetch: false`` Material's privacy plugin only warns about outside URLs (strict builds fail
    on them); the HTML is the same without it. In the preview it would parse every page again per rebuild."""
    privacy = config.plugins.get("material/privacy") or config.plugins.get("privacy")
    settings = getattr(privacy, "config", None)
    if settings is not None and not settings.get("assets_fetch", True):
        settings.enabled = False


# --------------------------------------------------------------------------- pages


def page_title_from_render(page: Page) -> str | None:
    return getattr(page, "_title_from_render", None)


def set_page_title_from_render(page: Page, title: str | None) -> None:
    # A page whose conversion is reused must keep the title MkDocs found in its first heading.
    if hasattr(page, "_title_from_render"):
        page._title_from_render = title


# --------------------------------------------------------------------------- live-reload server


def use_native_observer(server: Any) -> bool:
    """Move MkDocs' polling watches to watchdog's native observer (inotify …); False when not possible."""
    watched = getattr(server, "_watched_paths", None)
    observer = getattr(server, "observer", None)
    if not isinstance(watched, dict) or observer is None or observer.is_alive():
        return False
    counts = dict(watched)
    for path, count in counts.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = changes_only_observer()
    for path, count in counts.items():
        for _ in range(count):
            server.watch(path)
    return True


def changes_only_observer() -> Any:
    """watchdog's native observer, told to report changes only. Its inotify emitter also reports a file being
    opened and closed unwritten (watchdog >= 5), and MkDocs rebuilds on any event: each build reads standards/
    and evidence/, so every build would start the next, without end."""
    from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirModifiedEvent, DirMovedEvent,
                                 FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                                 FileMovedEvent)
    from watchdog.observers import Observer

    changes = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
               DirCreatedEvent, DirDeletedEvent, DirModifiedEvent, DirMovedEvent]

    class ChangesOnly(Observer):  # type: ignore[misc, valid-type]
        def schedule(self, event_handler: Any, path: str, *, recursive: bool = False,
                     event_filter: Any = None) -> Any:
            return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or changes)

    return ChangesOnly()


# --------------------------------------------------------------------------- one page, as a full build makes it


def rebuild_page(page: Page, config: MkDocsConfig, files: Any, doc_files: Any, nav: Any, env: Any) -> None:
    """Convert one page and write it through the theme exactly as ``mkdocs.commands.build.build`` does (every
    plugin's page events run); the serve preview's quick rebuild (quick.py) uses it for the pages that changed."""
    from mkdocs.commands import build

    build._populate_page(page, config, files)
    build._build_page(page, config, doc_files, nav, env)
