#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# start (rollout, every node, after the migration): (re)start the thin workers one at a
# time so nginx always has one that answers, reload nginx, and wait until /healthz gives
# 200, which is what the load balancer probe asks for.
set -euo pipefail
STEP_NAME=start
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

workers=$(cat "$R$THIN_WORKERS_FILE" 2>/dev/null) || die "no thin workers are set up: the services step must run first"
[[ $workers =~ ^[1-9][0-9]*$ ]] || die "bad worker count in $THIN_WORKERS_FILE"
ruby="$R$RUBY_PREFIX/bin/ruby"

# worker_answers N: a request on the worker's own socket gets an HTTP answer below 500.
worker_answers() {
  "$ruby" -rsocket -e '
    s = UNIXSocket.new(ARGV[0])
    s.write("GET /login HTTP/1.0\r\nHost: localhost\r\n\r\n")
    code = s.gets.to_s.split(" ")[1].to_i
    exit((code >= 200 && code < 500) ? 0 : 1)' "$R$SOCKET_DIR/thin.$1.sock" 2>/dev/null
}

# wait_for SECONDS DESCRIPTION COMMAND...
wait_for() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds; i += 2)); do
    "$@" && return 0
    sleep 2
  done
  die "timed out after ${seconds}s waiting for $what"
}

for ((n = 1; n <= workers; n++)); do
  if systemctl is-active --quiet "redmine-thin@$n.service"; then
    systemctl restart "redmine-thin@$n.service"
  else
    systemctl start "redmine-thin@$n.service"
  fi
  wait_for "$WORKER_TIMEOUT" "thin worker $n (journalctl -u redmine-thin@$n)" worker_answers "$n"
done
systemctl start redmine-thin.target

if systemctl is-active --quiet nginx; then
  systemctl reload nginx
else
  systemctl start nginx
fi

healthz() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HTTP_PORT/healthz") == 200 ]]
}
wait_for "$HEALTH_TIMEOUT" "http://127.0.0.1:$HTTP_PORT/healthz to answer 200" healthz
echo "node serving: $workers thin workers, /healthz 200"
