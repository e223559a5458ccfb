#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# config: Redmine's database.yml (Azure MySQL over TLS), configuration.yml (attachments on
# the share, SMTP), the MySQL 5.7 primary-key initializer and the secret token shared by
# every node. Secrets on stdin: DB_PASSWORD, SECRET_TOKEN, and SMTP_PASSWORD /
# DATABASE_CIPHER_KEY when configured. They go to root:redmine 0640 files that the YAML
# and Ruby files read at boot.
set -euo pipefail
STEP_NAME=config
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

required=(DB_PASSWORD SECRET_TOKEN)
[[ $SMTP_PASSWORD_ENABLED == 1 ]] && required+=(SMTP_PASSWORD)
[[ $CIPHER_KEY_ENABLED == 1 ]] && required+=(DATABASE_CIPHER_KEY)
read_secrets "${required[@]}"

app="$R$REDMINE_DIR"
[[ -d $app/config/initializers ]] || die "Redmine is not installed in $REDMINE_DIR: the redmine step must run first"

# secret_file NAME FILE ENABLED
secrets_changed=0
secret_file() {
  local var="SECRET_$1" dest="$R$SECRETS_DIR/$2"
  if [[ $3 == 1 ]]; then
    if update_file <(printf '%s' "${!var}") "$dest" 0640 root:redmine; then secrets_changed=1; fi
  else
    if remove_file "$dest"; then secrets_changed=1; fi
  fi
}
ensure_dir "$R$SECRETS_DIR" 0750 root:redmine
secret_file DB_PASSWORD db_password 1
secret_file SECRET_TOKEN secret_token 1
secret_file SMTP_PASSWORD smtp_password "$SMTP_PASSWORD_ENABLED"
secret_file DATABASE_CIPHER_KEY database_cipher_key "$CIPHER_KEY_ENABLED"

update_file "$(step_file database.yml)" "$app/config/database.yml" 0640 root:redmine || true
update_file "$(step_file configuration.yml)" "$app/config/configuration.yml" 0640 root:redmine || true
update_file "$(step_file abstract_mysql2_adapter.rb)" "$app/config/initializers/abstract_mysql2_adapter.rb" 0644 || true
update_file "$(step_file secret_token.rb)" "$app/config/initializers/secret_token.rb" 0644 || true
# Running workers pick new config files up at the rollout's restart. A rotated secret does not
# change any trigger (none carries a secret), so restart the running workers here, one at a
# time, so the node keeps serving while they reload.
if ((secrets_changed)) && [[ -r $R$THIN_WORKERS_FILE ]]; then
  workers=$(cat "$R$THIN_WORKERS_FILE")
  for ((i = 1; i <= workers; i++)); do
    if systemctl is-active --quiet "redmine-thin@$i.service"; then
      systemctl restart "redmine-thin@$i.service"
      sleep "${RESTART_PAUSE_SECONDS:-10}"
    fi
  done
fi
echo "config ready"
