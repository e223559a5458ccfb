#!/usr/bin/env bash
# Manifests of a Redmine database and of its attachments, and their comparison.
# Run the database comparison BEFORE db:migrate: the 2.6 migrations change the schema.
#
#   verify.sh manifest --out FILE [--columns-from SOURCE_MANIFEST]
#   verify.sh merge BEFORE AFTER --out FILE     tables that differ are marked "live"
#   verify.sh compare SOURCE_MANIFEST TARGET_MANIFEST
#   verify.sh db --source-manifest FILE [--out TARGET_MANIFEST]
#   verify.sh files-manifest DIR --out FILE
#   verify.sh files-compare SOURCE TARGET [--report-only]
#
# Database manifest (tab separated): table engine rows checksum state columns
#   rows      exact COUNT(*) of every base table
#   checksum  for the core tables (CHECKSUM_TABLES; "all" = every table): the sum over rows
#             of 60 bits of MD5(CONCAT_WS('#', col..., null-bitmap)). Each column is read in
#             a form that is the same on MySQL 5.1, 5.7 and MariaDB whatever the engine:
#             plain values as binary strings, FLOAT/DOUBLE through DECIMAL(65,10), TEXT/BLOB
#             as MD5 (keeps rows under max_allowed_packet). The null bitmap tells NULL from ''.
#             The target is read with the source's column list, so both hash the same thing.
#   state     stable, or live when the table changed while the dump ran (prepare/nightly only)
# Exit status: 0 when everything matches, 1 with one "MISMATCH ..." line per difference.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

DEFAULT_CHECKSUM_TABLES="attachments boards changesets custom_fields custom_fields_projects custom_fields_trackers
custom_values documents enabled_modules enumerations groups_users issue_categories issue_relations issue_statuses
issues journal_details journals member_roles members messages news projects projects_trackers queries repositories
roles settings time_entries trackers user_preferences users versions watchers wiki_content_versions wiki_contents
wiki_pages wiki_redirects wikis workflows"

usage() { sed -n '2,24p' "$0" >&2; exit 2; }

# checksum_select TABLE SPEC: "SELECT 'table', COUNT(*), checksum FROM table;" where each
# column is read in its portable form (see the header). No subshells: this runs per column.
checksum_select() {
  local table=$1 spec=$2 exprs="" nulls="" col name kind q old_ifs
  old_ifs=$IFS
  IFS=','
  for col in $spec; do
    name=${col%:*}
    kind=${col##*:}
    q="\`${name//\`/\`\`}\`"
    case "$kind" in
      f) exprs="${exprs}CAST(CAST($q AS DECIMAL(65,10)) AS BINARY)," ;;
      t) exprs="${exprs}MD5($q)," ;;
      *) exprs="${exprs}CAST($q AS BINARY)," ;;
    esac
    nulls="${nulls}ISNULL($q),"
  done
  IFS=$old_ifs
  nulls=${nulls%,}
  printf "SELECT '%s', COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('#',%sCONCAT(%s))),1,15),16,10) AS UNSIGNED)),0) FROM %s;\n" \
    "$table" "$exprs" "$nulls" "$(sql_ident "$table")"
}

# Column specs (name:kind,...) per core table, from information_schema. Output: table<TAB>spec
column_specs_from_schema() {
  local wanted=$1 list="" t
  for t in $wanted; do list="$list'$t',"; done
  list=${list%,}
  [ -n "$list" ] || return 0
  db_sql "SELECT table_name, column_name, LOWER(data_type) FROM information_schema.columns
          WHERE table_schema = DATABASE() AND table_name IN ($list)
          ORDER BY table_name, ordinal_position" |
    awk -F'\t' '
      { kind = "v"
        if ($3 ~ /^(float|double|real)$/) kind = "f"
        else if ($3 ~ /(text|blob)$/ || $3 == "json" || $3 == "geometry") kind = "t"
        if ($1 != cur) { if (cur != "") print cur "\t" spec; cur = $1; spec = "" }
        spec = spec (spec == "" ? "" : ",") $2 ":" kind }
      END { if (cur != "") print cur "\t" spec }'
}

