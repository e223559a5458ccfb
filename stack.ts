/**
 * Builds the whole stack for one validated configuration. index.ts calls it with the stack's
 * config; tests and tools call it under mocks with any config they like.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { CutoverPhase, RedmineConfig } from "./config";
import { assertPhaseChangeAllowed } from "./cutover";
import { Backup } from "./components/backup";
import { Database } from "./components/database";
import { DataMigration } from "./components/dataMigration";
import { DnsCutover } from "./components/dnsCutover";
import { LegacySource } from "./components/legacySource";
import { Network } from "./components/network";
import { NightlyBackup } from "./components/nightlyBackup";
import { Rollout } from "./components/rollout";
import { SharedFiles } from "./components/sharedFiles";
import { WebLoadBalancer } from "./components/webLoadBalancer";
import { WebNode } from "./components/webNode";
import { SshEndpoint, WebNodeProvisioning } from "./components/webNodeProvisioning";
import { REMOTE, VERSIONS } from "./provision/render";

/** Where every node mounts the attachments share (Redmine's attachments_storage_path). */
export const FILES_MOUNT_PATH = REMOTE.attachmentsDir;

export function buildStack(cfg: RedmineConfig): Record<string, unknown> {
    const prefix = `redmine-${cfg.stack}`;
    const suffix = shortHash(`${cfg.stack}/${cfg.location}/${cfg.hostname}`);
    const tags = { ...cfg.tags, application: "redmine", stack: cfg.stack, "managed-by": "pulumi" };
    const location = cfg.location;

    const resourceGroupName = `rg-${prefix}`;
    const group = new resources.ResourceGroup(`${prefix}-rg`, { resourceGroupName, location, tags });
    const inGroup: pulumi.ComponentResourceOptions = { dependsOn: [group] };
    const client = authorization.getClientConfigOutput();

    const net = new Network(`${prefix}-net`, { resourceGroupName, location, adminCidrs: cfg.adminCidrs, tags }, inGroup);

    const lb = new WebLoadBalancer(`${prefix}-web`, {
        resourceGroupName, location, subscriptionId: client.subscriptionId,
        loadBalancerName: `${prefix}-lb`, nodeCount: cfg.web.count, sshPortBase: cfg.web.sshPortBase,
        domainNameLabel: `${prefix}-${suffix}`, tags,
    }, inGroup);

    const nodes = Array.from({ length: cfg.web.count }, (_, i) => new WebNode(`${prefix}-web-${i + 1}`, {
        index: i + 1, resourceGroupName, location,
        subnetId: net.webSubnetId, backendPoolId: lb.backendPoolId, sshNatRuleId: lb.sshNatRules[i].id,
        zone: cfg.web.zones[i % cfg.web.zones.length], vmSize: cfg.web.vmSize, image: cfg.web.image,
        osDiskType: cfg.web.osDiskType, adminUser: cfg.web.adminUser, sshPublicKey: cfg.sshPublicKey,
        computerName: `${prefix}-web-${i + 1}`, tags,
    }, { dependsOn: [group, lb] })); // the pool and NAT rule ids are built from names: wait for the LB itself

    const db = new Database(`${prefix}-db`, {
        ...cfg.db, resourceGroupName, location, vnetId: net.vnetId, dbSubnetId: net.dbSubnetId,
        privateZoneLabel: `${prefix}-${suffix}`, adminPassword: cfg.secrets.dbAdminPassword, tags, protect: cfg.protectData,
    }, inGroup);

    const files = new SharedFiles(`${prefix}-files`, {
        ...cfg.files, resourceGroupName, location, accountName: `redmine${cfg.stack.replace(/[^a-z0-9]/g, "")}${suffix}`.slice(0, 24),
        webSubnetId: net.webSubnetId, dumpRetentionDays: cfg.backup.dumpRetentionDays, tags, protect: cfg.protectData,
    }, inGroup);

    const backup = new Backup(`${prefix}-backup`, {
        ...cfg.backup, resourceGroupName, location, subscriptionId: client.subscriptionId, storageAccountId: files.accountId, storageAccountName: files.accountName,
        shareName: files.shareName, share: files.share, tags, protect: cfg.protectData,
    }, inGroup);

    const ssh = (i: number): SshEndpoint => ({
        host: lb.publicIp, port: lb.sshNatRules[i].port, user: cfg.web.adminUser, privateKey: cfg.secrets.sshPrivateKey,
    });
    const provisioning = nodes.map((node, i) => new WebNodeProvisioning(`${prefix}-web-${i + 1}`, {
        index: i + 1,
        ssh: ssh(i),
        vm: node.vm,
        redmine: { hostname: cfg.hostname, thinWorkers: cfg.app.thinWorkers, maxUploadMb: cfg.app.maxUploadMb, downloadBaseUrl: cfg.app.downloadBaseUrl, smtp: cfg.smtp, timeZone: cfg.app.timeZone },
        database: { host: db.fqdn, name: db.databaseName, user: db.adminUser, password: cfg.secrets.dbAdminPassword },
        files: { accountName: files.accountName, shareName: files.shareName, accountKey: files.accountKey },
        secretToken: cfg.secrets.secretToken,
        tls: cfg.tlsCertificate && cfg.secrets.tlsPrivateKey ? { certificatePem: cfg.tlsCertificate, privateKeyPem: cfg.secrets.tlsPrivateKey } : undefined,
        smtpPassword: cfg.secrets.smtpPassword,
        databaseCipherKey: cfg.secrets.databaseCipherKey,
    }));

    // The phase change is checked against the phase of the last update before anything phase-dependent moves.
    const previousPhase = new pulumi.StackReference(`${prefix}-self`, { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` })
        .getOutput("cutoverPhase") as pulumi.Output<CutoverPhase | undefined>;
    const approvedPhase = previousPhase.apply((previous) => {
        assertPhaseChangeAllowed(previous, cfg.cutover, cfg.allowRollbackFromSwitch);
        return cfg.cutover;
    });

    let legacy: LegacySource | undefined;
    let migration: DataMigration | undefined;
    if (cfg.legacy) {
        const legacyProvider = new AwsProvider(`${prefix}-legacy-aws`, { region: cfg.legacy.region });
        legacy = new LegacySource(`${prefix}-legacy`, { instanceId: cfg.legacy.instanceId, volumeIds: cfg.legacy.volumeIds, tags }, { providers: { aws: legacyProvider } });
        migration = new DataMigration(`${prefix}-migration`, {
            phase: cfg.cutover,
            legacy: {
                sshHost: cfg.legacy.sshHost, sshUser: cfg.legacy.sshUser, sshPrivateKey: cfg.secrets.legacySshPrivateKey!,
                redmineRoot: cfg.legacy.redmineRoot, dbName: cfg.legacy.dbName, dbUser: cfg.legacy.dbUser, dbPassword: cfg.secrets.legacyDbPassword!,
                hostKey: cfg.legacy.hostKey,
            },
            target: {
                sshHost: lb.publicIp, sshPort: lb.sshNatRules[0].port, sshUser: cfg.web.adminUser, sshPrivateKey: cfg.secrets.sshPrivateKey,
                dbHost: db.fqdn, dbName: db.databaseName, dbUser: db.adminUser, dbPassword: cfg.secrets.dbAdminPassword,
                filesPath: FILES_MOUNT_PATH,
            },
            // The rollback point exists before any data moves; node 1 has its tools and the share; the
            // database is ready. Not node 1's whole install: the rehearsal overlaps the Ruby build.
            // The last entry resolves only once the phase change passed its rollback check.
            after: [provisioning[0].toolsReady, ...db.ready, ...legacy.snapshots, approvedPhase.apply(() => group)],
        });
    }

    const rollout = new Rollout(`${prefix}-rollout`, {
        // revision: a node restarts when any of its steps changed, not only when start.sh did.
        nodes: provisioning.map((p, i) => ({ index: i + 1, ssh: ssh(i), ready: p.ready, revision: p.revision })),
        migrateAfter: [...db.ready, ...(migration ? [migration.restored] : [])],
        maxUploadMb: cfg.app.maxUploadMb,
        mailFrom: cfg.smtp?.from,
        dataVersion: migration?.dataVersion,
    });

    new NightlyBackup(`${prefix}-nightly-dump`, {
        ssh: ssh(0), after: [provisioning[0].ready, ...db.ready],
        database: { host: db.fqdn, name: db.databaseName, user: db.adminUser, password: cfg.secrets.dbAdminPassword },
        resourceGroupName, accountName: files.accountName, storageAccount: files.account, containerName: files.dumpContainerName, time: cfg.backup.time,
        // Valid into the year after next: the first `pulumi up` of each year rotates it.
        sasExpiry: `${new Date().getUTCFullYear() + 2}-01-01T00:00:00Z`,
    });

    let dns: DnsCutover | undefined;
    if (cfg.dns) {
        const movesToAzure = cfg.cutover === "switch" || cfg.cutover === "complete";
        dns = new DnsCutover(`${prefix}-dns`, {
            phase: cfg.cutover, zoneId: cfg.dns.zoneId, recordName: cfg.dns.recordName, roleArn: cfg.dns.roleArn,
            externalId: cfg.secrets.dnsExternalId!, region: cfg.dns.region, cutoverTtl: cfg.dns.cutoverTtl, normalTtl: cfg.dns.normalTtl,
            legacyAddress: cfg.dns.legacyAddress,
            azureAddress: lb.publicIp,
            approvedPhase,
            // Lowering the TTL waits for nothing; moving the record waits for verified data and serving nodes.
            after: movesToAzure ? [...rollout.starts, ...(migration ? [migration.restored] : [])] : [],
        });
    }

    return {
        resourceGroupName,
        siteUrl: `${cfg.tlsCertificate ? "https" : "http"}://${cfg.hostname}/`,
        loadBalancerIp: lb.publicIp,
        loadBalancerFqdn: lb.fqdn,
        sshEndpoints: nodes.map((_, i) => ({
            node: i + 1, host: lb.publicIp, port: lb.sshNatRules[i].port,
            command: pulumi.interpolate`ssh -p ${lb.sshNatRules[i].port} ${cfg.web.adminUser}@${lb.publicIp}`,
        })),
        webNodes: nodes.map((n, i) => ({
            name: `${prefix}-web-${i + 1}`, zone: cfg.web.zones[i % cfg.web.zones.length], vmSize: cfg.web.vmSize,
            image: `${cfg.web.image.publisher}:${cfg.web.image.offer}:${cfg.web.image.sku}:${cfg.web.image.version}`, privateIp: n.privateIp,
        })),
        dbHost: db.fqdn,
        databaseName: db.databaseName,
        database: { version: "5.7", sku: cfg.db.skuName, tier: cfg.db.tier, haMode: cfg.db.haMode, zone: cfg.db.zone, standbyZone: cfg.db.haMode === "ZoneRedundant" ? cfg.db.standbyZone : undefined, backupRetentionDays: cfg.db.backupRetentionDays, geoRedundantBackup: cfg.db.geoRedundantBackup },
        storageAccountName: files.accountName,
        fileShare: `//${files.accountName}.file.core.windows.net/${files.shareName}`,
        filesMountPath: FILES_MOUNT_PATH,
        backup: { vaultName: backup.vaultName, policyName: backup.policyName, fileShareRetentionDays: cfg.backup.retentionDays, dailyAtUtc: cfg.backup.time, dumpContainer: files.dumpContainerName, dumpRetentionDays: cfg.backup.dumpRetentionDays },
        adminCidrs: cfg.adminCidrs,
        cutoverPhase: approvedPhase,
        dnsRecord: dns ? { name: cfg.dns!.recordName, target: dns.target, ttl: dns.ttl } : undefined,
        legacySnapshotIds: legacy ? legacy.snapshots.map((s) => s.id) : [],
        software: { os: `CentOS ${cfg.web.image.sku.replace("_", ".")} (${cfg.web.image.publisher}:${cfg.web.image.offer}:${cfg.web.image.sku}:${cfg.web.image.version})`, ...VERSIONS, mysql: "5.7", redmineDir: REMOTE.redmineDir },
    };
}

/** Short, stable suffix for globally unique names (storage account, DNS label). */
function shortHash(s: string): string {
    return crypto.createHash("sha256").update(s).digest("hex").slice(0, 6);
}
