load helpers

setup() {
  setup_root
  use_step_files backup
  secrets DB_PASSWORD=db-PLACEHOLDER-pw BACKUP_SAS='sv=2022-11-02&sr=c&sp=cw&sig=PLACEHOLDERSIG' >"$BATS_TEST_TMPDIR/stdin"
}

@test "backup: installs the scripts, a secret-free env file, 600 secret files and the cron entry" {
  run_step backup "$BATS_TEST_TMPDIR/stdin"
  assert_success
  for s in lib.sh dump.sh restore.sh verify.sh nightly-backup.sh restore-backup.sh; do
    [[ -x $PROVISION_ROOT/opt/redmine-migration/$s ]]
  done
  env="$PROVISION_ROOT/etc/redmine/nightly-backup.env"
  [[ $(stat -c %a "$env") == 600 ]]
  grep -q '^DB_HOST=redmine-test.mysql.database.azure.com$' "$env"
  grep -q '^BACKUP_CONTAINER_URL=https://redminetest.blob.core.windows.net/db-dumps$' "$env"
  not grep -q PLACEHOLDER "$env"
  [[ $(stat -c %a "$PROVISION_ROOT/etc/redmine/backup.sas") == 600 ]]
  [[ $(cat "$PROVISION_ROOT/etc/redmine/backup.sas") == 'sv=2022-11-02&sr=c&sp=cw&sig=PLACEHOLDERSIG' ]]
  [[ $(cat "$PROVISION_ROOT/etc/redmine/backup-db.password") == db-PLACEHOLDER-pw ]]
  grep -q '^30 17 \* \* \* root /opt/redmine-migration/nightly-backup.sh --config /etc/redmine/nightly-backup.env' "$PROVISION_ROOT/etc/cron.d/redmine-nightly-backup"
  [[ $output != *PLACEHOLDER* ]]
}

@test "backup: a second run changes nothing" {
  run_step backup "$BATS_TEST_TMPDIR/stdin"
  assert_success
  before=$(find "$PROVISION_ROOT" -type f -printf '%p %T@\n' | sort)
  run_step backup "$BATS_TEST_TMPDIR/stdin"
  assert_success
  assert_only_read_only_calls
  [[ $(find "$PROVISION_ROOT" -type f -printf '%p %T@\n' | sort) == "$before" ]]
}

@test "backup: a rotated SAS replaces only the SAS file" {
  run_step backup "$BATS_TEST_TMPDIR/stdin"
  secrets DB_PASSWORD=db-PLACEHOLDER-pw BACKUP_SAS='sv=2022-11-02&sr=c&sp=cw&sig=ROTATED' >"$BATS_TEST_TMPDIR/stdin2"
  run_step backup "$BATS_TEST_TMPDIR/stdin2"
  assert_success
  [[ $(cat "$PROVISION_ROOT/etc/redmine/backup.sas") == *ROTATED ]]
}

@test "backup: a missing secret fails naming it" {
  secrets DB_PASSWORD=db-PLACEHOLDER-pw >"$BATS_TEST_TMPDIR/stdin3"
  run_step backup "$BATS_TEST_TMPDIR/stdin3"
  assert_failure_with "secret BACKUP_SAS was not given on stdin"
  [[ ! -e $PROVISION_ROOT/etc/redmine/backup.sas ]]
}