cmd_manifest() {
  local out="" columns_from=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --out) out=$2; shift 2 ;;
      --columns-from) columns_from=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -n "$out" ] || usage
  db_init
  local tables="$MIG_TMP/tables" specs="$MIG_TMP/specs" script="$MIG_TMP/count.sql" result="$MIG_TMP/result"
  db_sql "SELECT table_name, IFNULL(engine, '-'), table_type FROM information_schema.tables
          WHERE table_schema = DATABASE() ORDER BY table_name" > "$tables"

  if [ -n "$columns_from" ]; then
    # The target hashes exactly what the source hashed.
    awk -F'\t' '!/^#/ && NF >= 6 && $6 != "-" { print $1 "\t" $6 }' "$columns_from" > "$specs"
  else
    local wanted
    if [ "${CHECKSUM_TABLES:-}" = "all" ]; then
      wanted=$(awk -F'\t' '$3 == "BASE TABLE" { print $1 }' "$tables")
    else
      wanted=$(printf '%s\n' "${CHECKSUM_TABLES:-$DEFAULT_CHECKSUM_TABLES}" | tr -s ' ' '\n' |
        awk -F'\t' 'FNR == NR { want[$1] = 1; next } $3 == "BASE TABLE" && ($1 in want) { print $1 }' - "$tables")
    fi
    column_specs_from_schema "$wanted" > "$specs"
  fi

  : > "$script"
  local name spec
  awk -F'\t' -v OFS='\t' 'FNR == NR { spec[tolower($1)] = $2; next }
    $3 == "BASE TABLE" { print $1, (tolower($1) in spec) ? spec[tolower($1)] : "-" }' "$specs" "$tables" > "$MIG_TMP/plan"
  while IFS="$(printf '\t')" read -r name spec; do
    if [ "$spec" != "-" ]; then
      checksum_select "$name" "$spec" >> "$script"
    else
      printf "SELECT '%s', COUNT(*), '-' FROM %s;\n" "$name" "$(sql_ident "$name")" >> "$script"
    fi
  done < "$MIG_TMP/plan"

  local status=0
  db_batch --force < "$script" > "$result" 2> "$MIG_TMP/errors" || status=$?
  if [ "$status" -ne 0 ]; then
    log "some manifest queries failed (the tables concerned are marked ERROR): $(head -c 2000 "$MIG_TMP/errors")"
  fi

  {
    printf '# redmine-migration manifest 1\n'
    printf '# database=%s\n' "$DB_NAME"
    printf '# server_version=%s\n' "$(db_sql 'SELECT VERSION()' | tail -n 1)"
    printf '# created=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    awk -F'\t' -v OFS='\t' '
      FILENAME == ARGV[1] { res_rows[$1] = $2; res_sum[$1] = $3; next }
      FILENAME == ARGV[2] { spec[tolower($1)] = $2; next }
      $3 == "BASE TABLE" {
        rows = ($1 in res_rows) ? res_rows[$1] : "ERROR"
        sum = ($1 in res_sum) ? res_sum[$1] : "ERROR"
        cols = (tolower($1) in spec) ? spec[tolower($1)] : "-"
        print $1, $2, rows, sum, "stable", cols }' "$result" "$specs" "$tables"
  } > "$out.part"
  mv "$out.part" "$out"
}

