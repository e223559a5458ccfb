#!/usr/bin/env bash
# Times, on this machine, the compile work that dominates a web node's provisioning, with
# sources Debian's apt can fetch here (the real tarballs are not reachable offline):
#   ruby    - the Ruby 3.1 release tarball built the way ruby-build builds 2.2.10
#             (configure --disable-install-doc, make -jN, make install)
#   libxml2 - the static libxml2 that nokogiri's extconf compiles during `bundle install`
#   libxslt - likewise
# and counts the C lines of each tree (make install of the Debian ruby tarball fails offline:
# Debian strips the bundled gems and install tries to download them; "ok":false says so), so the figures can be scaled to the versions a node
# builds (docs/performance.md explains the scaling). Prints one JSON object per build.
# Usage: tools/deployModel/time-local-builds.sh WORKDIR   (needs deb-src lines; see the doc)
set -euo pipefail

work=${1:?usage: $0 WORKDIR}
jobs=$(nproc)
mkdir -p "$work"
cd "$work"

for pkg in ruby3.1 libxml2 libxslt; do
  ls "${pkg}"_*.orig.tar.* >/dev/null 2>&1 || apt-get source --download-only "$pkg" >/dev/null
done

# c_lines DIR: non-blank lines of C sources and headers.
c_lines() {
  find "$1" -type f \( -name '*.c' -o -name '*.h' -o -name '*.y' \) -print0 | xargs -0 cat | grep -cv '^[[:space:]]*$'
}

# timed NAME DIR CONFIGURE_ARGS...: configure, make -j, make install into a scratch prefix.
# Reports wall seconds and CPU seconds (user+sys of all children) per phase: CPU time does
# not depend on what else the machine runs, so it is what the scaling uses.
timed() {
  local name=$1 dir=$2
  shift 2
  local prefix="$work/prefix-$name" configure make install
  rm -rf "$prefix"
  # shellcheck disable=SC2016 # $1 and $@ belong to the inner bash
  configure=$(phase "$work/$name-configure.log" bash -c 'cd "$1" && shift && ./configure "$@"' _ "$dir" --prefix="$prefix" "$@")
  make=$(phase "$work/$name-make.log" make -C "$dir" -j"$jobs")
  install=$(phase "$work/$name-install.log" make -C "$dir" install)
  printf '{"build":"%s","jobs":%d,"cLines":%d,"configure":%s,"make":%s,"install":%s}\n' \
    "$name" "$jobs" "$(c_lines "$dir")" "$configure" "$make" "$install"
}

# phase LOG COMMAND...: runs it with output to LOG; prints {"wallS":..,"cpuS":..}.
phase() {
  local log=$1
  shift
  local ok=true
  /usr/bin/time -f '%e %U %S' -o "$log.time" "$@" >"$log" 2>&1 || ok=false
  # time(1) puts "Command exited with non-zero status N" before the figures on failure.
  tail -n 1 "$log.time" | awk -v ok="$ok" '{ printf "{\"wallS\":%.1f,\"cpuS\":%.1f,\"ok\":%s}", $1, $2 + $3, ok }'
}

fresh() {
  local tarball=$1 dir=$2
  rm -rf "$dir"
  mkdir "$dir"
  tar -xf "$tarball" -C "$dir" --strip-components=1
}

fresh ruby3.1_*.orig.tar.* ruby-src
timed ruby ruby-src --disable-install-doc
fresh libxml2_*.orig.tar.* libxml2-src
timed libxml2 libxml2-src --disable-shared --enable-static --without-python --with-pic
fresh libxslt_*.orig.tar.* libxslt-src
timed libxslt libxslt-src --disable-shared --enable-static --without-python --without-crypto --with-pic \
  --with-libxml-prefix="$work/prefix-libxml2"
