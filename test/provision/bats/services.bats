load helpers

setup() { setup_root; }

@test "services (node 1): installs thin units, socket dir, logrotate and cron; enables, never starts" {
  use_step_files services-node1
  run_step services
  assert_success
  [[ -f $PROVISION_ROOT/etc/systemd/system/redmine-thin@.service ]]
  [[ -f $PROVISION_ROOT/etc/systemd/system/redmine-thin.target ]]
  [[ -f $PROVISION_ROOT/etc/tmpfiles.d/redmine.conf ]]
  [[ -f $PROVISION_ROOT/etc/logrotate.d/redmine ]]
  [[ -f $PROVISION_ROOT/etc/cron.d/redmine ]]
  [[ $(cat "$PROVISION_ROOT/etc/redmine/thin-workers") == 2 ]]
  assert_called '^systemd-tmpfiles --create /etc/tmpfiles.d/redmine.conf$'
  assert_called '^systemctl daemon-reload$'
  assert_called '^systemctl enable redmine-thin.target$'
  assert_called '^systemctl enable redmine-thin@1.service$'
  assert_called '^systemctl enable redmine-thin@2.service$'
  refute_called '^systemctl (start|restart)'
}

@test "services (node 2): no singleton cron jobs" {
  use_step_files services-node2
  mkdir -p "$PROVISION_ROOT/etc/cron.d"; echo old >"$PROVISION_ROOT/etc/cron.d/redmine"
  run_step services
  assert_success
  [[ ! -e $PROVISION_ROOT/etc/cron.d/redmine ]]
}

@test "services: a second run changes nothing" {
  use_step_files services-node1
  run_step services
  assert_success
  run_step services
  assert_success
  assert_only_read_only_calls
}

@test "services: fewer workers disables the extra ones" {
  use_step_files services-node1
  set_setting THIN_WORKERS 3
  run_step services
  assert_success
  set_setting THIN_WORKERS 1
  run_step services
  assert_success
  assert_called '^systemctl disable --now redmine-thin@2.service$'
  assert_called '^systemctl disable --now redmine-thin@3.service$'
  refute_called '^systemctl (enable|disable).*redmine-thin@1.service'
}
