#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# redmine: the Redmine release tarball (checksum-verified) unpacked into $REDMINE_DIR,
# Gemfile.local (thin, rake < 12) and the gems bundled into vendor/bundle without the
# development, test and rmagick groups. Needs neither the database nor the share.
set -euo pipefail
STEP_NAME=redmine
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

app="$R$REDMINE_DIR"
bundle="$R$RUBY_PREFIX/bin/bundle"
[[ -x $bundle ]] || die "bundler is missing in $RUBY_PREFIX: the ruby step must run first"

# --- code ----------------------------------------------------------------------------
if [[ $(cat "$app/.redmine-version" 2>/dev/null || true) != "$REDMINE_VERSION" ]]; then
  fetch_verified "$REDMINE_URL" "$R$PROVISION_CACHE_DIR/$REDMINE_FILE" "$REDMINE_CHECKSUM"
  ensure_dir "$app" 0755 root:root
  tar -xzf "$R$PROVISION_CACHE_DIR/$REDMINE_FILE" -C "$app" --strip-components=1 --no-same-owner
  printf '%s\n' "$REDMINE_VERSION" >"$app/.redmine-version"
  log "unpacked Redmine $REDMINE_VERSION into $REDMINE_DIR"
fi

# The code stays root-owned; thin (user redmine) writes only to these.
for d in log tmp tmp/pdf tmp/cache tmp/sessions tmp/sockets public/plugin_assets; do
  ensure_dir "$app/$d" 0755 redmine:redmine
done
restore_context_tree "$app/public"

# --- gems ----------------------------------------------------------------------------
update_file "$(step_file Gemfile.local)" "$app/Gemfile.local" 0644 || true
update_file "$(step_file bundle-config)" "$app/.bundle/config" 0644 || true
# Redmine's Gemfile picks the database gem from config/database.yml; the config step writes
# the real file later (it needs the database host), this stand-in only names the adapter.
if [[ ! -e $app/config/database.yml ]]; then
  update_file "$(step_file database.placeholder.yml)" "$app/config/database.yml" 0640 root:redmine || true
fi

export PATH="$R$RUBY_PREFIX/bin:$PATH"
if (cd "$app" && "$bundle" check >/dev/null 2>&1); then
  log "gems already installed"
else
  log "bundle install (log: $PROVISION_LOG_DIR/bundle-install.log)"
  if ! (cd "$app" && "$bundle" install --jobs 2 --retry 3) >"$R$PROVISION_LOG_DIR/bundle-install.log" 2>&1; then
    tail -n 40 "$R$PROVISION_LOG_DIR/bundle-install.log" >&2
    die "bundle install failed (log: $PROVISION_LOG_DIR/bundle-install.log)"
  fi
fi

# mysql2 0.3.x is the line that builds against the MariaDB 5.5 client and talks to 5.7.
mysql2_path=$(cd "$app" && "$bundle" show mysql2 2>/dev/null) || die "mysql2 is not in the bundle"
[[ $mysql2_path == *"/mysql2-$MYSQL2_VERSION" ]] || die "expected mysql2 $MYSQL2_VERSION, bundle has ${mysql2_path##*/}"
echo "redmine ready: $REDMINE_VERSION"
