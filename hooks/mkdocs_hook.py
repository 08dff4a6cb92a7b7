"""The build hook: forwards MkDocs' events to the handbook plugin object (hooks/handbook_mkdocs/plugin.py).

MkDocs loads this file once per process and puts hooks/ on sys.path only while loading it, so the adapter is
imported here; everything it does lives in the plugin object, nothing in this module.
"""

from handbook_mkdocs.plugin import HandbookPlugin

plugin = HandbookPlugin()

on_startup = plugin.on_startup
on_config = plugin.on_config
on_files = plugin.on_files
on_pre_build = plugin.on_pre_build
on_env = plugin.on_env
on_nav = plugin.on_nav
on_page_markdown = plugin.on_page_markdown
on_page_content = plugin.on_page_content
on_post_build = plugin.on_post_build
on_serve = plugin.on_serve
on_shutdown = plugin.on_shutdown
