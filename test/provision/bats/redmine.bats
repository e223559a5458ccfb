load helpers

setup() {
  setup_root
  use_step_files redmine
  source "$PROVISION_FILES/settings.env"
  make_fake_ruby "$PROVISION_ROOT/opt/rubies/2.2.10"
  make_redmine_tarball "$STUB_FIXTURES/$REDMINE_FILE"
  touch "$STUB_STATE/selinux"
}

use_fixture_checksum() { set_setting REDMINE_CHECKSUM "md5:$(md5 "$STUB_FIXTURES/$REDMINE_FILE")"; }

@test "redmine: unpacks the verified tarball, adds Gemfile.local and bundles the gems" {
  [[ $REDMINE_CHECKSUM == md5:20863d6b79c691d67761f33196bd5acb ]]
  use_fixture_checksum
  run_step redmine
  assert_success
  app="$PROVISION_ROOT/opt/redmine"
  [[ $(cat "$app/.redmine-version") == 2.6.10 ]]
  [[ -f $app/public/javascripts/application.js ]]
  grep -q 'gem "thin", "~> 1.7.2"' "$app/Gemfile.local"
  grep -q 'gem "rake", "< 12"' "$app/Gemfile.local"
  grep -q 'BUNDLE_WITHOUT: "development:test:rmagick"' "$app/.bundle/config"
  grep -q 'adapter: mysql2' "$app/config/database.yml"
  assert_called "^curl .* https://www.redmine.org/releases/redmine-2.6.10.tar.gz$"
  assert_called '^bundle install --jobs 2 --retry 3$'
  assert_called "^chown redmine:redmine $app/tmp$"
  assert_called "^restorecon -R $app/public$"
}

@test "redmine: a second run changes nothing" {
  use_fixture_checksum
  run_step redmine
  assert_success
  run_step redmine
  assert_success
  refute_called '^(curl|bundle install|chown|restorecon -R /|restorecon -F)'
  not grep -Ev '^(bundle check|bundle show mysql2|selinuxenabled|restorecon -R -n)' "$STUB_LOG"
}

@test "redmine: a wrong tarball checksum fails clearly and unpacks nothing" {
  run_step redmine
  assert_failure_with "checksum mismatch for https://www.redmine.org/releases/redmine-2.6.10.tar.gz: expected md5:20863d6b79c691d67761f33196bd5acb"
  [[ ! -e $PROVISION_ROOT/opt/redmine/.redmine-version ]]
}

@test "redmine: the real database.yml written by the config step is kept" {
  use_fixture_checksum
  run_step redmine
  assert_success
  echo "# real one" >"$PROVISION_ROOT/opt/redmine/config/database.yml"
  run_step redmine
  assert_success
  [[ $(cat "$PROVISION_ROOT/opt/redmine/config/database.yml") == "# real one" ]]
}

@test "redmine: a bundle with another mysql2 than 0.3.21 fails" {
  use_fixture_checksum
  echo 0.5.6 >"$STUB_STATE/mysql2-version"
  run_step redmine
  assert_failure_with "expected mysql2 0.3.21, bundle has mysql2-0.5.6"
}
