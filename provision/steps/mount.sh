#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# mount: the Azure Files share at $MOUNT_POINT through a systemd mount unit (SMB 3.0,
# uid/gid redmine). Secret on stdin: STORAGE_KEY, kept in a root-only 0600 credentials file.
set -euo pipefail
STEP_NAME=mount
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings
read_secrets STORAGE_KEY

getent passwd redmine >/dev/null || die "user redmine is missing: the base step must run first"

changed=0
ensure_dir "$R$SMB_CREDENTIALS_DIR" 0700 root:root
update_file <(printf 'username=%s\npassword=%s\n' "$STORAGE_ACCOUNT" "$SECRET_STORAGE_KEY") \
  "$R$SMB_CREDENTIALS_DIR/$STORAGE_ACCOUNT.cred" 0600 root:root && changed=1

unit_src=$(step_file "$MOUNT_UNIT_FILE")
if selinux_enabled; then
  # CIFS has no xattr labels: give the whole mount one context that nginx may also serve.
  update_file <(sed -E 's/^(Options=.*)$/\1,context=system_u:object_r:httpd_sys_rw_content_t:s0/' "$unit_src") \
    "$R/etc/systemd/system/$MOUNT_UNIT_FILE" 0644 && changed=1
else
  update_file "$unit_src" "$R/etc/systemd/system/$MOUNT_UNIT_FILE" 0644 && changed=1
fi

if ((changed)); then
  systemctl daemon-reload
fi
ensure_enabled "$MOUNT_UNIT_FILE"
if mountpoint -q "$R$MOUNT_POINT"; then
  # a new key or new options only apply on a fresh mount
  ((changed)) && systemctl restart "$MOUNT_UNIT_FILE"
else
  systemctl start "$MOUNT_UNIT_FILE" || die "the share did not mount: see journalctl -u '$MOUNT_UNIT_FILE'"
fi
mountpoint -q "$R$MOUNT_POINT" || die "$MOUNT_POINT is not a mount point after starting $MOUNT_UNIT_FILE"
echo "share mounted at $MOUNT_POINT"
