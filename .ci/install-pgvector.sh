#!/usr/bin/env bash
# Builds pgvector for PostgreSQL 15 from Debian trixie's source package: bookworm has no binary
# package and this machine reaches only Debian's archive (see ../shared/STACK.md).
set -euo pipefail
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
if [ -f "$($PG_CONFIG --sharedir)/extension/vector.control" ]; then
  echo "pgvector already installed"; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq postgresql-server-dev-15 dpkg-dev make gcc >/dev/null
work=$(mktemp -d)
mkdir -p "$work/lists/partial"
echo "deb-src http://deb.debian.org/debian trixie main" > "$work/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only pgvector >/dev/null && dpkg-source -x pgvector_*.dsc src >/dev/null)
make -C "$work/src" PG_CONFIG="$PG_CONFIG" >/dev/null
make -C "$work/src" install PG_CONFIG="$PG_CONFIG" >/dev/null
rm -rf "$work"
echo "pgvector installed for $($PG_CONFIG --version)"
