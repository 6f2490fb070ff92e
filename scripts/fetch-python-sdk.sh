#!/usr/bin/env bash
# Fetches the official Azure Python SDK for Job Router (azure-communication-jobrouter 1.1.0b2)
# and the azure-core it needs from Debian trixie's python3-azure, without touching the system's
# apt configuration: a private sources list, package lists and cache under the build folder, the
# same Debian mirror the system uses, trixie's Release checked against Debian's archive keyring.
#
#   scripts/fetch-python-sdk.sh [DEST]     DEST defaults to <repo>/build/python-sdk
#
# Leaves DEST/site: the one folder to put first on PYTHONPATH. It holds only
#   azure/__init__.py                  a namespace shim (pkgutil.extend_path)
#   azure/core                         from the package
#   azure/communication/__init__.py    a namespace shim
#   azure/communication/jobrouter      from the package
# so nothing else from python3-azure's hundreds of SDKs becomes importable. Run the tests with
# Debian's /usr/bin/python3 (python3-isodate, python3-typing-extensions, python3-requests,
# python3-aiohttp, python3-pytest, python3-pytest-asyncio from bookworm).
#
# Idempotent: when DEST/site is complete it does nothing. The package and its code stay in the
# build folder, which git ignores; never commit them.
set -euo pipefail

PACKAGE=python3-azure
VERSION=20250603+git-1
SUITE=trixie
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-$repo/build/python-sdk}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
site=$dest/site
stamp=$site/.complete-$VERSION

if [ -f "$stamp" ]; then
  exit 0
fi

# The mirror: the first URI of the system's Debian source (not -security), deb822 first.
mirror=""
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '
    function emit() {
      if (!done && uri != "" && suites !~ /security/) { print uri; done = 1; exit }
    }
    /^[[:space:]]*$/ { emit(); uri = ""; suites = "" }
    /^URIs:/         { uri = $2 }
    /^Suites:/       { suites = $0 }
    END              { emit() }
  ' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
  mirror=$(awk '
    $1 == "deb" && $0 !~ /security/ {
      for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit }
    }' /etc/apt/sources.list)
fi
if [ -z "$mirror" ]; then
  echo "fetch-python-sdk: no Debian mirror found in /etc/apt/sources.list.d/debian.sources" \
       "or /etc/apt/sources.list" >&2
  exit 1
fi
if [ ! -r "$KEYRING" ]; then
  echo "fetch-python-sdk: $KEYRING is missing (package debian-archive-keyring)" >&2
  exit 1
fi

apt_dir=$dest/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/preferences.d" "$dest/deb"
cat > "$apt_dir/sources.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $SUITE
Components: main
Signed-By: $KEYRING
SOURCES
# Only the system's post-update hooks need clearing (they would refresh system caches); -c is
# read after /etc/apt/apt.conf.d, so this wins.
cat > "$apt_dir/apt.conf" <<'CONF'
#clear APT::Update::Post-Invoke-Success;
CONF

apt_opts=(
  -c "$apt_dir/apt.conf"
  -o "Dir::Etc::sourcelist=$apt_dir/sources.sources"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::Etc::preferences=$apt_dir/preferences"
  -o "Dir::Etc::preferencesparts=$apt_dir/preferences.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=/dev/null"
  -o "Dir::Cache::Archives=$apt_dir/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "Acquire::Languages=none"
)
if [ "$(id -u)" -eq 0 ]; then
  # apt drops to the _apt user to download, which cannot write into a root-owned build folder.
  apt_opts+=(-o "APT::Sandbox::User=root")
fi

deb=$dest/deb/${PACKAGE}_${VERSION}_all.deb
if [ ! -f "$deb" ]; then
  echo "fetch-python-sdk: $PACKAGE=$VERSION from $mirror $SUITE"
  apt-get -q "${apt_opts[@]}" update
  (cd "$dest/deb" && apt-get -q "${apt_opts[@]}" download "$PACKAGE=$VERSION")
  if [ ! -f "$deb" ]; then
    echo "fetch-python-sdk: apt-get download left no $deb" >&2
    exit 1
  fi
fi

# Unpack the whole package into a scratch folder, keep only the two packages the tests need
# (python3-azure unpacks to ~570 MB), and drop the rest.
unpacked=$dest/unpacked
rm -rf "$unpacked" "$site"
dpkg-deb -x "$deb" "$unpacked"
pkg_azure=$(find "$unpacked/usr/lib" -path '*/dist-packages/azure' -type d | head -n1)
for needed in core communication/jobrouter; do
  if [ -z "$pkg_azure" ] || [ ! -d "$pkg_azure/$needed" ]; then
    echo "fetch-python-sdk: $deb has no azure/$needed" >&2
    exit 1
  fi
done

# Debian's azure/ may be a regular package elsewhere on sys.path; these shims make ours a
# namespace that comes first and still extends to the others.
shim="__path__ = __import__('pkgutil').extend_path(__path__, __name__)"
mkdir -p "$site/azure/communication"
echo "$shim" > "$site/azure/__init__.py"
echo "$shim" > "$site/azure/communication/__init__.py"
mv "$pkg_azure/core" "$site/azure/core"
mv "$pkg_azure/communication/jobrouter" "$site/azure/communication/jobrouter"
rm -rf "$unpacked"
touch "$stamp"
echo "fetch-python-sdk: PYTHONPATH=$site"
