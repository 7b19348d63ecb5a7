#!/usr/bin/env bash
# Installs everything the test suites need on a fresh Debian machine: Debian's chromium (Playwright drives
# it; no browser is ever downloaded), tshark (captures are read back by it), iproute2/ethtool/iperf3 (the
# network-namespace export is run for real), and the npm packages from the lock. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
# The exported namespace script is tested for real: ip/tc/ss (iproute2), ethtool and iperf3.
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]} from Debian"
  $sudo apt-get update -qq
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections 2>/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
