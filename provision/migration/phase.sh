#!/usr/bin/env bash
# Runs one cutover phase from the machine that runs Pulumi (DataMigration's local command).
# Streams between the legacy box and web node 1 with the system ssh client: the CentOS 5
# sshd only speaks SHA-1 key exchange, which Go SSH clients refuse.
#
#   phase.sh prepare    pre-sync files/, rehearsal dump -> restore -> verify (legacy stays live)
#   phase.sh freeze     maintenance page on, final dump -> restore -> verify, final files/
#                       delta (--delete) -> files verify, copy of cipher key and secret token
#   phase.sh unfreeze   maintenance page off (back from freeze to prepare)
#
# Secrets come on stdin only, one per line, NAME=base64(value):
#   LEGACY_SSH_KEY TARGET_SSH_KEY LEGACY_DB_PASSWORD TARGET_DB_PASSWORD
# They land in 600 files in a private temp dir removed on exit, reach the remote scripts on
# their stdin, and are never put in arguments, environment or output.
#
# Environment (not secret):
#   LEGACY_SSH_HOST LEGACY_SSH_USER LEGACY_REDMINE_ROOT LEGACY_DB_NAME LEGACY_DB_USER
#   LEGACY_SSH_PORT (22) LEGACY_DB_HOST (localhost) LEGACY_DB_PORT (3306)
#   LEGACY_WORK_DIR (/var/tmp/redmine-migration) LEGACY_HOST_KEY ("ssh-rsa AAAA...": pin it;
#     unset: trust on first use) LEGACY_APACHE_CONF_DIR LEGACY_APACHECTL
#   LEGACY_MAINTENANCE_CHECK_URL (optional, checked from the legacy box after "on")
#   TARGET_SSH_HOST TARGET_SSH_PORT (the LB IP and node 1's NAT port) TARGET_SSH_USER
#   TARGET_DB_HOST TARGET_DB_NAME TARGET_DB_USER TARGET_DB_PORT (3306)
#   TARGET_DB_SSL_CA (/etc/pki/tls/certs/azure-mysql-ca.pem; empty = no TLS, tests only)
#   TARGET_FILES_PATH (the share's mount) TARGET_WORK_DIR (/var/lib/redmine-migration)
#   TARGET_LEGACY_KEYS_FILE (/etc/redmine/legacy-secrets.yml) TARGET_HOST_KEY (optional pin)
#   SSH (ssh) NODE1_SSH (ssh, run on node 1) TUNNEL_PORT (52222)
#   MIGRATION_LOG (.tmp/cutover-<phase>.log): progress, for `tail -f` (Pulumi logs nothing)
#
# files/ goes legacy -> node 1 without putting the legacy key on node 1: node 1's rsync runs
# ssh through a reverse tunnel (-R) of this session back to the legacy host, authenticated by
# the forwarded agent (-A) holding the legacy key.
# shellcheck disable=SC2016 # single-quoted snippets are expanded by the remote shell
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

phase=${1-}
case "$phase" in prepare|freeze|unfreeze) ;; *) die "usage: phase.sh prepare|freeze|unfreeze" ;; esac

need() { local v; for v in "$@"; do [ -n "${!v:-}" ] || die "environment variable $v is required"; done; }
need LEGACY_SSH_HOST LEGACY_SSH_USER LEGACY_REDMINE_ROOT
if [ "$phase" != "unfreeze" ]; then
  need LEGACY_DB_NAME LEGACY_DB_USER TARGET_SSH_HOST TARGET_SSH_PORT TARGET_SSH_USER TARGET_DB_HOST \
    TARGET_DB_NAME TARGET_DB_USER TARGET_FILES_PATH
fi
SSH=${SSH:-ssh}
NODE1_SSH=${NODE1_SSH:-ssh}
LW=${LEGACY_WORK_DIR:-/var/tmp/redmine-migration}
TW=${TARGET_WORK_DIR:-/var/lib/redmine-migration}
TARGET_DB_SSL_CA=${TARGET_DB_SSL_CA-/etc/pki/tls/certs/azure-mysql-ca.pem}
TUNNEL_PORT=${TUNNEL_PORT:-52222}
LOG=${MIGRATION_LOG:-.tmp/cutover-$phase.log}
mkdir -p "$(dirname "$LOG")"
exec > >(tee -a "$LOG") 2> >(tee -a "$LOG" >&2)

