load helpers

setup() { setup_root; use_step_files wait-ssh; }

@test "wait-ssh waits for cloud-init and reports ready" {
  run_step wait-ssh
  assert_success
  assert_called '^cloud-init status --wait$'
  [[ $output == *"ready:"* ]]
}

@test "wait-ssh tolerates cloud-init finishing with errors" {
  echo 2 >"$STUB_STATE/cloud-init-status"
  run_step wait-ssh
  assert_success
  [[ $output == *"finished with status 2"* ]]
}

@test "wait-ssh works on images without cloud-init" {
  stubs="$BATS_TEST_TMPDIR/stubs-no-cloud-init"
  mkdir -p "$stubs"
  for f in "$BATS_TEST_DIRNAME"/stubs/*; do [[ $(basename "$f") == cloud-init ]] || ln -s "$f" "$stubs/"; done
  PATH="$stubs:/usr/sbin:/usr/bin:/sbin:/bin"
  if command -v cloud-init >/dev/null; then echo "cloud-init is installed on this machine: cannot test its absence"; return 1; fi
  run_step wait-ssh
  assert_success
  [[ $output == *"no cloud-init"* ]]
}
