#!/usr/bin/env bash
# Makes the base image every Portico Dockerfile names (node:20-slim) on a machine that cannot pull images:
# Debian bookworm from the Debian mirror this machine's apt sources name, with this machine's Node, npm and
# Node headers copied in where the official image keeps them, the machine's CA bundle (the npm registry may be
# reached through a TLS proxy whose CA only that bundle holds) and a `node` user with uid 1000.
#
#   scripts/docker/base-image.sh [image]     default image: node:20-slim
#
# Skips the work when the image exists and carries this machine's Node version (NODE_VERSION, as the official
# images set it). Needs root, debootstrap and a running engine (scripts/docker/engine.sh start).
set -euo pipefail
image=${1:-node:20-slim}
node_bin=$(command -v node)
node_version=$(node -p 'process.versions.node')
npm_dir=$(dirname "$(dirname "$node_bin")")/lib/node_modules/npm
headers=$(dirname "$(dirname "$node_bin")")/include/node
ca_bundle=/etc/ssl/certs/ca-certificates.crt

existing=$(docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" 2>/dev/null | sed -n 's/^NODE_VERSION=//p' || true)
if [ "$existing" = "$node_version" ]; then
  echo "base-image: $image (Node $node_version) exists" >&2
  exit 0
fi

# The first bookworm mirror of apt's sources, in either format (one-line sources.list or deb822 .sources).
mirror=$(
  {
    cat /etc/apt/sources.list 2>/dev/null | awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2 }' || true
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'BEGIN { RS = ""; FS = "\n" } /Suites:[^\n]*bookworm( |$|\n)/ && /Types:[^\n]*deb( |$|\n)/ {
        for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, " "); print u[2] } }' "$f"
    done
    cat /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2 }' || true
  } | grep -v -- '-security' | head -1
)
[ -n "$mirror" ] || { echo "base-image: no bookworm mirror in /etc/apt/sources*" >&2; exit 1; }
for path in "$node_bin" "$npm_dir" "$headers" "$ca_bundle"; do
  [ -e "$path" ] || { echo "base-image: $path is missing" >&2; exit 1; }
done

root=$(mktemp -d /tmp/portico-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >&2

install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/include"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
cp -a "$headers" "$root/usr/local/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
cp "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
# If an image installs Debian's ca-certificates, update-ca-certificates rebuilds the bundle from Mozilla's
# set plus this directory: keeping the machine's bundle here keeps the proxy's CA in the rebuilt one.
cp "$ca_bundle" "$root/usr/local/share/ca-certificates/portico-build-host.crt"
# Security updates come from Debian's security archive, as in the official images.
security=${mirror%/debian}/debian-security
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' "$mirror" "$mirror" "$security" >"$root/etc/apt/sources.list"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# What debootstrap leaves behind and no image needs.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | docker import \
  -c "ENV NODE_VERSION=$node_version" \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["node"]' \
  - "$image" >&2
echo "base-image: made $image (Node $node_version)" >&2
