# shellcheck shell=bash disable=SC2154  # status and output are set by bats' run
# Shared set-up for the step tests: a temporary root, stubs in front of PATH, the step's
# rendered files (written by test/provision/bats.spec.ts into $PROVISION_FIXTURES/<step>),
# and helpers to run a step and inspect the calls it made.
REPO="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
STEPS="$REPO/provision/steps"

setup_root() {
  : "${PROVISION_FIXTURES:?run these tests through test/provision/bats.spec.ts}"
  export PROVISION_ROOT="$BATS_TEST_TMPDIR/root"
  export STUB_STATE="$BATS_TEST_TMPDIR/state"
  export STUB_LOG="$BATS_TEST_TMPDIR/calls.log"
  export STUB_FIXTURES="$BATS_TEST_TMPDIR/downloads"
  mkdir -p "$PROVISION_ROOT" "$STUB_STATE" "$STUB_FIXTURES"
  : >"$STUB_LOG"
  export PATH="$BATS_TEST_DIRNAME/stubs:$PATH"
}

# use_step_files STEP: copy the rendered files of STEP so a test may amend its settings.
use_step_files() {
  export PROVISION_FILES="$BATS_TEST_TMPDIR/files-$1"
  rm -rf "$PROVISION_FILES"
  cp -r "$PROVISION_FIXTURES/$1" "$PROVISION_FILES"
}

# set_setting NAME VALUE: later assignments win when settings.env is sourced.
set_setting() { printf "%s='%s'\n" "$1" "$2" >>"$PROVISION_FILES/settings.env"; }

# secrets NAME=VALUE...: stdin lines as the components send them.
secrets() {
  local kv
  for kv in "$@"; do printf '%s=%s\n' "${kv%%=*}" "$(printf '%s' "${kv#*=}" | base64 -w0)"; done
}

# run_step STEP [STDIN_FILE]: run the step script, fresh call log each time.
run_step() {
  : >"$STUB_LOG"
  run bash "$STEPS/$1.sh" <"${2:-/dev/null}"
}

calls() { cat "$STUB_LOG"; }

# assert_called PATTERN: some call matches the extended regex.
assert_called() {
  grep -Eq -- "$1" "$STUB_LOG" || { echo "expected a call matching: $1"; echo "calls were:"; calls; return 1; }
}

refute_called() {
  if grep -Eq -- "$1" "$STUB_LOG"; then echo "unexpected call matching: $1"; grep -E -- "$1" "$STUB_LOG"; return 1; fi
}

# Calls that only read state: allowed on a second run.
READ_ONLY='^(rpm -q|systemctl is-(enabled|active)|getent |selinuxenabled|semanage fcontext -l|restorecon -R -n|firewall-cmd --permanent --query-service|mountpoint |id -nG|cloud-init status)'

# assert_only_read_only_calls: the last run changed nothing.
assert_only_read_only_calls() {
  local writes
  writes=$(grep -Ev -- "$READ_ONLY" "$STUB_LOG" || true)
  [[ -z $writes ]] || { echo "a repeated run made changing calls:"; echo "$writes"; return 1; }
}

assert_success() { [[ $status -eq 0 ]] || { echo "exit $status, output:"; echo "$output"; return 1; }; }

assert_failure_with() {
  [[ $status -ne 0 ]] || { echo "expected a failure, got exit 0; output:"; echo "$output"; return 1; }
  [[ $output == *"$1"* ]] || { echo "expected output to contain: $1"; echo "output:"; echo "$output"; return 1; }
}

# installed PKG...: pretend packages are present.
installed() { mkdir -p "$STUB_STATE/rpm"; local p; for p in "$@"; do touch "$STUB_STATE/rpm/$p"; done; }

# make_fake_ruby PREFIX: stand-ins for ruby, gem and bundle of a built Ruby.
make_fake_ruby() {
  local bin="$1/bin"
  mkdir -p "$bin"
  cat >"$bin/ruby" <<'RUBY'
#!/usr/bin/env bash
printf '%s\n' "ruby $*" >>"$STUB_LOG"
case "$*" in
  "-e print RUBY_VERSION") printf '2.2.10' ;;
  -ropenssl*) exit "$(cat "$STUB_STATE/openssl-broken" 2>/dev/null || echo 0)" ;;
  -v) echo "ruby 2.2.10p489 (2018-03-28 revision 63023) [x86_64-linux]" ;;
  -rsocket*) sock=${*: -1}; n=${sock##*thin.}; n=${n%.sock}; [[ -e $STUB_STATE/active/redmine-thin@$n.service ]] ;;
  *) echo "fake ruby: unexpected $*" >&2; exit 2 ;;
