#!/usr/bin/env bash
# Maintenance page on the legacy Apache 2.0 (CentOS 5): during the freeze every Redmine URL
# answers with a static page, so no request reaches Passenger and nothing is written.
#
#   maintenance.sh on|off
#
# Environment: REDMINE_ROOT (the page goes into public/, which Apache serves itself),
#   APACHE_CONF_DIR (/etc/httpd/conf.d), APACHECTL (apachectl),
#   MAINTENANCE_CHECK_URL (optional: fetched after "on"; must show the page).
# The rules sit in server context (<Location /> merges into every virtual host) and use the
# 2.0/2.2 access syntax. A failing configtest removes the file again: legacy keeps serving.
# Idempotent: Apache is only reloaded when something changed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

action=${1-}
case "$action" in on|off) ;; *) die "usage: maintenance.sh on|off" ;; esac
: "${REDMINE_ROOT:?REDMINE_ROOT is required}"
conf_dir=${APACHE_CONF_DIR:-/etc/httpd/conf.d}
apachectl=${APACHECTL:-apachectl}
conf="$conf_dir/zz-redmine-maintenance.conf"
page="$REDMINE_ROOT/public/redmine-maintenance.html"

write_if_changed() { # file: content on stdin; returns 0 when the file changed
  local tmp
  tmp=$(mktemp "$1.XXXXXX") || die "cannot write next to $1"
  cat > "$tmp" || die "cannot write $tmp"
  chmod 644 "$tmp" || die "cannot chmod $tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$1" || die "cannot replace $1"
  return 0
}

if [ "$action" = "on" ]; then
  [ -d "$REDMINE_ROOT/public" ] || die "$REDMINE_ROOT/public does not exist"
  [ -d "$conf_dir" ] || die "Apache config directory $conf_dir does not exist"
  write_if_changed "$page" <<'HTML' || true
<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>Redmine: メンテナンス中 / under maintenance</title>
<meta name="robots" content="noindex"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto;">
<h1>Redmine はただいまメンテナンス中です</h1>
<p>新しいサーバーへの移行作業のため、一時的にご利用いただけません。作業が終わりしだい、同じアドレスで再開します。
再開後はもう一度ログインしてください。</p>
<h1>Redmine is under maintenance</h1>
<p>We are moving Redmine to a new server. It will be back at the same address shortly;
you may have to log in again.</p>
<!-- redmine-migration-maintenance -->
</body></html>
HTML
  changed=0
  if write_if_changed "$conf" <<'CONF'; then changed=1; fi
# Written by maintenance.sh (Redmine migration): every URL shows the maintenance page.
# Remove with "maintenance.sh off".
<Location />
    Order allow,deny
    Deny from all
    ErrorDocument 403 /redmine-maintenance.html
</Location>
<Location /redmine-maintenance.html>
    Order allow,deny
    Allow from all
</Location>
CONF
  if [ "$changed" -eq 1 ]; then
    if ! "$apachectl" configtest >&2; then
      rm -f "$conf"
      die "Apache rejected the maintenance configuration; removed it, legacy keeps serving"
    fi
    "$apachectl" graceful >&2
    log "maintenance page on (Apache reloaded)"
  else
    log "maintenance page already on"
  fi
  if [ -n "${MAINTENANCE_CHECK_URL:-}" ]; then
    sleep 2
    body=$(curl -s "$MAINTENANCE_CHECK_URL" || true)
    case "$body" in
      *redmine-migration-maintenance*) log "checked: $MAINTENANCE_CHECK_URL shows the maintenance page" ;;
      *) die "$MAINTENANCE_CHECK_URL does not show the maintenance page: writes are NOT stopped" ;;
    esac
  fi
else
  if [ -f "$conf" ]; then
    rm -f "$conf"
    "$apachectl" configtest >&2
    "$apachectl" graceful >&2
    log "maintenance page off (Apache reloaded)"
  else
    log "maintenance page already off"
  fi
fi
