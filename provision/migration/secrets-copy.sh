#!/usr/bin/env bash
# Reads the two secrets the 2.6 nodes must share with the legacy Redmine, when present:
#   database_cipher_key (config/configuration.yml; encrypts SCM/LDAP passwords in the DB)
#   the secret token (config/initializers/secret_token.rb; keeps sessions valid)
# and writes them into a mode-600 file. Values never go to stdout or stderr.
#
#   secrets-copy.sh --redmine-root DIR --out FILE
#
# Output (YAML, double-quoted values): database_cipher_key: "..." / secret_token: "..."
# configuration.yml is read the way Redmine reads it (production overrides default), with
# the legacy box's own Ruby.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provision/migration/lib.sh
. "$HERE/lib.sh"

root="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --redmine-root) root=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) die "usage: secrets-copy.sh --redmine-root DIR --out FILE" ;;
  esac
done
[ -n "$root" ] || die "--redmine-root is required"
[ -n "$out" ] || die "--out is required"
[ -d "$root/config" ] || die "$root/config does not exist"
umask 077

yaml_quote() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

cipher=""
if [ -f "$root/config/configuration.yml" ]; then
  command -v "${RUBY:-ruby}" >/dev/null 2>&1 || die "ruby is needed to read configuration.yml"
  cipher=$("${RUBY:-ruby}" -ryaml -e '
    c = YAML.load_file(ARGV[0]) || {}
    v = (c["production"] || {})["database_cipher_key"]
    v = (c["default"] || {})["database_cipher_key"] if v.nil? || v.to_s.empty?
    print v.to_s' "$root/config/configuration.yml")
fi
token=""
if [ -f "$root/config/initializers/secret_token.rb" ]; then
  token=$(sed -n "s/^[^#]*secret_token *= *['\"]\\([^'\"]*\\)['\"].*/\\1/p" "$root/config/initializers/secret_token.rb" | head -n 1)
fi

mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
{
  printf '# Copied from the legacy Redmine by secrets-copy.sh. Keep mode 600.\n'
  if [ -n "$cipher" ]; then printf 'database_cipher_key: %s\n' "$(yaml_quote "$cipher")"; fi
  if [ -n "$token" ]; then printf 'secret_token: %s\n' "$(yaml_quote "$token")"; fi
} > "$tmp"
chmod 600 "$tmp"
mv "$tmp" "$out"
log "database_cipher_key: $([ -n "$cipher" ] && echo present || echo absent); secret token: $([ -n "$token" ] && echo present || echo absent)"
