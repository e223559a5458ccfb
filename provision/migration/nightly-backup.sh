#!/usr/bin/env bash
# Nightly logical backup, from web node 1 only (cron): Azure MySQL -> dump.sh (gzip +
# manifest) -> a blob container, through a SAS. Azure keeps its own PITR backups, but they
# cannot be exported; this copy can be restored anywhere with restore-backup.sh.
#
#   nightly-backup.sh [--config FILE]        (default /etc/redmine/nightly-backup.env)
#
# Config (sourced; no secrets in it):
#   DB_HOST DB_PORT DB_USER DB_NAME DB_SSL_CA   as in lib.sh
#   DB_PASSWORD_FILE      mode 600
#   BACKUP_CONTAINER_URL  https://<account>.blob.core.windows.net/<container>
#   BACKUP_SAS_FILE       mode 600: a container SAS allowing create+write ("sp=cw")
#   BACKUP_PREFIX (redmine)  BACKUP_WORK_DIR (/var/lib/redmine-backup)
# Blobs: <prefix>/<yyyy>/<mm>/redmine-<UTC stamp>.sql.gz and .manifest (uploaded last, so a
# manifest means a complete pair). Retention is the container's lifecycle rule; locally only
# the newest dump is kept. The SAS goes to curl through a config on stdin, never argv.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

config=/etc/redmine/nightly-backup.env
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    *) die "usage: nightly-backup.sh [--config FILE]" ;;
  esac
done
[ -r "$config" ] || die "config $config is not readable"
# shellcheck source=/dev/null
. "$config"
: "${BACKUP_CONTAINER_URL:?BACKUP_CONTAINER_URL is required}"
: "${BACKUP_SAS_FILE:?BACKUP_SAS_FILE is required}"
[ -r "$BACKUP_SAS_FILE" ] || die "BACKUP_SAS_FILE $BACKUP_SAS_FILE is not readable"
export DB_HOST DB_PORT DB_USER DB_NAME DB_SSL_CA DB_PASSWORD_FILE
work=${BACKUP_WORK_DIR:-/var/lib/redmine-backup}
prefix=${BACKUP_PREFIX:-redmine}
umask 077
mkdir -p "$work"

exec 9> "$work/.lock"
flock -n 9 || die "another nightly backup is still running"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$prefix/${stamp:0:4}/${stamp:4:2}/redmine-$stamp"
local_base="$work/redmine-$stamp"
started=$(date +%s)

bash "$HERE/dump.sh" --dump "$local_base.sql.gz" --manifest "$local_base.manifest"
sha=$(sha256sum "$local_base.sql.gz" | cut -d' ' -f1)
size=$(wc -c < "$local_base.sql.gz" | tr -d ' ')
printf '# dump_sha256=%s\n# dump_bytes=%s\n# blob=%s\n' "$sha" "$size" "$name.sql.gz" >> "$local_base.manifest"

put_blob() { # file blob-name content-type
  local sas
  sas=$(sed -e 's/^?//' "$BACKUP_SAS_FILE" | tr -d '\r\n')
  printf 'url = "%s/%s?%s"\n' "${BACKUP_CONTAINER_URL%/}" "$2" "$sas" |
    curl --fail --silent --show-error --retry 3 --config - --upload-file "$1" \
      -H "x-ms-blob-type: BlockBlob" -H "x-ms-version: 2021-08-06" -H "Content-Type: $3" -o /dev/null
}
put_blob "$local_base.sql.gz" "$name.sql.gz" application/gzip || die "upload of $name.sql.gz failed"
put_blob "$local_base.manifest" "$name.manifest" text/plain || die "upload of $name.manifest failed"

# keep only this run's dump locally
for f in "$work"/redmine-*.sql.gz "$work"/redmine-*.manifest; do
  [ -e "$f" ] || continue
  case "$f" in "$local_base".*) ;; *) rm -f "$f" ;; esac
done
log "nightly backup $name: $size bytes in $(( $(date +%s) - started )) s"
printf '%s\n' "$name"
