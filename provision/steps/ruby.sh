#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# ruby: Ruby 2.2.10 built by a pinned ruby-build release into $RUBY_PREFIX against the
# system OpenSSL 1.0.2k (Ruby 2.2 does not build with OpenSSL >= 1.1), then bundler 1.17.3
# (the last bundler for Ruby 2.2). Both tarballs are checksum-verified; the build log goes
# to $PROVISION_LOG_DIR/ruby-build.log, not to Pulumi's output.
set -euo pipefail
STEP_NAME=ruby
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

cache="$R$PROVISION_CACHE_DIR"
ruby="$R$RUBY_PREFIX/bin/ruby"
gem="$R$RUBY_PREFIX/bin/gem"

ruby_ok() {
  [[ -x $ruby ]] || return 1
  [[ $("$ruby" -e 'print RUBY_VERSION') == "$RUBY_VERSION" ]] || return 1
  # the openssl extension is silently skipped when it cannot build: check it loaded
  "$ruby" -ropenssl -e 'exit(OpenSSL::OPENSSL_VERSION.start_with?("OpenSSL 1.0.") ? 0 : 1)'
}

if ruby_ok; then
  log "ruby $RUBY_VERSION already in $RUBY_PREFIX"
else
  # ruby-build itself, pinned to a release tarball
  rb_prefix="$R$RUBY_BUILD_PREFIX"
  if [[ $("$rb_prefix/bin/ruby-build" --version 2>/dev/null || true) != "ruby-build $RUBY_BUILD_VERSION" ]]; then
    fetch_verified "$RUBY_BUILD_URL" "$cache/$RUBY_BUILD_FILE" "$RUBY_BUILD_CHECKSUM"
    work=$(mktemp -d)
    tar -xzf "$cache/$RUBY_BUILD_FILE" -C "$work"
    PREFIX="$rb_prefix" "$work/ruby-build-$RUBY_BUILD_VERSION/install.sh"
    rm -rf "$work"
  fi
  # ruby-build takes the ruby tarball from its cache when present (and checks its sha256
  # again), so a mirror (downloadBaseUrl) works without patching the definition.
  fetch_verified "$RUBY_URL" "$cache/$RUBY_FILE" "$RUBY_CHECKSUM"
  log "building ruby $RUBY_VERSION (several minutes; log: $PROVISION_LOG_DIR/ruby-build.log)"
  if ! RUBY_BUILD_CACHE_PATH="$cache" \
    RUBY_CONFIGURE_OPTS="--disable-install-doc --with-openssl-dir=/usr" \
    MAKE_OPTS="-j$(nproc)" \
    "$rb_prefix/bin/ruby-build" "$RUBY_VERSION" "$R$RUBY_PREFIX" >"$R$PROVISION_LOG_DIR/ruby-build.log" 2>&1; then
    tail -n 40 "$R$PROVISION_LOG_DIR/ruby-build.log" >&2
    die "ruby-build $RUBY_VERSION failed (log: $PROVISION_LOG_DIR/ruby-build.log)"
  fi
  ruby_ok || die "ruby $RUBY_VERSION was built without a working openssl extension"
fi

if ! "$gem" list -i bundler -v "$BUNDLER_VERSION" >/dev/null; then
  "$gem" install bundler -v "$BUNDLER_VERSION" --no-document >>"$R$PROVISION_LOG_DIR/ruby-build.log" 2>&1 \
    || { tail -n 20 "$R$PROVISION_LOG_DIR/ruby-build.log" >&2; die "gem install bundler $BUNDLER_VERSION failed"; }
  log "installed bundler $BUNDLER_VERSION"
fi
echo "ruby ready: $("$ruby" -v)"
