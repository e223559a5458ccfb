#!/usr/bin/env bash
# Helpers shared by the provisioning steps (provision/steps/*.sh). Sourced, never run.
#
# Conventions every step follows:
# - every path the step writes is "$R/<absolute path>", where R=$PROVISION_ROOT (empty on a
#   real node), so tests can run a step inside a temporary root;
# - every command comes from PATH, so tests can put stubs in front of the real tools;
# - a second run changes nothing: files are rewritten only when their content differs and
#   services are touched only when something they read changed;
# - secrets arrive on stdin as NAME=base64 lines (read_secrets) and are never echoed.

R="${PROVISION_ROOT:-}"
STEP_NAME="${STEP_NAME:-provision}"
PROVISION_LOG_DIR="${PROVISION_LOG_DIR:-/var/log/redmine-provision}"
PROVISION_CACHE_DIR="${PROVISION_CACHE_DIR:-/var/cache/redmine-provision}"

log() { printf '[%s] %s\n' "$STEP_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$STEP_NAME" "$*" >&2; exit 1; }

# load_settings: source the step's non-secret settings, rendered by provision/render.ts.
load_settings() {
  local f="${PROVISION_FILES:?PROVISION_FILES must name the directory of the step files}/settings.env"
  [[ -r $f ]] || die "missing settings file $f"
  # shellcheck source=/dev/null
  source "$f"
}

# step_file NAME: path of a rendered file shipped with the step.
step_file() {
  local f="$PROVISION_FILES/$1"
  [[ -r $f ]] || die "missing step file $1"
  printf '%s' "$f"
}

# read_secrets REQUIRED...: read NAME=base64 lines from stdin into SECRET_<NAME> shell
# variables (not exported). Fails naming a missing secret, never printing a value.
read_secrets() {
  local line name encoded decoded
  if [[ ! -t 0 ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      [[ -z $line ]] && continue
      name=${line%%=*}
      encoded=${line#*=}
      [[ $name =~ ^[A-Z][A-Z0-9_]*$ && $line == *=* ]] || die "malformed secret line on stdin (expected NAME=base64)"
      decoded=$(printf '%s' "$encoded" | base64 -d 2>/dev/null) || die "secret $name is not valid base64"
      printf -v "SECRET_$name" '%s' "$decoded"
    done
  fi
  for name in "$@"; do
    local var="SECRET_$name"
    [[ -n ${!var:-} ]] || die "secret $name was not given on stdin"
  done
}

# update_file SRC|- DEST MODE [OWNER:GROUP]: install SRC (or stdin) at DEST when its content
# or mode differs. Returns 0 when it wrote the file, 1 when DEST was already up to date.
update_file() {
  local src=$1 dest=$2 mode=$3 owner=${4:-root:root} dir tmp
  dir=$(dirname "$dest")
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.provision.XXXXXX")
  if [[ $src == - ]]; then cat >"$tmp"; else cat "$src" >"$tmp"; fi
  if [[ -f $dest ]] && cmp -s "$tmp" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then
    rm -f "$tmp"
    return 1
  fi
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  mv -f "$tmp" "$dest"
  restore_context "$dest"
  log "wrote ${dest#"$R"}"
  return 0
}

# remove_file DEST: delete DEST if present. Returns 0 when it removed something.
remove_file() {
  if [[ -e $1 || -L $1 ]]; then
    rm -f "$1"
    log "removed ${1#"$R"}"
    return 0
  fi
  return 1
}

# ensure_dir PATH MODE OWNER:GROUP: create the directory with owner and mode when missing.
ensure_dir() {
  local path=$1 mode=$2 owner=$3
  [[ -d $path ]] && return 0
  mkdir -p "$path"
  chmod "$mode" "$path"
  chown "$owner" "$path"
  restore_context "$path"
}

selinux_enabled() { command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; }

# restore_context PATH: apply the SELinux file context policy to PATH (no-op without SELinux).
restore_context() {
  selinux_enabled || return 0
  restorecon -F "$1"
}

# restore_context_tree PATH: relabel a tree, but only when a dry run shows a difference.
restore_context_tree() {
  selinux_enabled || return 0
  [[ -e $1 ]] || return 0
  if [[ -n $(restorecon -R -n -v "$1") ]]; then
    restorecon -R "$1"
  fi
}

# ensure_packages PKG...: yum install only the packages rpm does not report as installed.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    rpm -q --quiet "$p" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    yum install -y "${missing[@]}" >>"$R$PROVISION_LOG_DIR/yum.log" 2>&1 \
      || { tail -n 40 "$R$PROVISION_LOG_DIR/yum.log" >&2; die "yum install failed (log: $PROVISION_LOG_DIR/yum.log)"; }
  fi
}

# ensure_enabled UNIT...: systemctl enable units that are not enabled yet.
ensure_enabled() {
  local u
  for u in "$@"; do
    systemctl is-enabled --quiet "$u" || systemctl enable "$u"
  done
}

# sha256_of FILE / md5_of FILE
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
md5_of() { md5sum "$1" | cut -d' ' -f1; }

# checksum_matches FILE ALGO:HEX
checksum_matches() {
  local file=$1 algo=${2%%:*} want=${2#*:}
  case $algo in
    sha256) [[ $(sha256_of "$file") == "$want" ]] ;;
    md5) [[ $(md5_of "$file") == "$want" ]] ;;
    *) die "unsupported checksum algorithm '$algo' (use sha256:<hex> or md5:<hex>)" ;;
  esac
}

# fetch_verified URL DEST ALGO:HEX: download URL to DEST unless DEST already has the
# expected checksum; a download with another checksum is deleted and the step fails.
fetch_verified() {
  local url=$1 dest=$2 checksum=$3 got
  if [[ -f $dest ]] && checksum_matches "$dest" "$checksum"; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  log "downloading $url"
  curl -fsSL --retry 3 --connect-timeout 20 -o "$dest.part" "$url" || { rm -f "$dest.part"; die "download failed: $url"; }
  if ! checksum_matches "$dest.part" "$checksum"; then
    case ${checksum%%:*} in
      md5) got=$(md5_of "$dest.part") ;;
      *) got=$(sha256_of "$dest.part") ;;
    esac
    rm -f "$dest.part"
    die "checksum mismatch for $url: expected ${checksum}, got ${checksum%%:*}:${got}"
  fi
  mv -f "$dest.part" "$dest"
}

# Every step logs to a file on the node; Pulumi keeps only a short stdout.
mkdir -p "$R$PROVISION_LOG_DIR"
