"""The city's forge (city.yml ``forge:``) and the web addresses of its upload pages.

With a forge configured, every missing cell on the site links to the page where a liaison uploads the file
into that exact folder. The formats (checked against the forges' own route tables, see docs/workflow.md):

- Gitea 1.17–1.24 (``routers/web/web.go``: ``m.Combo("/_upload/*", repo.MustBeAbleToUpload)`` in the
  ``/{username}/{reponame}`` group, the ``*`` being ``{branch}/{path}``):
  ``{base}/{owner}/{repo}/_upload/{branch}/{path}`` opens the upload form for that folder; a folder that does
  not exist yet is created by the upload.
- GitLab 13–17 (``config/routes/repository.rb``: ``get '/tree/*id'`` under ``/-/``, ``id`` = ``{branch}/{path}``):
  there is no upload address of its own (the "Upload file" form is a dialog of the folder page), so the link
  opens ``{base}/{group}/{project}/-/tree/{branch}/{path}``, whose "+" menu holds 上传文件.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from handbook.model import Forge, ForgeKind
from handbook.problems import did_you_mean
from handbook.load.fields import Fields, Source

KEYS = ("kind", "base_url", "repository", "branch")
# A Gitea owner/repo, or a GitLab group/subgroups/project: letters, digits, "-", "_", "." in each part.
REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+$")
# Characters git refuses in a branch name (git check-ref-format), plus blanks.
BAD_BRANCH = re.compile(r"[\s~^:?*\[\\]|\.\.|@\{|^/|/$|\.lock$|^-")


def load_forge(src: Source, value: Any, line: int) -> Forge | None:
    """``forge:`` of city.yml; None (and a Chinese error naming the line) when it cannot be used."""
    f = Fields.of(src, value, line, "forge（代码托管平台）", KEYS, ("kind", "base_url", "repository"))
    if f is None:
        return None
    kind = _kind(src, f)
    base = _base_url(src, f)
    repository = _repository(src, f, kind)
    branch = _branch(src, f)
    if kind is None or base is None or repository is None or branch is None:
        return None
    return Forge(kind, base, repository, branch, src.where(line))


def _kind(src: Source, f: Fields) -> ForgeKind | None:
    text = f.required_text("kind", "平台类型 gitea 或 gitlab")
    if text is None:
        return None
    try:
        return ForgeKind(text.lower())
    except ValueError:
        valid = [k.value for k in ForgeKind]
        src.error(f.line("kind"), f"forge 的 kind“{text}”无效", did_you_mean(text.lower(), valid, fallback="只能是 gitea 或 gitlab"), "bad-forge")
        return None


def _base_url(src: Source, f: Fields) -> str | None:
    text = f.required_text("base_url", "平台的网址，如 https://git.example.gov.cn")
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        src.error(f.line("base_url"), f"forge 的 base_url“{text}”不是网址", "写成 http:// 或 https:// 开头的完整网址，如 https://git.example.gov.cn", "bad-forge")
        return None
    if parts.query or parts.fragment:
        src.error(f.line("base_url"), f"forge 的 base_url“{text}”带有 ? 或 # 部分", "只写平台的网址（平台装在子路径下时带上子路径），去掉 ? 和 # 之后的部分", "bad-forge")
        return None
    return text.rstrip("/")


def _repository(src: Source, f: Fields, kind: ForgeKind | None) -> str | None:
    text = f.required_text("repository", "仓库路径，如 aiweiban/handbook")
    if text is None:
        return None
    cleaned = text.strip("/").removesuffix(".git")
    if REPOSITORY.match(cleaned) is None:
        src.error(f.line("repository"), f"forge 的 repository“{text}”格式不对", "写成“所有者/仓库名”，如 aiweiban/handbook（GitLab 可带子组：dengfeng/aiweiban/handbook），不要写完整网址", "bad-forge")
        return None
    if kind is ForgeKind.GITEA and cleaned.count("/") != 1:
        src.error(f.line("repository"), f"Gitea 的 repository“{text}”只能有两段", "写成“所有者/仓库名”，如 aiweiban/handbook（Gitea 没有子组）", "bad-forge")
        return None
    return cleaned


def _branch(src: Source, f: Fields) -> str | None:
    if not f.has("branch"):
        return "main"
    text = f.required_text("branch", "分支名，如 main")
    if text is None:
        return None
    if BAD_BRANCH.search(text):
        src.error(f.line("branch"), f"forge 的 branch“{text}”不是合法的分支名", "写仓库里实际的分支名，如 main 或 master（不能有空格、~ ^ : ? * [ \\ 或 ..）", "bad-forge")
        return None
    return text


# --------------------------------------------------------------------------- addresses


def _quoted(path: str) -> str:
    """Each segment percent-encoded (Chinese folder names included); "/" kept as the separator."""
    return "/".join(quote(part, safe="") for part in path.strip("/").split("/") if part)


def upload_url(forge: Forge, folder: str) -> str:
    """The forge's page for uploading into ``folder`` (a path from the repository root, e.g. "evidence/03/03.1-…").

    Every part is percent-encoded, the base URL's odd characters too: the address has no space, quote,
    bracket or "|" left, so it is safe in an HTML attribute and in a Markdown table.
    """
    base = quote(forge.base_url, safe=":/%-._~@+=&?")
    ref = f"{_quoted(forge.branch)}/{_quoted(folder)}".rstrip("/")
    if forge.kind is ForgeKind.GITEA:
        return f"{base}/{_quoted(forge.repository)}/_upload/{ref}"
    return f"{base}/{_quoted(forge.repository)}/-/tree/{ref}"


def upload_hint(forge: Forge) -> str:
    """What the liaison does on the page the link opens."""
    if forge.kind is ForgeKind.GITEA:
        return "打开后拖入文件，填写提交说明，点“提交变更”"
    return "打开文件夹后点“+” → “上传文件”，选择文件，填写提交说明后上传"
