load helpers

setup() {
  setup_root
  installed nginx
}

@test "nginx (no TLS): installs the configs, checks them and starts nginx" {
  use_step_files nginx
  run_step nginx
  assert_success
  cmp "$PROVISION_FILES/nginx.conf" "$PROVISION_ROOT/etc/nginx/nginx.conf"
  cmp "$PROVISION_FILES/redmine.conf" "$PROVISION_ROOT/etc/nginx/conf.d/redmine.conf"
  [[ ! -e $PROVISION_ROOT/etc/nginx/tls/redmine.key ]]
  assert_called '^usermod -a -G redmine nginx$'
  assert_called '^nginx -t -q$'
  assert_called '^systemctl enable nginx$'
  assert_called '^systemctl start nginx$'
}

@test "nginx: a second run changes nothing" {
  use_step_files nginx
  run_step nginx
  assert_success
  run_step nginx
  assert_success
  assert_only_read_only_calls
}

@test "nginx (TLS): writes the certificate 0644 and the key 0600 from stdin" {
  use_step_files nginx-tls
  secrets TLS_CERTIFICATE="-----BEGIN CERTIFICATE-----
CERT-PLACEHOLDER
-----END CERTIFICATE-----" TLS_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----
KEY-PLACEHOLDER
-----END PRIVATE KEY-----" >"$BATS_TEST_TMPDIR/stdin"
  run_step nginx "$BATS_TEST_TMPDIR/stdin"
  assert_success
  [[ $(stat -c %a "$PROVISION_ROOT/etc/nginx/tls/redmine.key") == 600 ]]
  [[ $(stat -c %a "$PROVISION_ROOT/etc/nginx/tls/redmine.crt") == 644 ]]
  grep -q KEY-PLACEHOLDER "$PROVISION_ROOT/etc/nginx/tls/redmine.key"
  [[ $output != *PLACEHOLDER* ]]
  not grep -q PLACEHOLDER "$STUB_LOG"
  # a config change on a running nginx reloads it
  touch "$STUB_STATE/active/nginx"
  printf '# changed\n' >>"$PROVISION_FILES/redmine.conf"
  run_step nginx "$BATS_TEST_TMPDIR/stdin"
  assert_success
  assert_called '^systemctl reload nginx$'
}

@test "nginx (TLS): refuses to run without the key on stdin" {
  use_step_files nginx-tls
  secrets TLS_CERTIFICATE=cert >"$BATS_TEST_TMPDIR/stdin"
  run_step nginx "$BATS_TEST_TMPDIR/stdin"
  assert_failure_with "secret TLS_PRIVATE_KEY was not given on stdin"
}

@test "nginx: a configuration nginx rejects fails the step" {
  use_step_files nginx
  touch "$STUB_STATE/nginx-rejects"
  run_step nginx
  assert_failure_with "nginx rejected the new configuration"
  refute_called '^systemctl (start|reload|restart) nginx'
}
