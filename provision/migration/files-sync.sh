#!/usr/bin/env bash
# Copies Redmine's files/ (attachments) onto the Azure Files share with rsync.
#
#   files-sync.sh --mode presync|delta --source SRC --dest DIR [--require-mount] [--rsh CMD] [--rsync-path CMD]
#
# --require-mount  DIR must be a mounted filesystem (the share): an unmounted share would take
#                  the files onto the node's own disk, hidden again once the share mounts.
# presync  bulk copy days ahead while legacy is live: nothing deleted, files that vanish
#          mid-transfer (rsync exit 24) are fine, the delta catches up.
# delta    the final pass under the freeze: --delete, and any error fails.
# -a without owner/group/perms: the CIFS mount sets those (uid/gid/file_mode options).
# Resumable: a cut transfer keeps its partial file in .rsync-partial/ and the next run goes
# on from there (that directory is excluded from the attachments manifest).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

mode="" source="" dest="" rsh="" rsync_path="" require_mount=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    --dest) dest=$2; shift 2 ;;
    --rsh) rsh=$2; shift 2 ;;
    --rsync-path) rsync_path=$2; shift 2 ;;
    --require-mount) require_mount=1; shift ;;
    *) die "usage: files-sync.sh --mode presync|delta --source SRC --dest DIR [--rsh CMD] [--rsync-path CMD]" ;;
  esac
done
case "$mode" in presync|delta) ;; *) die "--mode must be presync or delta" ;; esac
[ -n "$source" ] || die "--source is required"
[ -n "$dest" ] || die "--dest is required"
command -v "${RSYNC:-rsync}" >/dev/null 2>&1 || die "rsync not found (package rsync)"

if [ "$require_mount" -eq 1 ]; then
  mountpoint -q "$dest" || die "$dest is not mounted: the attachments share must be mounted before files are copied (systemctl status the share's mount unit on this node)"
else
  mkdir -p "$dest"
fi
opts=(-a --no-owner --no-group --no-perms --partial --partial-dir=.rsync-partial --modify-window=1 --stats)
if [ "$mode" = "delta" ]; then opts+=(--delete); fi
if [ -n "$rsh" ]; then opts+=(-e "$rsh"); fi
if [ -n "$rsync_path" ]; then opts+=(--rsync-path="$rsync_path"); fi

started=$(date +%s)
log "rsync $mode: $source -> $dest"
status=0
"${RSYNC:-rsync}" "${opts[@]}" "${source%/}/" "${dest%/}/" || status=$?
if [ "$status" -eq 24 ] && [ "$mode" = "presync" ]; then
  log "some files vanished during the pre-sync (legacy is live); the final delta will settle them"
  status=0
fi
[ "$status" -eq 0 ] || die "rsync $mode failed with exit code $status (rerun resumes from .rsync-partial)"
log "rsync $mode finished in $(( $(date +%s) - started )) s"
