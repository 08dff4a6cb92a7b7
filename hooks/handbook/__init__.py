"""handbook: the 国家卫生城市复审 compliance handbook and evidence archive.

load (``project``) → scan (``scan``) → judge (``judge``, ``indicators``) → render (``render``,
``package``, ``export``). Nothing here imports MkDocs; ``hooks/mkdocs_hook.py`` wires it in.
"""

__version__ = "0.1.0"
