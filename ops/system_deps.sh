#!/usr/bin/env bash
# Install the Debian packages named as arguments that are missing, or say in one line which cannot be had.
# Idempotent and quiet when everything is there (a dpkg query per package, no network).
set -uo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "system-deps: installing Debian packages: ${missing[*]}"
log=$(mktemp)
install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1
}
# Package servers are never started by their install here: the project starts its own on loopback.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; fi
install || { apt-get update -qq >>"$log" 2>&1; install; }
status=$?
[ "$own_policy" = 1 ] && rm -f "$policy"
if [ $status -ne 0 ]; then
  echo "system-deps: cannot install ${missing[*]}: $(grep -E '^E:' "$log" | head -n2 | tr '\n' ' ')(log: $log)" >&2
  exit 1
fi
rm -f "$log"
