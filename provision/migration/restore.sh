#!/usr/bin/env bash
# Restores a dump from dump.sh (or nightly-backup.sh) into the database given by DB_* (see
# lib.sh; on web node 1 that is Azure MySQL over TLS with DB_SSL_CA).
#
#   restore.sh --dump FILE.sql.gz [--replace-existing]
#
# - refuses a dump that is truncated (gzip error, or no "-- Dump completed" trailer) before
#   touching the target;
# - creates the database (utf8 / utf8_general_ci) when it is missing;
# - an existing database with tables is only overwritten with --replace-existing: then every
#   table is dropped first, so a rerun after a failed or partial import, or after a
#   rehearsal's db:migrate added 2.6 tables, starts from the same empty state;
# - rewrites the stream for Azure MySQL: ENGINE=MyISAM -> InnoDB (Azure has no MyISAM),
#   MyISAM-only ROW_FORMAT=FIXED dropped, DEFINER clauses removed (no SUPER on Azure), the
#   MariaDB "sandbox mode" first line removed (a MySQL client rejects it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

dump="" replace=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dump) dump=$2; shift 2 ;;
    --replace-existing) replace=1; shift ;;
    *) die "usage: restore.sh --dump FILE.sql.gz [--replace-existing]" ;;
  esac
done
[ -n "$dump" ] || die "usage: restore.sh --dump FILE.sql.gz [--replace-existing]"
[ -r "$dump" ] || die "dump $dump is not readable"

db_init

log "checking $dump"
if ! trailer=$(gzip -dc "$dump" | tail -n 1); then
  die "dump $dump is truncated or corrupt (gzip failed); nothing was changed on the target"
fi
case "$trailer" in
  "-- Dump completed"*) ;;
  *) die "dump $dump is incomplete (no '-- Dump completed' trailer); nothing was changed on the target" ;;
esac

db_ident=$(sql_ident "$DB_NAME")
db_sql "CREATE DATABASE IF NOT EXISTS $db_ident CHARACTER SET utf8 COLLATE utf8_general_ci" ""
charset=$(db_sql "SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = '$DB_NAME'" "")
case "$charset" in
  utf8|utf8mb3) ;;
  *) log "WARNING: database $DB_NAME has default character set $charset, not utf8 (tables keep the dump's own charsets)" ;;
esac

existing=$(db_sql "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")
if [ -n "$existing" ]; then
  [ "$replace" -eq 1 ] || die "database $DB_NAME already has tables; pass --replace-existing to overwrite it"
  drop="SET FOREIGN_KEY_CHECKS=0;"
  while IFS="$(printf '\t')" read -r t type; do
    if [ "$type" = "VIEW" ]; then drop="$drop DROP VIEW IF EXISTS $(sql_ident "$t");"
    else drop="$drop DROP TABLE IF EXISTS $(sql_ident "$t");"; fi
  done <<EOF_TABLES
$existing
EOF_TABLES
  log "dropping $(printf '%s\n' "$existing" | wc -l | tr -d ' ') existing tables in $DB_NAME"
  db_sql "$drop"
fi

started=$(now)
log "importing $dump into $DB_NAME"
# shellcheck disable=SC2016 # sed program with literal backticks
gzip -dc "$dump" |
  sed -e '1{/^\/\*M!999999\\- enable the sandbox mode \*\/$/d;}' \
      -e '/^INSERT INTO /!{
            /^) ENGINE=MyISAM/{
              s/^) ENGINE=MyISAM/) ENGINE=InnoDB/
              s/ ROW_FORMAT=FIXED//
            }
            s/\/\*!5001[37] DEFINER=[^*]*\*\/ \{0,1\}//
            s/\/\*!50020 DEFINER=[^*]*\*\/ \{0,1\}//
            s/CREATE DEFINER=`[^`]*`@`[^`]*` /CREATE /
          }' |
  db_client "$DB_NAME"
log "import finished in $(elapsed "$started") s"

myisam=$(db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND engine = 'MyISAM'" | tr '\n' ' ')
[ -z "$myisam" ] || die "tables still MyISAM after the import: $myisam"
count=$(db_sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")
log "restored $count tables into $DB_NAME, all InnoDB"
