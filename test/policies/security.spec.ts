import * as assert from "assert";
import {
    commandSecretsNotLogged,
    mysqlPrivateOnly,
    mysqlSecureTransport,
    nicNoPublicIp,
    noPlainTextSecrets,
    nsgRestrictedPorts,
    secretKinds,
    storageNetworkDeny,
    storageNoPublicBlob,
    storageSecureTransport,
    vmSshKeyOnly,
} from "../../policies/security";
import { runResource, UNKNOWN, withValue } from "../support/policyHarness";
import { clean, notApplicable, readsUnknown, violates } from "./expect";
import { dbNsgProps, mysqlProps, nicProps, remoteCommandProps, storageProps, vmProps, webNsgProps } from "./fixtures";

const NSG = "azure-native:network:NetworkSecurityGroup";
const RULE = "azure-native:network:SecurityRule";
const VM = "azure-native:compute:VirtualMachine";
const NIC = "azure-native:network:NetworkInterface";
const MYSQL = "azure-native:dbformysql:Server";
const STORAGE = "azure-native:storage:StorageAccount";
const CONTAINER = "azure-native:storage:BlobContainer";
const REMOTE = "command:remote:Command";
const LOCAL = "command:local:Command";
const COPY = "command:remote:CopyToRemote";

const sshRule = (over: Record<string, unknown>) => ({
    name: "ssh", priority: 120, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22", sourceAddressPrefix: "203.0.113.0/24", ...over,
});

