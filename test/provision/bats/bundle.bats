load helpers

# The create text of a step, as the node's shell receives it, run against the stubs.
setup() { setup_root; }

@test "a step's remote command unpacks the bundle, runs the script with sudo -n and cleans up" {
  run bash "$PROVISION_FIXTURES/commands/wait-ssh.sh" </dev/null
  assert_success
  assert_called '^sudo -n /usr/bin/env PROVISION_FILES=/tmp/redmine-provision-wait-ssh\.[A-Za-z0-9]+/files STEP_NAME=wait-ssh /bin/bash /tmp/redmine-provision-wait-ssh\.[A-Za-z0-9]+/steps/wait-ssh.sh$'
  [[ $output == *"ready:"* ]]
  compgen -G "/tmp/redmine-provision-wait-ssh.*" >/dev/null && { echo "temp dir left behind"; return 1; }
  true
}

@test "a step's remote command passes stdin (the secrets) through to the script" {
  mkdir -p "$STUB_STATE/users"; touch "$STUB_STATE/users/redmine"
  secrets STORAGE_KEY=through-stdin-PLACEHOLDER >"$BATS_TEST_TMPDIR/stdin"
  run bash "$PROVISION_FIXTURES/commands/mount.sh" <"$BATS_TEST_TMPDIR/stdin"
  assert_success
  grep -q 'password=through-stdin-PLACEHOLDER' "$PROVISION_ROOT"/etc/smbcredentials/*.cred
}

@test "a failing step fails the remote command" {
  run bash "$PROVISION_FIXTURES/commands/mount.sh" </dev/null
  assert_failure_with "secret STORAGE_KEY was not given on stdin"
}
