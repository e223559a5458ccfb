# Managed by provisioning (provision/templates/redmine/abstract_mysql2_adapter.rb).
# MySQL >= 5.7.3 rejects Rails 3.2's "int(11) DEFAULT NULL auto_increment PRIMARY KEY"
# ("All parts of a PRIMARY KEY must be NOT NULL"); Rails 3.2 never got the fix.
require 'active_record/connection_adapters/mysql2_adapter'

class ActiveRecord::ConnectionAdapters::Mysql2Adapter
  NATIVE_DATABASE_TYPES[:primary_key] = "int(11) auto_increment PRIMARY KEY"
end
