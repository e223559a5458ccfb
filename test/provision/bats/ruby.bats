load helpers

setup() {
  setup_root
  use_step_files ruby
  source "$PROVISION_FILES/settings.env"
  make_ruby_build_tarball "$STUB_FIXTURES/v$RUBY_BUILD_VERSION.tar.gz" "$RUBY_BUILD_VERSION"
  printf 'not really ruby\n' >"$STUB_FIXTURES/$RUBY_FILE"
  set_setting RUBY_BUILD_CHECKSUM "sha256:$(sha256 "$STUB_FIXTURES/v$RUBY_BUILD_VERSION.tar.gz")"
  set_setting RUBY_CHECKSUM "sha256:$(sha256 "$STUB_FIXTURES/$RUBY_FILE")"
}

@test "ruby: downloads pinned ruby-build and ruby, builds against the system OpenSSL, installs bundler 1.17.3" {
  run_step ruby
  assert_success
  assert_called "^curl .* https://github.com/rbenv/ruby-build/archive/refs/tags/v$RUBY_BUILD_VERSION.tar.gz$"
  assert_called "^curl .* https://cache.ruby-lang.org/pub/ruby/2.2/ruby-2.2.10.tar.bz2$"
  assert_called "^ruby-build 2.2.10 $PROVISION_ROOT/opt/rubies/2.2.10 RUBY_CONFIGURE_OPTS=.*--with-openssl-dir=/usr"
  assert_called '^gem install bundler -v 1.17.3 --no-document$'
  [[ -x $PROVISION_ROOT/opt/rubies/2.2.10/bin/ruby ]]
  [[ -f $PROVISION_ROOT/var/log/redmine-provision/ruby-build.log ]]
}

@test "ruby: a second run changes nothing" {
  run_step ruby
  assert_success
  run_step ruby
  assert_success
  refute_called '^(curl|ruby-build [0-9]|gem install)'
  # only checks of the installed ruby remain
  not grep -Ev '^(ruby -e print RUBY_VERSION|ruby -ropenssl|ruby -v|gem list -i bundler)' "$STUB_LOG"
}

@test "ruby: a wrong ruby-build checksum stops before anything is installed" {
  set_setting RUBY_BUILD_CHECKSUM "sha256:0000000000000000000000000000000000000000000000000000000000000000"
  run_step ruby
  assert_failure_with "checksum mismatch for https://github.com/rbenv/ruby-build/archive/refs/tags/v$RUBY_BUILD_VERSION.tar.gz"
  [[ ! -e $PROVISION_ROOT/opt/ruby-build ]]
  [[ ! -e $PROVISION_ROOT/opt/rubies ]]
  [[ ! -e $PROVISION_ROOT/var/cache/redmine-provision/ruby-build-v$RUBY_BUILD_VERSION.tar.gz ]]
}

@test "ruby: a wrong ruby tarball checksum stops before the build" {
  set_setting RUBY_CHECKSUM "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  run_step ruby
  assert_failure_with "checksum mismatch for https://cache.ruby-lang.org/pub/ruby/2.2/ruby-2.2.10.tar.bz2"
  refute_called '^ruby-build 2'
}

@test "ruby: a mirror (downloadBaseUrl) is used when configured" {
  use_step_files ruby-mirror
  source "$PROVISION_FILES/settings.env"
  set_setting RUBY_BUILD_CHECKSUM "sha256:$(sha256 "$STUB_FIXTURES/v$RUBY_BUILD_VERSION.tar.gz")"
  cp "$STUB_FIXTURES/v$RUBY_BUILD_VERSION.tar.gz" "$STUB_FIXTURES/$RUBY_BUILD_FILE"
  set_setting RUBY_CHECKSUM "sha256:$(sha256 "$STUB_FIXTURES/$RUBY_FILE")"
  run_step ruby
  assert_success
  assert_called "^curl .* https://mirror.example.net/redmine/$RUBY_BUILD_FILE$"
  assert_called "^curl .* https://mirror.example.net/redmine/ruby-2.2.10.tar.bz2$"
}

@test "ruby: a build without a working openssl extension fails" {
  echo 1 >"$STUB_STATE/openssl-broken"
  run_step ruby
  assert_failure_with "without a working openssl extension"
}
