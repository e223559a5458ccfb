#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# migrate (rollout, node 1 only): Redmine's schema and plugin migrations and a cache clear
# against the shared database, before any node (re)starts its workers. Idempotent: the
# migrations that already ran are skipped by Rails.
set -euo pipefail
STEP_NAME=migrate
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

app="$R$REDMINE_DIR"
bundle="$R$RUBY_PREFIX/bin/bundle"
logfile="$R$PROVISION_LOG_DIR/migrate.log"
[[ -f $app/config/database.yml ]] || die "Redmine is not configured on this node: the config step must run first"

as_redmine() {
  (cd "$app" && runuser -u redmine -- env RAILS_ENV=production PATH="$R$RUBY_PREFIX/bin:/usr/bin:/bin" "$@") >>"$logfile" 2>&1 \
    || { tail -n 40 "$logfile" >&2; die "'$*' failed (log: $PROVISION_LOG_DIR/migrate.log)"; }
}

printf '=== %s\n' "$(date -u +%FT%TZ)" >>"$logfile"
as_redmine "$bundle" exec rake db:migrate redmine:plugins:migrate tmp:cache:clear
if [[ -n ${ATTACHMENT_MAX_SIZE_KB:-} ]]; then
  # Redmine keeps its own upload limit in the settings table; match nginx's client_max_body_size.
  as_redmine "$bundle" exec ruby script/rails runner -e production "Setting.attachment_max_size = '$ATTACHMENT_MAX_SIZE_KB'"
fi
if [[ -n ${MAIL_FROM:-} ]]; then
  # The sender address is a Redmine setting in the database too, not configuration.yml.
  as_redmine "$bundle" exec ruby script/rails runner -e production "Setting.mail_from = '$MAIL_FROM'"
fi
echo "migrated"