mig_tmp_init
T=$MIG_TMP
agent_pid=""
phase_cleanup() {
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; fi
  mig_cleanup
}
trap phase_cleanup EXIT

# --- secrets from stdin -----------------------------------------------------------------
while IFS= read -r line || [ -n "$line" ]; do
  name=${line%%=*}
  case "$name" in
    LEGACY_SSH_KEY|TARGET_SSH_KEY|LEGACY_DB_PASSWORD|TARGET_DB_PASSWORD)
      printf '%s' "${line#*=}" | base64 -d > "$T/$name" || die "stdin: $name is not valid base64" ;;
    "") ;;
    *) die "stdin: unexpected entry '$name'" ;;
  esac
done
have() { [ -s "$T/$1" ] || die "stdin: $1 is missing"; }
have LEGACY_SSH_KEY
if [ "$phase" != "unfreeze" ]; then have TARGET_SSH_KEY; have LEGACY_DB_PASSWORD; have TARGET_DB_PASSWORD; fi
chmod 600 "$T"/*

# --- ssh -----------------------------------------------------------------------------------
: > "$T/known_hosts"
legacy_check=accept-new
if [ -n "${LEGACY_HOST_KEY:-}" ]; then printf 'redmine-legacy %s\n' "$LEGACY_HOST_KEY" >> "$T/known_hosts"; legacy_check=yes; fi
target_check=accept-new
if [ -n "${TARGET_HOST_KEY:-}" ]; then printf 'redmine-node1 %s\n' "$TARGET_HOST_KEY" >> "$T/known_hosts"; target_check=yes; fi
common_opts=(-oBatchMode=yes -oConnectTimeout=30 -oServerAliveInterval=30 -oServerAliveCountMax=10
  -oIdentitiesOnly=yes "-oUserKnownHostsFile=$T/known_hosts")
legacy_opts=(-i "$T/LEGACY_SSH_KEY" -p "${LEGACY_SSH_PORT:-22}" "${common_opts[@]}"
  -oKexAlgorithms=+diffie-hellman-group14-sha1 -oHostKeyAlgorithms=+ssh-rsa -oPubkeyAcceptedAlgorithms=+ssh-rsa
  -oHostKeyAlias=redmine-legacy "-oStrictHostKeyChecking=$legacy_check")
target_opts=(-i "$T/TARGET_SSH_KEY" -p "${TARGET_SSH_PORT:-22}" "${common_opts[@]}"
  -oHostKeyAlias=redmine-node1 "-oStrictHostKeyChecking=$target_check")

# Remote commands run as root (sudo -n when the login user is not root), as one quoted string.
ROOT_WRAPPER='if [ "$(id -u)" -eq 0 ]; then exec "$@"; else exec sudo -n env SSH_AUTH_SOCK="${SSH_AUTH_SOCK:-}" "$@"; fi'
remote_cmd() {
  local out="" a
  for a in bash -c "$ROOT_WRAPPER" as-root "$@"; do out="$out $(printf '%q' "$a")"; done
  printf '%s' "$out"
}
on_legacy() { "$SSH" "${legacy_opts[@]}" "$LEGACY_SSH_USER@$LEGACY_SSH_HOST" "$(remote_cmd "$@")"; }
on_target() { "$SSH" "${target_opts[@]}" "$TARGET_SSH_USER@$TARGET_SSH_HOST" "$(remote_cmd "$@")"; }
# writes stdin to a file on the far side, atomically
to_target_file() { on_target sh -c 'umask 077; mkdir -p "$(dirname "$1")" && cat > "$1.part" && mv "$1.part" "$1"' sh "$1"; }

legacy_db_env=(env "DB_HOST=${LEGACY_DB_HOST:-localhost}" "DB_PORT=${LEGACY_DB_PORT:-3306}" "DB_USER=${LEGACY_DB_USER:-}"
  "DB_NAME=${LEGACY_DB_NAME:-}" DB_PASSWORD_FILE=/dev/stdin)
target_db_env=(env "DB_HOST=${TARGET_DB_HOST:-}" "DB_PORT=${TARGET_DB_PORT:-3306}" "DB_USER=${TARGET_DB_USER:-}"
  "DB_NAME=${TARGET_DB_NAME:-}" "DB_SSL_CA=$TARGET_DB_SSL_CA" DB_PASSWORD_FILE=/dev/stdin)
legacy_files="${LEGACY_REDMINE_ROOT%/}/files"

SUMMARY=""
step() {
  local name=$1 started rc=0
  shift
  started=$(date +%s)
  log "=== $phase: $name"
  # a subshell with errexit: inside "cmd || rc=$?" bash would ignore set -e in the step
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  SUMMARY="$SUMMARY$(printf '%-28s %5ss %s' "$name" "$(( $(date +%s) - started ))" "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)")
"
  if [ "$rc" -ne 0 ]; then
    printf '%s' "$SUMMARY"
    die "$phase failed at step '$name' (exit $rc); rerunning the phase resumes from a clean state"
  fi
}

# --- steps -------------------------------------------------------------------------------
ship_scripts() {
  tar -C "$HERE" -cf - . | on_legacy sh -c 'umask 077; mkdir -p "$1/bin" && tar -C "$1/bin" -xf -' sh "$LW"
  if [ "$phase" != "unfreeze" ]; then
    tar -C "$HERE" -cf - . | on_target sh -c 'umask 077; mkdir -p "$1/bin" && tar -C "$1/bin" -xf -' sh "$TW"
  fi
}

maintenance() {
  on_legacy env "REDMINE_ROOT=$LEGACY_REDMINE_ROOT" "APACHE_CONF_DIR=${LEGACY_APACHE_CONF_DIR:-/etc/httpd/conf.d}" \
    "APACHECTL=${LEGACY_APACHECTL:-apachectl}" "MAINTENANCE_CHECK_URL=${LEGACY_MAINTENANCE_CHECK_URL:-}" \
    bash "$LW/bin/maintenance.sh" "$1"
}

start_agent() {
  local out
  out=$(ssh-agent -s) || die "ssh-agent is needed (package openssh-client)"
  SSH_AUTH_SOCK=$(printf '%s\n' "$out" | sed -n 's/^SSH_AUTH_SOCK=\([^;]*\);.*/\1/p')
  agent_pid=$(printf '%s\n' "$out" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p')
  export SSH_AUTH_SOCK
  ssh-add -q "$T/LEGACY_SSH_KEY" 2>/dev/null || die "the legacy SSH key could not be loaded into ssh-agent"
}

