#!/usr/bin/env bash
# Install what skillhost needs on Debian 12, from the project's own lists.
#   scripts/deps.sh build   compilers and libraries (enough for the demo)
#   scripts/deps.sh test    plus the test tools and real peers (npm ci)
# Runs apt-get as root, or through sudo. Installs only what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
what=${1:-build}

build_pkgs=(build-essential cmake pkg-config git
  libcurl4-openssl-dev libcjson-dev libarchive-dev libsodium-dev zlib1g-dev
  libmicrohttpd-dev libseccomp-dev libssl-dev libmimalloc-dev)
test_pkgs=(libcmocka-dev minisign clang clang-format clang-tidy libclang-rt-14-dev valgrind
  libxml2-utils libarchive-tools unzip poppler-utils libreoffice-impress-nogui
  nginx-light curl ca-certificates python3 chromium strace wrk)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  # The real peers the interop tests run against, pinned by the lockfile.
  if ! (cd "$top/tests/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    echo "deps: npm ci failed in tests/node" >&2
    exit 1
  fi
fi
