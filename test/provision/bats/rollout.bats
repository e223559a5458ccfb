load helpers

setup() {
  setup_root
  make_fake_ruby "$PROVISION_ROOT/opt/rubies/2.2.10"
  mkdir -p "$PROVISION_ROOT/opt/redmine/config" "$PROVISION_ROOT/etc/redmine"
  touch "$PROVISION_ROOT/opt/redmine/config/database.yml"
  echo 2 >"$PROVISION_ROOT/etc/redmine/thin-workers"
}

@test "migrate: runs the migrations and the cache clear as redmine, then the settings" {
  use_step_files migrate
  run_step migrate
  assert_success
  assert_called "^runuser -u redmine -- env RAILS_ENV=production PATH=.* $PROVISION_ROOT/opt/rubies/2.2.10/bin/bundle exec rake db:migrate redmine:plugins:migrate tmp:cache:clear$"
  assert_called "^bundle exec ruby script/rails runner -e production Setting.attachment_max_size = '20480'$"
  assert_called "^bundle exec ruby script/rails runner -e production Setting.mail_from = 'redmine@example.com'$"
}

@test "start: restarts workers one by one, reloads nginx and waits for /healthz" {
  use_step_files start
  touch "$STUB_STATE/active/nginx" 2>/dev/null || { mkdir -p "$STUB_STATE/active"; touch "$STUB_STATE/active/nginx"; }
  run_step start
  assert_success
  [[ $(grep -E '^systemctl (start|restart) redmine-thin@' "$STUB_LOG" | head -2 | tr '\n' '|') == "systemctl start redmine-thin@1.service|systemctl start redmine-thin@2.service|" ]]
  assert_called '^systemctl reload nginx$'
  assert_called '^curl -s -o /dev/null -w %\{http_code\} --max-time 10 http://127.0.0.1:80/healthz$'
  # already running workers are restarted the second time
  run_step start
  assert_success
  assert_called '^systemctl restart redmine-thin@1.service$'
}

@test "start: fails when /healthz never answers 200" {
  use_step_files start
  set_setting HEALTH_TIMEOUT 2
  echo 502 >"$STUB_STATE/http-code"
  run_step start
  assert_failure_with "timed out after 2s waiting for http://127.0.0.1:80/healthz to answer 200"
}

@test "start: without the services step it says so" {
  use_step_files start
  rm "$PROVISION_ROOT/etc/redmine/thin-workers"
  run_step start
  assert_failure_with "the services step must run first"
}