# The real share is a mount point; tests copy into a plain directory (TARGET_FILES_REQUIRE_MOUNT=0).
if [ "${TARGET_FILES_REQUIRE_MOUNT:-1}" = 1 ]; then require_mount=(--require-mount); else require_mount=(); fi

files_sync() {
  to_target_file "$TW/legacy_known_hosts" < "$T/known_hosts"
  local rsh rsync_path=rsync
  rsh="$NODE1_SSH -p $TUNNEL_PORT -oBatchMode=yes -oServerAliveInterval=30 -oKexAlgorithms=+diffie-hellman-group14-sha1"
  rsh="$rsh -oHostKeyAlgorithms=+ssh-rsa -oPubkeyAcceptedKeyTypes=+ssh-rsa -oHostKeyAlias=redmine-legacy"
  rsh="$rsh -oUserKnownHostsFile=$TW/legacy_known_hosts -oStrictHostKeyChecking=yes"
  if [ "$LEGACY_SSH_USER" != "root" ]; then rsync_path="sudo -n rsync"; fi
  "$SSH" -A -R "127.0.0.1:$TUNNEL_PORT:$LEGACY_SSH_HOST:${LEGACY_SSH_PORT:-22}" -oExitOnForwardFailure=yes "${target_opts[@]}" \
    "$TARGET_SSH_USER@$TARGET_SSH_HOST" \
    "$(remote_cmd bash "$TW/bin/files-sync.sh" --mode "$1" --source "$LEGACY_SSH_USER@127.0.0.1:$legacy_files" \
      --dest "$TARGET_FILES_PATH" "${require_mount[@]}" --rsh "$rsh" --rsync-path "$rsync_path")"
}