describe("policies/security", () => {
    describe("nsg-no-management-or-db-ports-from-internet", () => {
        it("passes the web NSG (80/443 from Internet, 22 from adminCidrs) and the db NSG (3306 from the web subnet)", async () => {
            clean(await runResource(nsgRestrictedPorts, { type: NSG, props: webNsgProps() }));
            clean(await runResource(nsgRestrictedPorts, { type: NSG, props: dbNsgProps() }));
        });

        for (const [what, over, expected] of [
            ["22 from Internet", { sourceAddressPrefix: "Internet" }, /port\(s\) 22 from Internet/],
            ["22 from * (lowercase 'internet' too)", { sourceAddressPrefix: "*" }, /22 from \*/],
            ["22 from 0.0.0.0/0 in sourceAddressPrefixes", { sourceAddressPrefix: undefined, sourceAddressPrefixes: ["203.0.113.0/24", "0.0.0.0/0"] }, /22 from 0\.0\.0\.0\/0/],
            ["a range 20-25 from ::/0", { sourceAddressPrefix: "::/0", destinationPortRange: "20-25" }, /22 from ::\/0/],
            ["* ports from Internet (22, 3389 and 3306)", { sourceAddressPrefix: "internet", destinationPortRange: "*" }, /22, 3389, 3306 from internet/],
            ["3389 in destinationPortRanges", { sourceAddressPrefix: "Internet", destinationPortRange: undefined, destinationPortRanges: ["443", "3389"] }, /3389 from Internet/],
            ["protocol * from a /4 prefix", { protocol: "*", sourceAddressPrefix: "0.0.0.0/4" }, /22 from 0\.0\.0\.0\/4/],
        ] as const) {
            it(`reports ${what}`, async () => {
                const props = withValue(webNsgProps(), "securityRules.2", sshRule(over));
                violates(await runResource(nsgRestrictedPorts, { type: NSG, props }), expected);
            });
        }

        it("reports 3306 from the Internet on the db NSG", async () => {
            violates(await runResource(nsgRestrictedPorts, { type: NSG, props: withValue(dbNsgProps(), "securityRules.0.sourceAddressPrefix", "Internet") }), /3306 from Internet/);
        });

        it("ignores Deny, Outbound and ICMP rules", async () => {
            for (const over of [{ access: "Deny" }, { direction: "Outbound" }, { protocol: "Icmp" }]) {
                clean(await runResource(nsgRestrictedPorts, { type: NSG, props: withValue(webNsgProps(), "securityRules.2", sshRule({ sourceAddressPrefix: "*", ...over })) }));
            }
        });

        it("checks standalone SecurityRule resources the same way", async () => {
            violates(await runResource(nsgRestrictedPorts, { type: RULE, props: sshRule({ sourceAddressPrefix: "Internet" }) }), /22 from Internet/);
            clean(await runResource(nsgRestrictedPorts, { type: RULE, props: sshRule({}) }));
        });

        it("reads restrictedPorts and minSourcePrefixLength from config", async () => {
            const http = { type: NSG, props: webNsgProps() };
            violates(await runResource(nsgRestrictedPorts, http, { restrictedPorts: [80] }), /80 from Internet/);
            violates(await runResource(nsgRestrictedPorts, { type: RULE, props: sshRule({}) }, { minSourcePrefixLength: 25 }), /22 from 203\.0\.113\.0\/24/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(nsgRestrictedPorts, { type: VM, props: {} }), /NetworkSecurityGroup/));

        it("an unknown source prefix is advisory at preview (adminCidrs come from config, so it should never be)", async () => {
            readsUnknown(await runResource(nsgRestrictedPorts, { type: NSG, props: withValue(webNsgProps(), "securityRules.2.sourceAddressPrefixes", UNKNOWN) }), /sourceAddressPrefixes/);
        });
    });

    describe("vm-ssh-key-only", () => {
        it("passes key-only Linux VMs", async () => clean(await runResource(vmSshKeyOnly, { type: VM, props: vmProps(0) })));

        it("reports password auth, no keys and an admin password", async () => {
            violates(await runResource(vmSshKeyOnly, { type: VM, props: withValue(vmProps(0), "osProfile.linuxConfiguration.disablePasswordAuthentication", false) }), /disablePasswordAuthentication must be true/);
            violates(await runResource(vmSshKeyOnly, { type: VM, props: withValue(vmProps(0), "osProfile.linuxConfiguration.ssh.publicKeys", []) }), /has no key/);
            violates(await runResource(vmSshKeyOnly, { type: VM, props: withValue(vmProps(0), "osProfile.adminPassword", "x") }), /adminPassword is set/);
        });

        it("is not applicable to Windows VMs or other types", async () => {
            notApplicable(await runResource(vmSshKeyOnly, { type: VM, props: withValue(vmProps(0), "osProfile.windowsConfiguration", {}) }), /Windows/);
            notApplicable(await runResource(vmSshKeyOnly, { type: NIC, props: {} }), /VirtualMachine/);
        });

        it("reads key presence, not the (secret, maybe unknown) admin password or key data", async () => {
            clean(await runResource(vmSshKeyOnly, { type: VM, props: withValue(vmProps(0), "osProfile.linuxConfiguration.ssh.publicKeys.0.keyData", UNKNOWN) }));
            violates(await runResource(vmSshKeyOnly, { type: VM, props: withValue(vmProps(0), "osProfile.adminPassword", UNKNOWN) }), /adminPassword is set/);
        });
    });

    describe("nic-no-public-ip", () => {
        it("passes NICs without public IPs (ids unknown, never read)", async () => clean(await runResource(nicNoPublicIp, { type: NIC, props: nicProps(0) })));

        it("reports a NIC public IP even when its id is unknown", async () => {
            violates(await runResource(nicNoPublicIp, { type: NIC, props: withValue(nicProps(0), "ipConfigurations.0.publicIPAddress", { id: UNKNOWN }) }), /"primary" has a public IP/);
        });

        it("reports a VM inline NIC that creates a public IP", async () => {
            const inline = withValue(vmProps(0), "networkProfile", { networkInterfaceConfigurations: [{ name: "nic", ipConfigurations: [{ name: "ip", publicIPAddressConfiguration: { name: "pip" } }] }] });
            violates(await runResource(nicNoPublicIp, { type: VM, props: inline }), /inline NIC "nic" creates a public IP/);
            clean(await runResource(nicNoPublicIp, { type: VM, props: vmProps(0) }));
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(nicNoPublicIp, { type: MYSQL, props: {} }), /NetworkInterface/));

        it("an unknown ipConfigurations list is advisory at preview", async () => {
            readsUnknown(await runResource(nicNoPublicIp, { type: NIC, props: { ipConfigurations: UNKNOWN } }), /ipConfigurations/);
        });
    });

    describe("mysql-private-access-only", () => {
        it("passes publicNetworkAccess Disabled with a delegated subnet whose id is unknown", async () => clean(await runResource(mysqlPrivateOnly, { type: MYSQL, props: mysqlProps() })));

        it("reports public access Enabled or unset, and no delegated subnet", async () => {
            violates(await runResource(mysqlPrivateOnly, { type: MYSQL, props: withValue(mysqlProps(), "network.publicNetworkAccess", "Enabled") }), /"Enabled"/);
            violates(await runResource(mysqlPrivateOnly, { type: MYSQL, props: withValue(mysqlProps(), "network", undefined) }), /unset \(Enabled\)/, /delegatedSubnetResourceId is not set/);
        });

        it("reports any firewall rule", async () => {
            violates(await runResource(mysqlPrivateOnly, { type: "azure-native:dbformysql:FirewallRule", props: { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" } }), /firewall rule/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(mysqlPrivateOnly, { type: STORAGE, props: {} }), /dbformysql:Server/));

        it("an unknown publicNetworkAccess is advisory at preview", async () => {
            readsUnknown(await runResource(mysqlPrivateOnly, { type: MYSQL, props: withValue(mysqlProps(), "network.publicNetworkAccess", UNKNOWN) }), /publicNetworkAccess/);
        });
    });

    describe("mysql-secure-transport", () => {
        const cfg = (configurationName: string, value: unknown) => ({ type: "azure-native:dbformysql:Configuration", props: { configurationName, value, source: "user-override" } });

        it("passes require_secure_transport ON, TLS 1.2 and other parameters", async () => {
            clean(await runResource(mysqlSecureTransport, cfg("require_secure_transport", "ON")));
            clean(await runResource(mysqlSecureTransport, cfg("tls_version", "TLSv1.2,TLSv1.3")));
            clean(await runResource(mysqlSecureTransport, cfg("sql_mode", "NO_ENGINE_SUBSTITUTION")));
        });

        it("reports require_secure_transport OFF (any case) and old TLS versions", async () => {
            violates(await runResource(mysqlSecureTransport, cfg("require_secure_transport", "off")), /is OFF/);
            violates(await runResource(mysqlSecureTransport, cfg("tls_version", "TLSv1,TLSv1.2")), /allows TLSv1;/);
        });

        it("reads allowedTlsVersions from config", async () => {
            violates(await runResource(mysqlSecureTransport, cfg("tls_version", "TLSv1.2"), { allowedTlsVersions: ["TLSv1.3"] }), /allows TLSv1\.2/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(mysqlSecureTransport, { type: MYSQL, props: {} }), /Configuration/));

        it("an unknown value is advisory at preview", async () => {
            readsUnknown(await runResource(mysqlSecureTransport, cfg("require_secure_transport", UNKNOWN)), /value/);
        });
    });

    describe("storage-account-https-tls12", () => {
        it("passes HTTPS only with TLS1_2 (any case)", async () => {
            clean(await runResource(storageSecureTransport, { type: STORAGE, props: storageProps() }));
            clean(await runResource(storageSecureTransport, { type: STORAGE, props: withValue(storageProps(), "minimumTlsVersion", "tls1_2") }));
        });

        it("reports HTTP allowed, TLS 1.0 and an unset minimum", async () => {
            violates(await runResource(storageSecureTransport, { type: STORAGE, props: withValue(storageProps(), "enableHttpsTrafficOnly", false) }), /enableHttpsTrafficOnly is false/);
            violates(await runResource(storageSecureTransport, { type: STORAGE, props: withValue(storageProps(), "minimumTlsVersion", "TLS1_0") }), /"TLS1_0"/);
            violates(await runResource(storageSecureTransport, { type: STORAGE, props: withValue(storageProps(), "minimumTlsVersion", undefined) }), /"unset"/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(storageSecureTransport, { type: CONTAINER, props: {} }), /StorageAccount/));

        it("an unknown TLS version is advisory at preview", async () => {
            readsUnknown(await runResource(storageSecureTransport, { type: STORAGE, props: withValue(storageProps(), "minimumTlsVersion", UNKNOWN) }), /minimumTlsVersion/);
        });
    });

    describe("storage-no-public-blob-access", () => {
        it("passes the account with allowBlobPublicAccess false and a private container", async () => {
            clean(await runResource(storageNoPublicBlob, { type: STORAGE, props: storageProps() }));
            clean(await runResource(storageNoPublicBlob, { type: CONTAINER, props: { publicAccess: "None" } }));
            clean(await runResource(storageNoPublicBlob, { type: CONTAINER, props: {} }));
        });

        it("reports public access allowed or unset, and a public container", async () => {
            violates(await runResource(storageNoPublicBlob, { type: STORAGE, props: withValue(storageProps(), "allowBlobPublicAccess", true) }), /is true/);
            violates(await runResource(storageNoPublicBlob, { type: STORAGE, props: withValue(storageProps(), "allowBlobPublicAccess", undefined) }), /unset/);
            violates(await runResource(storageNoPublicBlob, { type: CONTAINER, props: { publicAccess: "Blob" } }), /"Blob"/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(storageNoPublicBlob, { type: VM, props: {} }), /BlobContainer/));

        it("an unknown flag is advisory at preview", async () => {
            readsUnknown(await runResource(storageNoPublicBlob, { type: STORAGE, props: withValue(storageProps(), "allowBlobPublicAccess", UNKNOWN) }), /allowBlobPublicAccess/);
        });
    });

    describe("storage-account-network-deny-by-default", () => {
        it("passes Deny and reports Allow or no network rules", async () => {
            clean(await runResource(storageNetworkDeny, { type: STORAGE, props: storageProps() }));
            violates(await runResource(storageNetworkDeny, { type: STORAGE, props: withValue(storageProps(), "networkRuleSet.defaultAction", "Allow") }), /"Allow"/);
            violates(await runResource(storageNetworkDeny, { type: STORAGE, props: withValue(storageProps(), "networkRuleSet", undefined) }), /unset \(Allow\)/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(storageNetworkDeny, { type: VM, props: {} }), /StorageAccount/));

        it("never reads the unknown subnet ids; an unknown action is advisory", async () => {
            clean(await runResource(storageNetworkDeny, { type: STORAGE, props: storageProps() }));
            readsUnknown(await runResource(storageNetworkDeny, { type: STORAGE, props: withValue(storageProps(), "networkRuleSet.defaultAction", UNKNOWN) }), /defaultAction/);
        });
    });

    describe("command-secrets-not-logged", () => {
        it("passes a stdin command with logging none, and a plain command that logs", async () => {
            clean(await runResource(commandSecretsNotLogged, { type: REMOTE, props: remoteCommandProps() }));
            clean(await runResource(commandSecretsNotLogged, { type: REMOTE, props: { create: "sudo systemctl restart nginx", logging: "stdoutAndStderr" } }));
        });

        it("reports stdin, a secret-named env var or secret stdout/stderr without logging none", async () => {
            violates(await runResource(commandSecretsNotLogged, { type: REMOTE, props: withValue(remoteCommandProps(), "logging", "stdout") }), /"stdout" but it receives stdin/);
            violates(await runResource(commandSecretsNotLogged, { type: LOCAL, props: { create: "./restore.sh", environment: { MYSQL_PWD: "x" } } }), /unset .* environment has MYSQL_PWD/);
            violates(await runResource(commandSecretsNotLogged, { type: REMOTE, props: { create: "cat /etc/redmine/secret" }, opts: { additionalSecretOutputs: ["stdout"] } }), /stdout are secret outputs/);
        });

        it("is not applicable to CopyToRemote or other types", async () => {
            notApplicable(await runResource(commandSecretsNotLogged, { type: COPY, props: {} }), /command:remote:Command/);
        });

        it("reads only the presence of stdin, so an unknown (secret) stdin still reports", async () => {
            violates(await runResource(commandSecretsNotLogged, { type: REMOTE, props: withValue(withValue(remoteCommandProps(), "stdin", UNKNOWN), "logging", "stderr") }), /receives stdin/);
            readsUnknown(await runResource(commandSecretsNotLogged, { type: REMOTE, props: withValue(remoteCommandProps(), "logging", UNKNOWN) }), /logging/);
        });

        it("still decides at preview when the whole environment is unknown (built from computed addresses)", async () => {
            clean(await runResource(commandSecretsNotLogged, { type: LOCAL, props: { create: "./phase.sh prepare", stdin: UNKNOWN, environment: UNKNOWN, logging: "none" } }));
            violates(await runResource(commandSecretsNotLogged, { type: LOCAL, props: { create: "./phase.sh prepare", stdin: UNKNOWN, environment: UNKNOWN, logging: "stdout" } }), /receives stdin/);
        });
    });

    describe("no-plain-text-secrets", () => {
        it("recognises each secret shape and not its look-alikes", () => {
            for (const text of [
                "echo '-----BEGIN RSA PRIVATE KEY-----' > k",
                "curl -d password=hunter22 https://x",
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abcdefghijklmnopqrstuvwxyz0123456789==",
                "azcopy copy 'https://a.blob.core.windows.net/c?sv=2022&sig=AbCdEfGhIjKlMnOpQrStUv%3D'",
                "mysql -h db -u redmine -pHunter22 redmine < dump.sql",
                "mysqldump -uroot -psecret redmine",
                "export AWS=AKIAIOSFODNN7EXAMPLE",
                "sshpass -p hunter2 ssh host",
            ]) {
                assert.ok(secretKinds(text).length > 0, text);
            }
            for (const text of [
                "mysql --defaults-extra-file=/etc/redmine/my.cnf -h db redmine",
                "mysql -h db -u redmine -p\"$DB_PASSWORD\" redmine",
                "mysql -h db -P 3306 -u redmine redmine",
                "password=$(cat /run/secret)",
                "sed -i 's/^#PasswordAuthentication yes/PasswordAuthentication no/' /etc/ssh/sshd_config",
                "openssl x509 -in ca.pem # -----BEGIN CERTIFICATE-----",
            ]) {
                assert.deepStrictEqual(secretKinds(text), [], text);
            }
        });

        it("passes commands that take secrets on stdin", async () => {
            clean(await runResource(noPlainTextSecrets, { type: REMOTE, props: remoteCommandProps() }));
        });

        it("reports secrets in create, update, delete and environment values, without echoing them", async () => {
            const o = await runResource(noPlainTextSecrets, { type: REMOTE, props: withValue(remoteCommandProps(), "create", "mysql -u root -pHunter22 -e 'select 1'") });
            violates(o, /^create contains what looks like a MySQL password on the command line/);
            assert.ok(!o.violations[0].message.includes("Hunter22"));
            violates(await runResource(noPlainTextSecrets, { type: REMOTE, props: withValue(remoteCommandProps(), "delete", "rm key; echo AccountKey=abcdefghijklmnopqrstuvwxyz0123") }), /^delete contains .* storage account key/);
            violates(await runResource(noPlainTextSecrets, { type: LOCAL, props: { create: "./sync.sh", update: "./sync.sh --password=hunter22" } }), /^update contains .* password assignment/);
            violates(await runResource(noPlainTextSecrets, { type: LOCAL, props: { create: "./x", environment: { CONN: "https://a/c?sig=AbCdEfGhIjKlMnOpQrStUv" } } }), /environment\.CONN contains .* SAS/);
        });

        it("reports a secret-named environment variable whatever its value", async () => {
            violates(await runResource(noPlainTextSecrets, { type: LOCAL, props: { create: "./restore.sh", environment: { DB_PASSWORD: "x" } } }), /environment\.DB_PASSWORD passes a secret/);
        });

        it("scans StringAssets copied to nodes and VM customData", async () => {
            const asset = { "4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17", text: "production:\n  password: hunter22\n" };
            violates(await runResource(noPlainTextSecrets, { type: COPY, props: { source: asset, remotePath: "/tmp/database.yml" } }), /source \(StringAsset\) contains .* password/);
            const data = Buffer.from("#cloud-config\nwrite_files:\n- content: '-----BEGIN OPENSSH PRIVATE KEY-----'\n").toString("base64");
            violates(await runResource(noPlainTextSecrets, { type: VM, props: withValue(vmProps(0), "osProfile.customData", data) }), /customData contains .* PEM private key/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(noPlainTextSecrets, { type: STORAGE, props: {} }), /command:remote:Command/));

        it("skips command text unknown at preview (checked at up) but still checks the rest", async () => {
            clean(await runResource(noPlainTextSecrets, { type: REMOTE, props: withValue(remoteCommandProps(), "create", UNKNOWN) }));
            violates(await runResource(noPlainTextSecrets, { type: REMOTE, props: { create: UNKNOWN, delete: "mysql -pSecret1" } }), /^delete contains/);
        });
    });
});