esac
RUBY
  cat >"$bin/gem" <<'GEM'
#!/usr/bin/env bash
printf '%s\n' "gem $*" >>"$STUB_LOG"
case $1 in
  list) [[ -e $STUB_STATE/gem-bundler ]] ;;
  install) touch "$STUB_STATE/gem-bundler" ;;
  *) exit 2 ;;
esac
GEM
  cat >"$bin/bundle" <<'BUNDLE'
#!/usr/bin/env bash
printf '%s\n' "bundle $*" >>"$STUB_LOG"
case $1 in
  check) [[ -e $STUB_STATE/bundle-installed ]] ;;
  install) [[ -f Gemfile.local && -f config/database.yml ]] || { echo "fake bundle: no Gemfile.local/database.yml in $PWD" >&2; exit 1; }; touch "$STUB_STATE/bundle-installed" ;;
  show) [[ -e $STUB_STATE/bundle-installed ]] && echo "$PWD/vendor/bundle/ruby/2.2.0/gems/mysql2-$(cat "$STUB_STATE/mysql2-version" 2>/dev/null || echo 0.3.21)" ;;
  exec) ;;
  *) exit 2 ;;
esac
BUNDLE
  chmod +x "$bin/ruby" "$bin/gem" "$bin/bundle"
}

# make_ruby_build_tarball DEST VERSION: a ruby-build release whose ruby-build "builds" the fakes.
make_ruby_build_tarball() {
  local dest=$1 version=$2
  local src="$BATS_TEST_TMPDIR/rb-src/ruby-build-$version"
  mkdir -p "$src/bin" "$src/share"
  declare -f make_fake_ruby >"$src/share/fake-ruby.bash"
  cat >"$src/bin/ruby-build" <<RB
#!/usr/bin/env bash
if [[ \$1 == --version ]]; then echo "ruby-build $version"; exit 0; fi
printf '%s\n' "ruby-build \$* RUBY_CONFIGURE_OPTS=\$RUBY_CONFIGURE_OPTS" >>"\$STUB_LOG"
[[ -f \$RUBY_BUILD_CACHE_PATH/ruby-\$1.tar.bz2 ]] || { echo "no cached ruby tarball" >&2; exit 1; }
source "\$(dirname "\$0")/../share/ruby-build/fake-ruby.bash"
make_fake_ruby "\$2"
RB
  cat >"$src/install.sh" <<'INSTALL'
#!/usr/bin/env bash
set -e
cd "$(dirname "$0")"
mkdir -p "$PREFIX/bin" "$PREFIX/share/ruby-build"
cp bin/ruby-build "$PREFIX/bin/"
cp share/fake-ruby.bash "$PREFIX/share/ruby-build/"
INSTALL
  chmod +x "$src/bin/ruby-build" "$src/install.sh"
  tar -czf "$dest" -C "$BATS_TEST_TMPDIR/rb-src" "ruby-build-$version"
}

# make_redmine_tarball DEST: the shape of the Redmine release tarball.
make_redmine_tarball() {
  local src="$BATS_TEST_TMPDIR/redmine-src/redmine-2.6.10"
  mkdir -p "$src/config/initializers" "$src/public/javascripts" "$src/files" "$src/log"
  echo 'source "https://rubygems.org"' >"$src/Gemfile"
  echo '// app' >"$src/public/javascripts/application.js"
  tar -czf "$1" -C "$BATS_TEST_TMPDIR/redmine-src" redmine-2.6.10
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }
md5() { md5sum "$1" | cut -d' ' -f1; }

# not CMD...: fails when CMD succeeds (a bare `! cmd` never fails a bats test).
not() {
  if "$@"; then echo "expected this to fail: $*"; return 1; fi
}
