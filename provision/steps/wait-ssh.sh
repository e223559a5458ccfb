#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# wait-ssh: first step on a new node. Reaching this script means SSH works (Pulumi retried
# the dial with dialErrorLimit -1) and sudo works without a password or tty. It then waits
# for cloud-init to finish, so later steps never race the image's own first-boot yum runs.
set -euo pipefail
STEP_NAME=wait-ssh
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

if command -v cloud-init >/dev/null 2>&1; then
  status=0
  cloud-init status --wait >/dev/null || status=$?
  case $status in
    0) log "cloud-init finished" ;;
    # 2 = finished with recoverable errors (cloud-init >= 23.4); older ones exit 1 on any
    # module error. Neither blocks provisioning: we only needed it to be done.
    *) log "cloud-init finished with status $status; continuing (see /var/log/cloud-init.log)" ;;
  esac
else
  log "no cloud-init on this image; nothing to wait for"
fi

# The yum lock: the Azure agent or cloud-init may still hold it right after first boot.
for _ in $(seq 1 60); do
  [[ -e $R/var/run/yum.pid ]] || break
  sleep 5
done
[[ ! -e $R/var/run/yum.pid ]] || die "yum is still locked by another process after 5 minutes"
echo "ready: $(uname -n)"
