/**
 * The policy pack against the program itself, through the engine's Analyzer protocol: both
 * stacks pass, then a catalogue of changes a careless pull request could make, each of which
 * must draw a mandatory violation from the rule meant to catch it.
 */
import * as assert from "assert";
import * as path from "path";
import { Diagnostic, mandatory, PolicyAnalyzer, readPolicyConfigFile } from "../../tools/policyAnalyzer";
import { RecordedResource } from "../../tools/recording";
import { recordStack } from "../../tools/recordStack";
import { REPO_ROOT } from "../../tools/stackConfig";

const PACK = path.join(REPO_ROOT, "policies");

type Mutation = (resources: RecordedResource[]) => void;

interface Case {
    what: string;
    /** Config overrides (a change to Pulumi.prod.yaml), or */
    set?: string[];
    /** a change to what the code registers (applied to a copy of the recorded prod stack). */
    mutate?: Mutation;
    policy: string;
    message: RegExp;
}

/** Edits the inputs of the resources of one type (and name part) in place. */
function edit(type: string, nameIncludes: string, change: (inputs: any, r: RecordedResource) => void): Mutation {
    return (resources) => {
        const targets = resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
        assert.ok(targets.length > 0, `catalogue: no ${type} named *${nameIncludes}*`);
        for (const r of targets) change(r.inputs, r);
    };
}

const remove = (type: string, nameIncludes: string): Mutation => (resources) => {
    const i = resources.findIndex((r) => r.type === type && r.name.includes(nameIncludes));
    assert.ok(i >= 0, `catalogue: no ${type} named *${nameIncludes}*`);
    resources.splice(i, 1);
};

