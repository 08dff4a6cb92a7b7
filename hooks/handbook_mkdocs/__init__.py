"""The MkDocs adapter: the only code that imports MkDocs or Material.

``plugin.HandbookPlugin`` (events), ``config.HandbookConfig`` (typed ``extra.handbook``), ``publish`` (hard
links into site/), ``serve`` (what a preview session keeps), ``internals`` (every private MkDocs/Material
touch, with the versions it was checked against).
"""
