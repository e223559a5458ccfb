#!/usr/bin/env bash
# Restores a nightly backup through the same path as the cutover: download the dump and its
# manifest, check the dump's SHA-256, restore.sh, then verify.sh against the saved manifest.
#
#   restore-backup.sh --list [--config FILE]
#   restore-backup.sh NAME --database DB [--production] [--config FILE]
#
# NAME is the blob name without extension (as nightly-backup.sh prints and --list shows).
# --database names the target and is required: a drill goes next to production
# (redmine_drill); restoring over production's own database also needs --production, since
# it drops every table first.
# Uses the nightly config (see nightly-backup.sh); RESTORE_SAS_FILE (default BACKUP_SAS_FILE)
# must allow read+list ("sp=rl"). Tables that changed while the nightly dump ran are marked
# live in its manifest and reported, not compared.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

config=/etc/redmine/nightly-backup.env name="" database="" list=0 production=0
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    --list) list=1; shift ;;
    --production) production=1; shift ;;
    -*) die "usage: restore-backup.sh --list | NAME --database DB [--production] [--config FILE]" ;;
    *) name=$1; shift ;;
  esac
done
[ -r "$config" ] || die "config $config is not readable"
# shellcheck source=/dev/null
. "$config"
: "${BACKUP_CONTAINER_URL:?BACKUP_CONTAINER_URL is required}"
sas_file=${RESTORE_SAS_FILE:-${BACKUP_SAS_FILE:?BACKUP_SAS_FILE is required}}
[ -r "$sas_file" ] || die "SAS file $sas_file is not readable"
if [ "$list" -eq 0 ]; then
  [ -n "$database" ] || die "name the target: --database redmine_drill for a drill, or --database $DB_NAME --production to overwrite production"
  if [ "$database" = "$DB_NAME" ] && [ "$production" -ne 1 ]; then
    die "--database $database is production's database: add --production to drop and replace it"
  fi
  DB_NAME=$database
fi
export DB_HOST DB_PORT DB_USER DB_NAME DB_SSL_CA DB_PASSWORD_FILE
prefix=${BACKUP_PREFIX:-redmine}
umask 077

blob_get() { # suffix after the container URL ("/blob?" or "?query&") output
  local sas
  sas=$(sed -e 's/^?//' "$sas_file" | tr -d '\r\n')
  printf 'url = "%s%s%s"\n' "${BACKUP_CONTAINER_URL%/}" "$1" "$sas" |
    curl --fail --silent --show-error --retry 3 --config - -H "x-ms-version: 2021-08-06" -o "$2"
}

mig_tmp_init
if [ "$list" -eq 1 ]; then
  blob_get "?restype=container&comp=list&prefix=$prefix/&" "$MIG_TMP/list.xml" || die "listing the container failed"
  sed -e 's/<Name>/\n<Name>/g' "$MIG_TMP/list.xml" | sed -n 's/^<Name>\([^<]*\)\.manifest<\/Name>.*/\1/p' | LC_ALL=C sort
  exit 0
fi
[ -n "$name" ] || die "usage: restore-backup.sh --list | NAME --database DB [--production] [--config FILE]"
name=${name%.sql.gz}
name=${name%.manifest}

work=${BACKUP_WORK_DIR:-/var/lib/redmine-backup}/restore
mkdir -p "$work"
base="$work/$(basename "$name")"
started=$(date +%s)
blob_get "/$name.manifest?" "$base.manifest" || die "download of $name.manifest failed (is the name right? try --list)"
blob_get "/$name.sql.gz?" "$base.sql.gz" || die "download of $name.sql.gz failed"
expected=$(sed -n 's/^# dump_sha256=//p' "$base.manifest")
actual=$(sha256sum "$base.sql.gz" | cut -d' ' -f1)
[ -n "$expected" ] || die "$name.manifest has no dump_sha256"
[ "$expected" = "$actual" ] || die "$name.sql.gz is damaged: sha256 $actual, manifest says $expected"
log "downloaded $name ($(wc -c < "$base.sql.gz" | tr -d ' ') bytes, sha256 ok) in $(( $(date +%s) - started )) s"

bash "$HERE/restore.sh" --dump "$base.sql.gz" --replace-existing
bash "$HERE/verify.sh" db --source-manifest "$base.manifest"
log "restore of $name into $DB_NAME verified in $(( $(date +%s) - started )) s"
