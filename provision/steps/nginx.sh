#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# nginx: main config and the Redmine site (reverse proxy to the thin sockets, static files
# from public/, /healthz for the load balancer, TLS on 443 when a certificate is given).
# Secrets on stdin when TLS is on: TLS_CERTIFICATE, TLS_PRIVATE_KEY (PEM).
set -euo pipefail
STEP_NAME=nginx
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

if [[ $TLS_ENABLED == 1 ]]; then
  read_secrets TLS_CERTIFICATE TLS_PRIVATE_KEY
else
  read_secrets
fi

rpm -q --quiet nginx || die "nginx is not installed: the base step must run first"

changed=0
update_file "$(step_file nginx.conf)" "$R/etc/nginx/nginx.conf" 0644 && changed=1
update_file "$(step_file redmine.conf)" "$R/etc/nginx/conf.d/redmine.conf" 0644 && changed=1
# nginx.org packages ship a default site that would also claim port 80.
remove_file "$R/etc/nginx/conf.d/default.conf" && changed=1

if [[ $TLS_ENABLED == 1 ]]; then
  ensure_dir "$R$TLS_DIR" 0750 root:nginx
  update_file <(printf '%s\n' "$SECRET_TLS_CERTIFICATE") "$R$TLS_DIR/redmine.crt" 0644 && changed=1
  update_file <(printf '%s\n' "$SECRET_TLS_PRIVATE_KEY") "$R$TLS_DIR/redmine.key" 0600 && changed=1
else
  remove_file "$R$TLS_DIR/redmine.crt" && changed=1
  remove_file "$R$TLS_DIR/redmine.key" && changed=1
fi

# nginx reaches the thin sockets in the redmine-group directory.
group_changed=0
if ! id -nG nginx | tr ' ' '\n' | grep -qx redmine; then
  usermod -a -G redmine nginx
  group_changed=1
fi

if ((changed || group_changed)); then
  nginx -t -q || die "nginx rejected the new configuration (nginx -t)"
fi
ensure_enabled nginx
if ! systemctl is-active --quiet nginx; then
  systemctl start nginx
elif ((group_changed)); then
  # workers only pick up the new group membership on a restart
  systemctl restart nginx
elif ((changed)); then
  systemctl reload nginx
fi
echo "nginx ready"
