#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# services: thin as systemd template units (redmine-thin@N, one per worker, restart on
# failure) grouped by redmine-thin.target, the socket directory, logrotate, and the
# singleton cron jobs on node 1 only. Units are enabled here and started by the rollout.
set -euo pipefail
STEP_NAME=services
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

[[ $THIN_WORKERS =~ ^[1-9][0-9]*$ ]] || die "THIN_WORKERS must be a positive integer"
units_changed=0
update_file "$(step_file redmine-thin@.service)" "$R/etc/systemd/system/redmine-thin@.service" 0644 && units_changed=1
update_file "$(step_file redmine-thin.target)" "$R/etc/systemd/system/redmine-thin.target" 0644 && units_changed=1
if update_file "$(step_file redmine-tmpfiles.conf)" "$R/etc/tmpfiles.d/redmine.conf" 0644 || [[ ! -d $R$SOCKET_DIR ]]; then
  systemd-tmpfiles --create /etc/tmpfiles.d/redmine.conf
fi
update_file "$(step_file logrotate-redmine)" "$R/etc/logrotate.d/redmine" 0644 || true
if [[ $SINGLETON_JOBS == 1 ]]; then
  update_file "$(step_file cron-redmine)" "$R/etc/cron.d/redmine" 0644 || true
else
  remove_file "$R/etc/cron.d/redmine" || true
fi

((units_changed)) && systemctl daemon-reload

# Workers beyond the configured count (after thinWorkers was lowered) go away.
previous=$(cat "$R$THIN_WORKERS_FILE" 2>/dev/null || echo 0)
for ((i = THIN_WORKERS + 1; i <= previous; i++)); do
  systemctl disable --now "redmine-thin@$i.service"
done
ensure_enabled redmine-thin.target
for ((i = 1; i <= THIN_WORKERS; i++)); do
  ensure_enabled "redmine-thin@$i.service"
done
# The rollout's start step reads the worker count from here.
update_file <(printf '%s\n' "$THIN_WORKERS") "$R$THIN_WORKERS_FILE" 0644 || true
echo "services ready: $THIN_WORKERS thin workers enabled"
