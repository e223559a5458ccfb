#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# base: yum repos on the CentOS 7 vault and the EPEL archive, every package later steps
# need, time sync, the redmine system user, firewalld and SELinux settings.
# The only step that calls yum, so parallel steps never fight over its lock.
set -euo pipefail
STEP_NAME=base
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
load_settings

# --- repos ---------------------------------------------------------------------------
repos_changed=0
update_file "$(step_file CentOS-Base.repo)" "$R/etc/yum.repos.d/CentOS-Base.repo" 0644 && repos_changed=1
update_file "$(step_file epel.repo)" "$R/etc/yum.repos.d/epel.repo" 0644 && repos_changed=1
# The Azure OpenLogic images add their own mirror (olcentgbl.trafficmanager.net), which
# served 404s and bad checksums even before EOL.
for f in "$R"/etc/yum.repos.d/OpenLogic*.repo; do
  [[ -f $f ]] || continue
  # every section gets exactly one enabled=0
  update_file <(awk '/^[[:space:]]*enabled[[:space:]]*=/ { next } { print } /^[[:space:]]*\[.*\]/ { print "enabled=0" }' "$f") \
    "$f" 0644 && repos_changed=1
done
if ((repos_changed)); then
  yum clean all >/dev/null
fi

# --- packages ------------------------------------------------------------------------
# Ruby 2.2 build deps (system OpenSSL 1.0.2k), mysql2 against the MariaDB 5.5 client
# headers (never MySQL 8 headers: mysql2 0.3 does not build with them), eventmachine
# (gcc-c++), the CIFS client, SELinux tooling, nginx from EPEL, and the mysql client and
# rsync that the data migration and the nightly dump run on node 1.
ensure_packages \
  gcc gcc-c++ make patch bzip2 tar gzip autoconf \
  openssl-devel readline-devel zlib-devel libyaml-devel libffi-devel gdbm-devel ncurses-devel \
  mariadb-devel mariadb rsync cifs-utils chrony logrotate cronie curl ca-certificates \
  policycoreutils policycoreutils-python \
  nginx

# --- TLS to Azure MySQL ----------------------------------------------------------------
# The CA bundle database.yml, the data migration and the nightly dump verify the server with.
update_file "$(step_file azure-mysql-ca.pem)" "$R$MYSQL_CA_BUNDLE" 0644 || true

# --- time ----------------------------------------------------------------------------
# Redmine 2.6 writes local times into the database, so the clock's zone must be the legacy
# server's: the imported rows and the new ones then mean the same hour.
if [[ -n ${TIMEZONE:-} && $(readlink "$R/etc/localtime" 2>/dev/null) != */zoneinfo/$TIMEZONE ]]; then
  timedatectl set-timezone "$TIMEZONE"
fi
ensure_enabled chronyd
systemctl is-active --quiet chronyd || systemctl start chronyd

# --- redmine user --------------------------------------------------------------------
if ! getent passwd redmine >/dev/null; then
  useradd --system --user-group --home-dir "$REDMINE_DIR" --no-create-home --shell /sbin/nologin redmine
  log "created system user redmine"
fi

# --- firewalld (only when the image runs it) -----------------------------------------
if systemctl is-active --quiet firewalld; then
  fw_changed=0
  for service in http https; do
    if ! firewall-cmd --permanent --query-service="$service" >/dev/null; then
      firewall-cmd --permanent --add-service="$service" >/dev/null
      fw_changed=1
    fi
  done
  if ((fw_changed)); then
    firewall-cmd --reload >/dev/null
    log "firewalld: opened http and https"
  fi
fi

# --- SELinux: stays enforcing; label what nginx reads instead --------------------------
if selinux_enabled; then
  # ensure_fcontext TYPE SPEC: add a local file-context rule once.
  ensure_fcontext() {
    if ! semanage fcontext -l -C | awk -v spec="$2" '$1 == spec { found = 1 } END { exit !found }'; then
      semanage fcontext -a -t "$1" "$2"
      log "SELinux: $2 -> $1"
    fi
  }
  # nginx (httpd_t) serves Redmine's public/ directly.
  ensure_fcontext httpd_sys_content_t "$REDMINE_DIR/public(/.*)?"
  # nginx connects to the thin sockets. The rule is written for /var/run: RHEL 7 maps /run
  # onto /var/run and refuses rules on the /run spelling.
  ensure_fcontext httpd_var_run_t "/var/run/${SOCKET_DIR#/run/}(/.*)?"
  restore_context_tree "$R$REDMINE_DIR/public"
  restore_context_tree "$R$SOCKET_DIR"
fi
echo "base ready"