const NSG = "azure-native:network:NetworkSecurityGroup";
const CASES: Case[] = [
    // Redundancy
    { what: "all nodes in one zone", set: ["web.zones=[\"1\"]"], policy: "web-nodes-min-count-and-zones", message: /zone/i },
    { what: "a node removed by hand", mutate: remove("azure-native:compute:VirtualMachine", "web-2"), policy: "web-nodes-min-count-and-zones", message: /1 web VM\(s\) behind the load balancer; at least 2 are required/ },
    { what: "MySQL HA turned off", set: ["db.haMode=Disabled"], policy: "mysql-ha-zone-redundant", message: /ZoneRedundant|HA|high availability/i },
    { what: "MySQL HA in the same zone", set: ["db.haMode=SameZone"], policy: "mysql-ha-zone-redundant", message: /ZoneRedundant|SameZone/i },
    { what: "locally redundant attachments", set: ["files.sku=Standard_LRS"], policy: "storage-account-redundant-sku", message: /Standard_LRS/ },
    { what: "locally redundant vault", set: ["backup.vaultRedundancy=LocallyRedundant"], policy: "recovery-vault-redundant-storage", message: /LocallyRedundant/i },
    { what: "LB probe on /", mutate: edit("azure-native:network:LoadBalancer", "", (i) => { i.probes[0].requestPath = "/"; }), policy: "load-balancer-standard-with-http-probe", message: /path|probe/i },
    { what: "LB probe switched to TCP", mutate: edit("azure-native:network:LoadBalancer", "", (i) => { i.probes[0].protocol = "Tcp"; delete i.probes[0].requestPath; }), policy: "load-balancer-standard-with-http-probe", message: /HTTP|probe/i },
    { what: "LB frontend IP not zone-redundant", mutate: edit("azure-native:network:PublicIPAddress", "web-ip", (i) => { i.zones = ["1"]; }), policy: "public-ip-zone-redundant", message: /zone/i },
    // Backup
    { what: "MySQL backups kept 3 days", set: ["db.backupRetentionDays=3"], policy: "mysql-backup-retention", message: /backupRetentionDays is 3; at least 14 is required/ },
    { what: "MySQL geo-redundant backup off", set: ["db.geoRedundantBackup=false"], policy: "mysql-geo-redundant-backup", message: /geo/i },
    { what: "file-share backups kept 3 days", set: ["backup.retentionDays=3"], policy: "file-share-backup-protected", message: /daily retention is 3 day\(s\); at least 30 are required/ },
    { what: "file share no longer protected", mutate: remove("azure-native:recoveryservices:ProtectedItem", ""), policy: "file-share-backup-protected", message: /protect|backup/i },
    { what: "share soft delete off", mutate: edit("azure-native:storage:FileServiceProperties", "", (i) => { i.shareDeleteRetentionPolicy = { enabled: false }; }), policy: "file-share-soft-delete", message: /soft delete/i },
    { what: "vault soft delete off", mutate: edit("azure-native:recoveryservices:Vault", "", (i) => { i.properties.securitySettings.softDeleteSettings.softDeleteState = "Disabled"; }), policy: "recovery-vault-soft-delete", message: /soft delete/i },
    { what: "a VM that is neither backed up nor stateless", mutate: edit("azure-native:compute:VirtualMachine", "web-1", (i) => { delete i.tags["redmine:stateless"]; }), policy: "vm-backed-up-or-stateless", message: /stateless|backup/i },
    // Security
    { what: "SSH opened to the Internet", mutate: edit(NSG, "web-nsg", (i) => { i.securityRules.push({ name: "debug-ssh", priority: 300, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22" }); }), policy: "nsg-no-management-or-db-ports-from-internet", message: /22/ },
    { what: "a port range covering RDP from 0.0.0.0/0", mutate: edit(NSG, "web-nsg", (i) => { i.securityRules.push({ name: "wide", priority: 310, direction: "Inbound", access: "Allow", protocol: "*", sourceAddressPrefix: "0.0.0.0/0", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3000-4000" }); }), policy: "nsg-no-management-or-db-ports-from-internet", message: /3389/ },
    { what: "MySQL port opened to the Internet", mutate: edit(NSG, "db-nsg", (i) => { i.securityRules[0].sourceAddressPrefix = "Internet"; }), policy: "nsg-no-management-or-db-ports-from-internet", message: /3306/ },
    { what: "password login on a VM", mutate: edit("azure-native:compute:VirtualMachine", "web-2", (i) => { i.osProfile.linuxConfiguration.disablePasswordAuthentication = false; }), policy: "vm-ssh-key-only", message: /password/i },
    { what: "a public IP on a node's NIC", mutate: edit("azure-native:network:NetworkInterface", "web-1", (i) => { i.ipConfigurations[0].publicIPAddress = { id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/debug" }; }), policy: "nic-no-public-ip", message: /public IP/i },
    { what: "MySQL public network access", mutate: edit("azure-native:dbformysql:Server", "", (i) => { i.network.publicNetworkAccess = "Enabled"; }), policy: "mysql-private-access-only", message: /public/i },
    { what: "require_secure_transport OFF", mutate: edit("azure-native:dbformysql:Configuration", "require-secure-transport", (i) => { i.value = "OFF"; }), policy: "mysql-secure-transport", message: /secure_transport|TLS/i },
    { what: "storage over plain HTTP", mutate: edit("azure-native:storage:StorageAccount", "", (i) => { i.enableHttpsTrafficOnly = false; }), policy: "storage-account-https-tls12", message: /HTTPS/i },
    { what: "storage accepting TLS 1.0", mutate: edit("azure-native:storage:StorageAccount", "", (i) => { i.minimumTlsVersion = "TLS1_0"; }), policy: "storage-account-https-tls12", message: /TLS/i },
    { what: "anonymous blob access", mutate: edit("azure-native:storage:StorageAccount", "", (i) => { i.allowBlobPublicAccess = true; }), policy: "storage-no-public-blob-access", message: /public/i },
    { what: "storage firewall open", mutate: edit("azure-native:storage:StorageAccount", "", (i) => { i.networkRuleSet.defaultAction = "Allow"; }), policy: "storage-account-network-deny-by-default", message: /Deny|network/i },
    { what: "a secret-reading command that logs its output", mutate: (rs) => { const c = rs.find((r) => r.type === "command:remote:Command" && "stdin" in r.inputs); assert.ok(c, "a command with stdin"); c!.inputs.logging = "stdoutAndStderr"; }, policy: "command-secrets-not-logged", message: /logging/i },
    { what: "a password in a command's text", mutate: (rs) => { const c = rs.find((r) => r.type === "command:remote:Command"); c!.inputs.create = "mysql -u redmineadmin -pS3cretPassw0rd -e 'select 1'"; }, policy: "no-plain-text-secrets", message: /password|secret/i },
    // Cutover
    { what: "the record's TTL left high during the cutover", mutate: edit("aws:route53/record:Record", "", (i) => { i.ttl = 86400; }), policy: "dns-cutover-low-ttl", message: /86400|TTL/i },
    { what: "the legacy snapshot unprotected", mutate: edit("aws:ebs/snapshot:Snapshot", "", (_i, r) => { r.options.protect = false; }), policy: "legacy-snapshot-protected", message: /protect/i },
    // Preflight
    { what: "a Basic public IP on the Standard LB", mutate: edit("azure-native:network:PublicIPAddress", "web-ip", (i) => { i.sku = { name: "Basic" }; }), policy: "lb-public-ip-sku-matches", message: /Basic|Standard/ },
    { what: "a storage account name Azure rejects", mutate: edit("azure-native:storage:StorageAccount", "", (i) => { i.accountName = "Redmine-Files"; }), policy: "storage-account-name-valid", message: /Redmine-Files/ },
    { what: "HA on a Burstable server", mutate: edit("azure-native:dbformysql:Server", "", (i) => { i.sku = { name: "Standard_B2s", tier: "Burstable" }; }), policy: "mysql-ha-tier-supported", message: /Burstable/ },
    { what: "a private DNS zone outside mysql.database.azure.com", mutate: edit("azure-native:privatedns:PrivateZone", "", (i) => { i.privateZoneName = "redmine.internal"; }), policy: "mysql-private-network-valid", message: /mysql\.database\.azure\.com/ },
];

describe("policy pack against the program (Analyzer gRPC)", function () {
    this.timeout(600_000);
    const analyzers: Record<string, PolicyAnalyzer> = {};
    let prod: RecordedResource[];

    before(async () => {
        for (const stack of ["dev", "prod"]) {
            analyzers[stack] = await PolicyAnalyzer.start({ packDir: PACK });
            await analyzers[stack].configureStack({ stack, project: "redmine", organization: "organization" });
            await analyzers[stack].configure(readPolicyConfigFile(path.join(PACK, "config", `${stack}.json`)));
        }
        prod = (await recordStack("prod")).resources;
    });
    after(async () => { await Promise.all(Object.values(analyzers).map((a) => a.close())); });

    const describeDiags = (ds: Diagnostic[]) => ds.map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.message.split("\n").pop()}`).join("\n");

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the program as it is draws no mandatory violation`, async () => {
            const resources = stack === "prod" ? prod : (await recordStack(stack)).resources;
            const { diagnostics } = await analyzers[stack].analyze(resources);
            assert.deepStrictEqual(describeDiags(mandatory(diagnostics)), "");
        });
    }

    it("dev reports its cost savings as advisories, not blocks", async () => {
        const { diagnostics } = await analyzers.dev.analyze((await recordStack("dev")).resources);
        const advisory = new Set(diagnostics.filter((d) => d.enforcementLevel === "advisory").map((d) => d.policyName));
        for (const name of ["mysql-ha-zone-redundant", "storage-account-redundant-sku"]) assert.ok(advisory.has(name), `${name} advisory in dev:\n${describeDiags(diagnostics)}`);
    });

    it(`has at least 25 misconfigurations in its catalogue (${CASES.length})`, () => assert.ok(CASES.length >= 25));

    for (const c of CASES) {
        it(`prod: ${c.what} → ${c.policy}`, async () => {
            const resources: RecordedResource[] = c.set ? (await recordStack("prod", { set: c.set })).resources : structuredClone(prod);
            c.mutate?.(resources);
            const { diagnostics } = await analyzers.prod.analyze(resources);
            const hits = mandatory(diagnostics).filter((d) => d.policyName === c.policy);
            assert.ok(hits.length > 0, `expected a mandatory ${c.policy} violation; got:\n${describeDiags(diagnostics) || "(none)"}`);
            assert.match(hits.map((d) => d.message).join("\n"), c.message);
        });
    }
});