dump_to_target() { # name [--require-quiescent]
  local name=$1
  shift
  on_legacy "${legacy_db_env[@]}" bash "$LW/bin/dump.sh" --dump - --manifest "$LW/$name.manifest" "$@" \
    < "$T/LEGACY_DB_PASSWORD" | to_target_file "$TW/$name.sql.gz"
  on_legacy cat "$LW/$name.manifest" | to_target_file "$TW/$name.manifest"
}

restore_on_target() {
  on_target "${target_db_env[@]}" bash "$TW/bin/restore.sh" --dump "$TW/$1.sql.gz" --replace-existing < "$T/TARGET_DB_PASSWORD"
}

verify_db() {
  on_target "${target_db_env[@]}" bash "$TW/bin/verify.sh" db --source-manifest "$TW/$1.manifest" \
    --out "$TW/$1.target.manifest" < "$T/TARGET_DB_PASSWORD"
}

verify_files() { # [--report-only]
  # The share must be what is compared: an unmounted share would compare the node's own disk.
  if [ "${#require_mount[@]}" -gt 0 ]; then on_target mountpoint -q "$TARGET_FILES_PATH"; fi
  on_legacy bash "$LW/bin/verify.sh" files-manifest "$legacy_files" --out "$LW/files.manifest"
  on_legacy cat "$LW/files.manifest" | to_target_file "$TW/legacy-files.manifest"
  on_target bash "$TW/bin/verify.sh" files-manifest "$TARGET_FILES_PATH" --out "$TW/share-files.manifest"
  on_target bash "$TW/bin/verify.sh" files-compare "$TW/legacy-files.manifest" "$TW/share-files.manifest" "$@"
}

copy_secrets() {
  local target_file=${TARGET_LEGACY_KEYS_FILE:-/etc/redmine/legacy-secrets.yml}
  on_legacy bash "$LW/bin/secrets-copy.sh" --redmine-root "$LEGACY_REDMINE_ROOT" --out "$LW/legacy-secrets.yml"
  # legacy -> this machine -> node 1 through pipes only; the legacy copy is removed on the way
  on_legacy sh -c 'cat "$1" && rm -f "$1"' sh "$LW/legacy-secrets.yml" |
    on_target sh -c 'umask 077; mkdir -p "$(dirname "$1")" && cat > "$1.part" && chmod 600 "$1.part" && mv "$1.part" "$1"' sh "$target_file"
}

# --- phases ------------------------------------------------------------------------------
log "phase $phase: legacy $LEGACY_SSH_USER@$LEGACY_SSH_HOST, node 1 ${TARGET_SSH_USER:-}@${TARGET_SSH_HOST:-}:${TARGET_SSH_PORT:-}; log $LOG"
if [ "$phase" != "unfreeze" ]; then start_agent; fi
case "$phase" in
  prepare)
    step "ship scripts" ship_scripts
    step "files pre-sync" files_sync presync
    step "rehearsal dump" dump_to_target rehearsal
    step "rehearsal restore" restore_on_target rehearsal
    step "rehearsal verify database" verify_db rehearsal
    step "files check (informational)" verify_files --report-only
    ;;
  freeze)
    step "ship scripts" ship_scripts
    step "maintenance page on" maintenance on
    step "final dump" dump_to_target final --require-quiescent
    step "final restore" restore_on_target final
    step "final verify database" verify_db final
    step "files final delta" files_sync delta
    step "files verify" verify_files
    step "copy cipher key and token" copy_secrets
    ;;
  unfreeze)
    step "ship scripts" ship_scripts
    step "maintenance page off" maintenance off
    ;;
esac
printf '%s' "$SUMMARY"
log "phase $phase complete"
