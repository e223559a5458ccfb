#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# backup (node 1 only): installs the nightly logical dump of the Redmine database into the
# blob container (provision/migration/nightly-backup.sh and restore-backup.sh), its settings,
# the database password and the container SAS as 600 files, and the cron entry. Idempotent.
set -euo pipefail
STEP_NAME=backup
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings
read_secrets DB_PASSWORD BACKUP_SAS

for script in lib.sh dump.sh restore.sh verify.sh nightly-backup.sh restore-backup.sh; do
  update_file "$(step_file "$script")" "$R$SCRIPTS_DIR/$script" 0755 || true
done

# No secret in the env file: it names the 600 files that hold them.
update_file - "$R/etc/redmine/nightly-backup.env" 0600 <<ENV || true
DB_HOST=$DB_HOST
DB_PORT=3306
DB_USER=$DB_USER
DB_NAME=$DB_NAME
DB_SSL_CA=$DB_SSL_CA
DB_PASSWORD_FILE=/etc/redmine/backup-db.password
BACKUP_CONTAINER_URL=$CONTAINER_URL
BACKUP_SAS_FILE=/etc/redmine/backup.sas
BACKUP_PREFIX=redmine
ENV
printf '%s' "$SECRET_DB_PASSWORD" | update_file - "$R/etc/redmine/backup-db.password" 0600 || true
printf '%s' "$SECRET_BACKUP_SAS" | update_file - "$R/etc/redmine/backup.sas" 0600 || true

update_file - "$R/etc/cron.d/redmine-nightly-backup" 0644 <<CRON || true
# Nightly logical dump of Redmine to blob storage (installed by the backup provisioning step).
$CRON_MINUTE $CRON_HOUR * * * root $SCRIPTS_DIR/nightly-backup.sh --config /etc/redmine/nightly-backup.env >> /var/log/redmine-nightly-backup.log 2>&1
CRON
echo "nightly backup installed: $(printf '%02d:%02d' "$CRON_HOUR" "$CRON_MINUTE") UTC to $CONTAINER_URL"
