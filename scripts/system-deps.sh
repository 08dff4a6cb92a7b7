#!/usr/bin/env bash
# Debian packages the tests and the package need: chromium (browser tests), poppler-utils (PDF → PNG),
# LibreOffice writer/calc/impress (nogui) with the Noto CJK font for Office → PDF,
# a CJK TrueType font (embedded in generated PDFs), git, git-lfs, zip/unzip (the benchmark). Installs what is
# missing when run as root with apt-get; otherwise says what to install and goes on (tests needing them skip
# with a reason, except under CI).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v git >/dev/null 2>&1 || need+=(git)
command -v git-lfs >/dev/null 2>&1 || need+=(git-lfs)   # tests/test_lfs.py; a city's CI fetches LFS objects
command -v zip >/dev/null 2>&1 || need+=(zip)   # the benchmark's yardstick for the package: zip -0 -r + unzip -t
command -v unzip >/dev/null 2>&1 || need+=(unzip)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
# LibreOffice without its GUI: converts Word/Excel/PowerPoint to PDF for the review package (headless)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装系统依赖：${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "提示：缺少系统软件包 ${need[*]}（Debian/Ubuntu：sudo apt-get install ${need[*]}）；相关测试将跳过。" >&2
fi
