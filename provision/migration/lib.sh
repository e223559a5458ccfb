# shellcheck shell=bash
# Shared helpers for the migration scripts. Sourced, never run.
# Must stay bash 3.2 compatible: dump.sh, verify.sh and maintenance.sh run on the CentOS 5
# legacy box (no associative arrays, no mapfile, no ${x,,}).
#
# Database connection, from the environment (never from arguments, so the password never
# shows in `ps`):
#   DB_HOST (localhost) DB_PORT (3306) DB_USER DB_NAME
#   DB_PASSWORD_FILE  file holding the password; /dev/stdin works (read once, at start)
#   DB_SSL_CA         CA bundle: TLS is required and the server certificate verified (Azure)
#   MYSQL, MYSQLDUMP  client binaries (mysql, mysqldump)

MIG_TMP=""

# Seconds since the epoch with milliseconds (GNU date, also on CentOS 5).
now() { date +%s.%N | cut -c1-14; }
# elapsed START: seconds since START (from now), one decimal.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mig_cleanup() {
  if [ -n "$MIG_TMP" ] && [ -d "$MIG_TMP" ]; then rm -rf "$MIG_TMP"; fi
}

# One private temp directory per script run, removed on exit.
mig_tmp_init() {
  umask 077
  MIG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/redmine-mig.XXXXXXXX") || die "cannot create a temp directory"
  trap mig_cleanup EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Option-file escaping: backslash and double quote inside a double-quoted value.
mig_optfile_quote() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# Writes $MIG_TMP/client.cnf ([client] section, mode 600) from DB_*; sets MIG_CNF.
db_init() {
  [ -n "$MIG_TMP" ] || mig_tmp_init
  : "${DB_USER:?DB_USER is required}"
  : "${DB_NAME:?DB_NAME is required}"
  MYSQL=${MYSQL:-mysql}
  MYSQLDUMP=${MYSQLDUMP:-mysqldump}
  command -v "$MYSQL" >/dev/null 2>&1 || die "mysql client '$MYSQL' not found"
  MIG_CNF="$MIG_TMP/client.cnf"
  local password=""
  if [ -n "${DB_PASSWORD_FILE:-}" ]; then
    password=$(cat "$DB_PASSWORD_FILE") || die "cannot read DB_PASSWORD_FILE"
    # stdin can be read once: child scripts get a private copy instead.
    printf '%s' "$password" > "$MIG_TMP/password"
    export DB_PASSWORD_FILE="$MIG_TMP/password"
  fi
  {
    printf '[client]\n'
    printf 'host="%s"\n' "$(mig_optfile_quote "${DB_HOST:-localhost}")"
    printf 'port=%s\n' "${DB_PORT:-3306}"
    printf 'user="%s"\n' "$(mig_optfile_quote "$DB_USER")"
    if [ -n "$password" ]; then printf 'password="%s"\n' "$(mig_optfile_quote "$password")"; fi
    if [ -n "${DB_SSL_CA:-}" ]; then
      [ -r "$DB_SSL_CA" ] || die "DB_SSL_CA $DB_SSL_CA is not readable"
      printf 'ssl-ca="%s"\n' "$(mig_optfile_quote "$DB_SSL_CA")"
    fi
  } > "$MIG_CNF"
  chmod 600 "$MIG_CNF"
}

# db_sql SQL [database]: batch output, tab separated, no column names. The session is UTC
# so TIMESTAMP columns read the same on every server (a plain SET: the 5.1 client has no
# --init-command).
db_sql() {
  local db=${2-$DB_NAME}
  if [ -n "$db" ]; then
    "$MYSQL" --defaults-extra-file="$MIG_CNF" --batch --skip-column-names --default-character-set=utf8 \
      -e "SET time_zone='+00:00'; $1" "$db"
  else
    "$MYSQL" --defaults-extra-file="$MIG_CNF" --batch --skip-column-names --default-character-set=utf8 -e "$1"
  fi
}

# db_client [database]: the client reading SQL from stdin (imports).
db_client() {
  "$MYSQL" --defaults-extra-file="$MIG_CNF" --default-character-set=utf8 "${1-$DB_NAME}"
}

# Backtick-quotes an identifier (pure bash: it runs hundreds of times per manifest).
# shellcheck disable=SC2016 # literal backticks
sql_ident() { printf '`%s`' "${1//\`/\`\`}"; }

# db_batch [--force]: runs the SQL script on stdin (batch output). With --force the client
# goes on after a failing statement, so one bad table does not hide the others.
db_batch() {
  if [ "${1-}" = "--force" ]; then
    "$MYSQL" --defaults-extra-file="$MIG_CNF" --batch --skip-column-names --default-character-set=utf8 --force "$DB_NAME"
  else
    "$MYSQL" --defaults-extra-file="$MIG_CNF" --batch --skip-column-names --default-character-set=utf8 "$DB_NAME"
  fi
}
