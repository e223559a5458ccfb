load helpers

setup() {
  setup_root
  mkdir -p "$PROVISION_ROOT/opt/redmine/config/initializers"
}

all_secrets() {
  secrets DB_PASSWORD="db-pa'ss-PLACEHOLDER" SECRET_TOKEN=token-PLACEHOLDER-0123456789abcdef0123456789 SMTP_PASSWORD=smtp-PLACEHOLDER >"$BATS_TEST_TMPDIR/stdin"
}

@test "config: writes Redmine's config files and the secrets as root:redmine 0640 files" {
  use_step_files config
  all_secrets
  run_step config "$BATS_TEST_TMPDIR/stdin"
  assert_success
  app="$PROVISION_ROOT/opt/redmine"
  s="$PROVISION_ROOT/etc/redmine/secrets"
  [[ $(cat "$s/db_password") == "db-pa'ss-PLACEHOLDER" ]]
  [[ $(cat "$s/secret_token") == token-PLACEHOLDER-0123456789abcdef0123456789 ]]
  [[ $(cat "$s/smtp_password") == smtp-PLACEHOLDER ]]
  for f in "$s/db_password" "$s/secret_token" "$s/smtp_password" "$app/config/database.yml" "$app/config/configuration.yml"; do
    [[ $(stat -c %a "$f") == 640 ]] || { echo "$f has mode $(stat -c %a "$f")"; return 1; }
    assert_called "^chown root:redmine $(dirname "$f")/\.provision\."
  done
  cmp "$PROVISION_FILES/database.yml" "$app/config/database.yml"
  [[ -f $app/config/initializers/abstract_mysql2_adapter.rb ]]
  [[ -f $app/config/initializers/secret_token.rb ]]
  # no secret in any config file, the call log or the output
  not grep -rq PLACEHOLDER "$app" "$PROVISION_ROOT/etc/pki" "$STUB_LOG"
  [[ $output != *PLACEHOLDER* ]]
}

@test "config: a second run changes nothing" {
  use_step_files config
  all_secrets
  run_step config "$BATS_TEST_TMPDIR/stdin"
  assert_success
  run_step config "$BATS_TEST_TMPDIR/stdin"
  assert_success
  assert_only_read_only_calls
}

@test "config: a rotated password rewrites only its file" {
  use_step_files config
  all_secrets
  run_step config "$BATS_TEST_TMPDIR/stdin"
  secrets DB_PASSWORD=rotated-PLACEHOLDER SECRET_TOKEN=token-PLACEHOLDER-0123456789abcdef0123456789 SMTP_PASSWORD=smtp-PLACEHOLDER >"$BATS_TEST_TMPDIR/stdin2"
  run_step config "$BATS_TEST_TMPDIR/stdin2"
  assert_success
  [[ $output == *"wrote /etc/redmine/secrets/db_password"* ]]
  [[ $(grep -c '^chown' "$STUB_LOG") -eq 1 ]]
}

@test "config: a rotated secret restarts the running workers one by one; a rerun restarts nothing" {
  use_step_files config
  all_secrets
  run_step config "$BATS_TEST_TMPDIR/stdin"
  mkdir -p "$PROVISION_ROOT/etc/redmine" "$STUB_STATE/active"
  echo 2 >"$PROVISION_ROOT/etc/redmine/thin-workers"
  touch "$STUB_STATE/active/redmine-thin@1.service" "$STUB_STATE/active/redmine-thin@2.service"
  export RESTART_PAUSE_SECONDS=0
  run_step config "$BATS_TEST_TMPDIR/stdin"
  assert_success
  refute_called '^systemctl restart'
  secrets DB_PASSWORD=rotated-PLACEHOLDER SECRET_TOKEN=token-PLACEHOLDER-0123456789abcdef0123456789 SMTP_PASSWORD=smtp-PLACEHOLDER >"$BATS_TEST_TMPDIR/stdin-rotated"
  run_step config "$BATS_TEST_TMPDIR/stdin-rotated"
  assert_success
  assert_called '^systemctl restart redmine-thin@1.service$'
  assert_called '^systemctl restart redmine-thin@2.service$'
}

@test "config: a missing secret fails naming it, not printing the others" {
  use_step_files config
  secrets DB_PASSWORD=db-PLACEHOLDER >"$BATS_TEST_TMPDIR/stdin"
  run_step config "$BATS_TEST_TMPDIR/stdin"
  assert_failure_with "secret SECRET_TOKEN was not given on stdin"
  [[ $output != *PLACEHOLDER* ]]
}

@test "config: without Redmine installed it says which step must run first" {
  use_step_files config
  rm -rf "$PROVISION_ROOT/opt/redmine"
  all_secrets
  run_step config "$BATS_TEST_TMPDIR/stdin"
  assert_failure_with "the redmine step must run first"
}
