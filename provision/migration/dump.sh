#!/usr/bin/env bash
# Dumps the Redmine database (legacy MySQL 5.1 on the CentOS 5 box, or any server given by
# DB_* - see lib.sh) into a gzipped SQL file and writes the manifest verify.sh compares with.
#
#   dump.sh --dump FILE|- --manifest FILE [--require-quiescent]
#
# The manifest is taken before and after the dump; a table that changed in between is marked
# "live" (the dump holds some state in between that no manifest describes). With
# --require-quiescent (the freeze) any such table fails the dump: writes are still arriving.
# MyISAM tables are reported; they make the dump lock the tables instead of using one
# transaction (InnoDB only is consistent under --single-transaction). restore.sh converts them.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

dump="" manifest="" quiescent=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dump) dump=$2; shift 2 ;;
    --manifest) manifest=$2; shift 2 ;;
    --require-quiescent) quiescent=1; shift ;;
    *) die "usage: dump.sh --dump FILE|- --manifest FILE [--require-quiescent]" ;;
  esac
done
if [ -z "$dump" ] || [ -z "$manifest" ]; then die "usage: dump.sh --dump FILE|- --manifest FILE [--require-quiescent]"; fi

# a failed run must not leave an older manifest that seems to describe this dump
rm -f "$manifest"
db_init
command -v "$MYSQLDUMP" >/dev/null 2>&1 || die "mysqldump '$MYSQLDUMP' not found"
myisam=$(db_sql "SELECT table_name FROM information_schema.tables
                 WHERE table_schema = DATABASE() AND engine = 'MyISAM' ORDER BY table_name" | tr '\n' ' ')
myisam=${myisam% }
if [ -n "$myisam" ]; then
  log "MyISAM tables (converted to InnoDB by restore.sh; dump uses --lock-tables): $myisam"
  consistency="--lock-tables"
else
  log "no MyISAM tables: dump uses --single-transaction"
  consistency="--single-transaction"
fi

bash "$HERE/verify.sh" manifest --out "$MIG_TMP/before"

started=$(now)
if [ "$dump" = "-" ]; then
  "$MYSQLDUMP" --defaults-extra-file="$MIG_CNF" "$consistency" --quick --hex-blob \
    --default-character-set=utf8 --set-charset --routines --triggers --no-create-db "$DB_NAME" | gzip -c
else
  mkdir -p "$(dirname "$dump")"
  "$MYSQLDUMP" --defaults-extra-file="$MIG_CNF" "$consistency" --quick --hex-blob \
    --default-character-set=utf8 --set-charset --routines --triggers --no-create-db "$DB_NAME" | gzip -c > "$dump.part"
  mv "$dump.part" "$dump"
fi
log "mysqldump finished in $(elapsed "$started") s"

bash "$HERE/verify.sh" manifest --out "$MIG_TMP/after" --columns-from "$MIG_TMP/before"
mkdir -p "$(dirname "$manifest")"
bash "$HERE/verify.sh" merge "$MIG_TMP/before" "$MIG_TMP/after" --out "$MIG_TMP/merged"
{
  printf '# myisam=%s\n' "${myisam:--}"
  cat "$MIG_TMP/merged"
} > "$manifest.part"
mv "$manifest.part" "$manifest"

live=$(awk -F'\t' '!/^#/ && $5 == "live" { printf "%s ", $1 }' "$manifest")
live=${live% }
if [ -n "$live" ]; then
  if [ "$quiescent" -eq 1 ]; then
    die "tables changed while the dump ran: $live - writes still reach the database (maintenance page on? cron jobs stopped?)"
  fi
  log "tables changed while the dump ran (live writes, not verifiable in this dump): $live"
fi
log "manifest written: $(grep -vc '^#' "$manifest") tables"
