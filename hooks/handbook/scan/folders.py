"""The folders of evidence/ as the guide shows them, and the file name a missing cell asks for.

Every item has a folder ``NN-<item title>`` and every material a folder ``NN.K-<material title>`` inside it
(the scan reads only the numbers; the titles are there for people). ``scaffold`` creates them, the check
reports those missing, and the site, the 催报单 and the scan's hints name them the same way: the folder
that exists in the tree when there is one (whatever its label), else the labelled name to create.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from handbook.model import Archive, Item, Material, Standard
from handbook.scan.names import parse_item_folder, parse_material_folder

EVIDENCE = "evidence"
# Characters that break a folder name on Windows or in a URL, and the quotes the standard's titles carry.
UNSAFE = '/\\:*?"<>|“”'


def clean_label(text: str) -> str:
    """A title as a folder or file label: no slashes, quotes, colons or other characters Windows refuses."""
    for ch in UNSAFE:
        text = text.replace(ch, "")
    return " ".join(text.split())


def item_folder_name(item: Item) -> str:
    return f"{item.code}-{clean_label(item.title)}" if item.title else item.code


def material_folder_name(material: Material) -> str:
    return f"{material.id}-{clean_label(material.title)}" if material.title else material.id


def expected_folders(standard: Standard) -> list[tuple[str, Material]]:
    """Every material's labelled folder, ``NN-…/NN.K-…``, in the standard's order."""
    out = []
    for number in sorted(standard.items):
        item = standard.items[number]
        for material in item.materials:
            out.append((f"{item_folder_name(item)}/{material_folder_name(material)}", material))
    return out


def existing_folders(folders: Mapping[tuple[str, ...], Iterable[str]]) -> tuple[dict[int, str], dict[str, str]]:
    """From the scan's walk (folder parts → sub-folder names): item number → its folder, material id → its
    ``item/material`` folder. The first by name wins when a number has two folders (the scan reports those)."""
    items: dict[int, str] = {}
    materials: dict[str, str] = {}
    for name in sorted(folders.get((), ())):
        number = parse_item_folder(name).number
        if number is not None and number not in items:
            items[number] = name
    for number, item_dir in items.items():
        for name in sorted(folders.get((item_dir,), ())):
            parsed = parse_material_folder(name)
            if parsed.material and parsed.item == number and parsed.material not in materials:
                materials[parsed.material] = f"{item_dir}/{name}"
    return items, materials


def list_two_levels(root: Path | None) -> dict[tuple[str, ...], list[str]]:
    """The two top levels of evidence/ as the scan's walk gives them (real folders only, never through a link)."""
    folders: dict[tuple[str, ...], list[str]] = {(): []}
    if root is None or not Path(root).is_dir():
        return folders
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            folders[()].append(entry.name)
            try:
                folders[(entry.name,)] = sorted(e.name for e in os.scandir(entry.path) if e.is_dir(follow_symlinks=False))
            except OSError:  # unreadable: the scan reports it
                folders[(entry.name,)] = []
    return folders


def material_folders_of(archive: Archive) -> dict[str, str]:
    """Material id → its folder in the tree: what the scan saw, else (an archive made without one) a look at disk."""
    if archive.material_folders:
        return archive.material_folders
    return existing_folders(list_two_levels(archive.evidence_root))[1]


def folder_for(material: Material, standard: Standard, existing: Mapping[str, str]) -> str:
    """Where ``material``'s files go, relative to evidence/: the folder in the tree, else the one to create."""
    if material.id in existing:
        return existing[material.id]
    item_dir = next((path.split("/", 1)[0] for mid, path in existing.items() if mid.split(".")[0] == material.id.split(".")[0]), None)
    item = standard.items.get(material.item)
    if item_dir is None:
        item_dir = item_folder_name(item) if item is not None else f"{material.item:02d}"
    return f"{item_dir}/{material_folder_name(material)}"


def missing_folders(standard: Standard, existing: Mapping[str, str]) -> list[tuple[str, Material]]:
    """Labelled folders of the materials that have no folder at all in the tree."""
    return [(path, material) for path, material in expected_folders(standard) if material.id not in existing]


def example_name(material: Material, year: int, unit: str) -> str:
    """The file name a cell asks for: ``<year>-<unit>-<material title>.<first accepted format>``."""
    ext = material.formats[0] if material.formats else "pdf"
    return f"{year}-{clean_label(unit)}-{clean_label(material.title) or '标题'}.{ext}"
