load helpers

setup() {
  setup_root
  use_step_files base
  mkdir -p "$PROVISION_ROOT/etc/yum.repos.d"
  # what the OpenLogic CentOS 7.9 image ships
  cat >"$PROVISION_ROOT/etc/yum.repos.d/CentOS-Base.repo" <<'REPO'
[base]
mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os
REPO
  cat >"$PROVISION_ROOT/etc/yum.repos.d/OpenLogic.repo" <<'REPO'
[openlogic]
name=CentOS-$releasever - openlogic packages for $basearch
baseurl=http://olcentgbl.trafficmanager.net/openlogic/$releasever/openlogic/$basearch/
enabled=1
gpgcheck=0
REPO
  touch "$STUB_STATE/selinux"
  mkdir -p "$STUB_STATE/active"; touch "$STUB_STATE/active/firewalld"
}

@test "base: first run points yum at the vault and the EPEL archive and installs everything" {
  run_step base
  assert_success
  grep -q '^baseurl=http://vault.centos.org/7.9.2009/os/\$basearch/$' "$PROVISION_ROOT/etc/yum.repos.d/CentOS-Base.repo"
  not grep -q "^mirrorlist=" "$PROVISION_ROOT/etc/yum.repos.d/CentOS-Base.repo"
  grep -q '^baseurl=https://archives.fedoraproject.org/pub/archive/epel/7/\$basearch/$' "$PROVISION_ROOT/etc/yum.repos.d/epel.repo"
  [[ $(grep -c '^enabled=0$' "$PROVISION_ROOT/etc/yum.repos.d/OpenLogic.repo") -eq 1 ]]
  not grep -q '^enabled=1' "$PROVISION_ROOT/etc/yum.repos.d/OpenLogic.repo"
  assert_called '^yum clean all$'
  cmp "$PROVISION_FILES/azure-mysql-ca.pem" "$PROVISION_ROOT/etc/pki/tls/certs/azure-mysql-ca.pem"
  assert_called '^yum install -y .*gcc .*openssl-devel .*libyaml-devel .*mariadb-devel .*mariadb .*rsync .*cifs-utils .*chrony .*policycoreutils-python .*nginx$'
  assert_called '^systemctl enable chronyd$'
  assert_called '^systemctl start chronyd$'
  assert_called '^useradd --system --user-group --home-dir /opt/redmine --no-create-home --shell /sbin/nologin redmine$'
  assert_called '^firewall-cmd --permanent --add-service=http$'
  assert_called '^firewall-cmd --permanent --add-service=https$'
  assert_called '^firewall-cmd --reload$'
  assert_called '^semanage fcontext -a -t httpd_sys_content_t /opt/redmine/public\(/\.\*\)\?$'
  assert_called '^semanage fcontext -a -t httpd_var_run_t /var/run/redmine\(/\.\*\)\?$'
  # SELinux stays on: nothing may switch it off
  refute_called '^(setenforce|setsebool .*selinux)'
  not grep -rqs 'SELINUX=disabled\|SELINUX=permissive' "$PROVISION_ROOT/etc/selinux"
}

@test "base: a second run changes nothing" {
  run_step base
  assert_success
  run_step base
  assert_success
  assert_only_read_only_calls
}

@test "base: only missing packages are installed" {
  installed gcc nginx chrony
  run_step base
  assert_success
  refute_called '^yum install .* gcc( |$)'
  refute_called '^yum install .* nginx( |$)'
  assert_called '^yum install -y .*mariadb-devel'
}

@test "base: leaves firewalld alone when it does not run, and SELinux rules when SELinux is off" {
  rm -f "$STUB_STATE/active/firewalld" "$STUB_STATE/selinux"
  run_step base
  assert_success
  refute_called '^firewall-cmd'
  refute_called '^semanage'
}

@test "base: a failing yum fails the step with the log's tail" {
  touch "$STUB_STATE/yum-fails"
  run_step base
  assert_failure_with "yum install failed"
}

@test "base: sets the node clock to the legacy server's zone, once" {
  set_setting TIMEZONE Asia/Tokyo
  run_step base
  assert_success
  assert_called '^timedatectl set-timezone Asia/Tokyo$'
  run_step base
  assert_success
  refute_called '^timedatectl'
}
