# Managed by provisioning (provision/templates/redmine/secret_token.rb).
# Every node of the cluster must use the same token (see Redmine's generate_secret_token);
# it is read from a root:redmine 0640 file written from the Pulumi secret.
RedmineApp::Application.config.secret_token = File.read('{{secretTokenFile}}').chomp