# Tables whose count or checksum differ between two manifests of the same source are "live".
cmd_merge() {
  if [ $# -ne 4 ] || [ "$3" != "--out" ]; then usage; fi
  local before=$1 after=$2 out=$4
  awk -F'\t' -v OFS='\t' '
    FNR == NR { if ($0 !~ /^#/) { r[$1] = $3; s[$1] = $4 }; next }
    /^#/ { print; next }
    { if (!($1 in r) || r[$1] != $3 || s[$1] != $4) $5 = "live"; print }' "$before" "$after" > "$out.part"
  mv "$out.part" "$out"
}

cmd_compare() {
  [ $# -eq 2 ] || usage
  awk -F'\t' '
    FNR == NR {
      if ($0 ~ /^#/ || NF < 5) next
      k = tolower($1); name[k] = $1; eng[k] = $2; rows[k] = $3; sum[k] = $4; state[k] = $5; order[++n] = k
      next }
    {
      if ($0 ~ /^#/ || NF < 5) next
      k = tolower($1); seen[k] = 1; teng[k] = $2; trows[k] = $3; tsum[k] = $4; torder[++m] = k }
    END {
      bad = 0; compared = 0; summed = 0
      for (i = 1; i <= n; i++) {
        k = order[i]; t = name[k]
        if (!(k in seen)) { print "MISMATCH table " t ": missing on target"; bad++; continue }
        if (state[k] == "live") {
          print "WARN table " t ": changed at the source while it was dumped (live writes); not compared"
          continue }
        compared++
        if (rows[k] != trows[k]) { print "MISMATCH table " t ": rows source=" rows[k] " target=" trows[k]; bad++ }
        else if (sum[k] != "-") {
          summed++
          if (sum[k] != tsum[k]) { print "MISMATCH table " t ": content checksum source=" sum[k] " target=" tsum[k] " (rows=" rows[k] ")"; bad++ } }
        if (teng[k] == "MyISAM") { print "MISMATCH table " t ": engine MyISAM on target (Azure MySQL accepts InnoDB only)"; bad++ }
        else if (eng[k] == "MyISAM") print "INFO table " t ": MyISAM on the source, " teng[k] " on the target"
      }
      for (j = 1; j <= m; j++) if (!(torder[j] in name)) { print "MISMATCH table " torder[j] ": on target but not in the source"; bad++ }
      printf "verify: %d tables in the source, %d compared (%d with content checksums), %d mismatches\n", n, compared, summed, bad
      exit bad > 0 ? 1 : 0 }' "$1" "$2"
}

cmd_db() {
  local source="" out=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --source-manifest) source=$2; shift 2 ;;
      --out) out=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -n "$source" ] || die "--source-manifest FILE is required"
  [ -r "$source" ] || die "source manifest is not readable"
  [ -n "$out" ] || { mig_tmp_init; out="$MIG_TMP/target.manifest"; }
  cmd_manifest --out "$out" --columns-from "$source"
  cmd_compare "$source" "$out"
}

# Relative path and size of every file (rsync's partial dir excluded), sorted bytewise.
cmd_files_manifest() {
  if [ $# -ne 3 ] || [ "$2" != "--out" ]; then usage; fi
  local dir=$1 out=$3
  [ -d "$dir" ] || die "files directory $dir does not exist"
  find "$dir" -type f ! -path '*/.rsync-partial/*' -printf '%P\t%s\n' | LC_ALL=C sort > "$out.part"
  mv "$out.part" "$out"
}

cmd_files_compare() {
  local report_only=0
  [ $# -ge 2 ] || usage
  if [ "${3-}" = "--report-only" ]; then report_only=1; fi
  awk -F'\t' -v report_only="$report_only" '
    FNR == NR { size[$1] = $2; order[++n] = $1; next }
    { tsize[$1] = $2; torder[++m] = $1 }
    END {
      bad = 0
      for (i = 1; i <= n; i++) {
        f = order[i]
        if (!(f in tsize)) { print "MISMATCH file " f ": missing on target"; bad++ }
        else if (tsize[f] != size[f]) { print "MISMATCH file " f ": size source=" size[f] " target=" tsize[f]; bad++ } }
      for (j = 1; j <= m; j++) if (!(torder[j] in size)) { print "MISMATCH file " torder[j] ": on target but not on the source"; bad++ }
      printf "verify files: %d on the source, %d on the target, %d mismatches\n", n, m, bad
      exit (bad > 0 && !report_only) ? 1 : 0 }' "$1" "$2"
}

[ $# -ge 1 ] || usage
sub=$1
shift
case "$sub" in
  manifest) cmd_manifest "$@" ;;
  merge) cmd_merge "$@" ;;
  compare) cmd_compare "$@" ;;
  db) cmd_db "$@" ;;
  files-manifest) cmd_files_manifest "$@" ;;
  files-compare) cmd_files_compare "$@" ;;
  *) usage ;;
esac
