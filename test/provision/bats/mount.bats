load helpers

setup() {
  setup_root
  use_step_files mount
  source "$PROVISION_FILES/settings.env"
  UNIT_RE=${MOUNT_UNIT_FILE//\\/\\\\}
  mkdir -p "$STUB_STATE/users"; touch "$STUB_STATE/users/redmine"
  secrets STORAGE_KEY=storage-key-PLACEHOLDER== >"$BATS_TEST_TMPDIR/stdin"
}

@test "mount: writes a 0600 credentials file and a mount unit, then mounts through systemd" {
  run_step mount "$BATS_TEST_TMPDIR/stdin"
  assert_success
  cred="$PROVISION_ROOT/etc/smbcredentials/$STORAGE_ACCOUNT.cred"
  [[ $(stat -c %a "$cred") == 600 ]]
  [[ $(cat "$cred") == "username=$STORAGE_ACCOUNT"$'\n'"password=storage-key-PLACEHOLDER==" ]]
  unit="$PROVISION_ROOT/etc/systemd/system/$MOUNT_UNIT_FILE"
  grep -q "^What=//$STORAGE_ACCOUNT.file.core.windows.net/" "$unit"
  grep -q '^Options=vers=3.0,credentials=/etc/smbcredentials/.*uid=redmine,gid=redmine.*nofail,_netdev$' "$unit"
  assert_called '^systemctl daemon-reload$'
  assert_called "^systemctl enable $UNIT_RE$"
  assert_called "^systemctl start $UNIT_RE$"
  refute_called '^mount '
  not grep -q PLACEHOLDER "$STUB_LOG"
  [[ $output != *PLACEHOLDER* ]]
}

@test "mount: a second run changes nothing" {
  run_step mount "$BATS_TEST_TMPDIR/stdin"
  assert_success
  run_step mount "$BATS_TEST_TMPDIR/stdin"
  assert_success
  assert_only_read_only_calls
}

@test "mount: with SELinux on, the mount gets a context nginx may read" {
  touch "$STUB_STATE/selinux"
  run_step mount "$BATS_TEST_TMPDIR/stdin"
  assert_success
  grep -q '^Options=.*,context=system_u:object_r:httpd_sys_rw_content_t:s0$' "$PROVISION_ROOT/etc/systemd/system/$MOUNT_UNIT_FILE"
}

@test "mount: a rotated storage key remounts the share" {
  run_step mount "$BATS_TEST_TMPDIR/stdin"
  secrets STORAGE_KEY=rotated-PLACEHOLDER >"$BATS_TEST_TMPDIR/stdin2"
  run_step mount "$BATS_TEST_TMPDIR/stdin2"
  assert_success
  assert_called "^systemctl restart $UNIT_RE$"
}

@test "mount: a share that does not mount fails the step" {
  touch "$STUB_STATE/mount-fails"
  run_step mount "$BATS_TEST_TMPDIR/stdin"
  assert_failure_with "the share did not mount"
}
