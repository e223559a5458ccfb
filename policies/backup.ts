/**
 * Backup: the customer has none today. These rules make sure every piece of state (database,
 * attachments share) has a backup with enough retention, that the vault cannot silently lose
 * them, and that a VM without backup really holds no state.
 */
import { PolicyResource } from "@pulumi/policy";
import { asArray, has, linked, oneOf, resourceRule, same, stackRule, T, tag, tryRead } from "./common";

interface RetentionConfig {
    minRetentionDays: number;
}

/** Azure's own default when `backup.backupRetentionDays` is not set. */
const MYSQL_DEFAULT_RETENTION_DAYS = 7;

export const mysqlRetention = resourceRule<RetentionConfig>({
    name: "mysql-backup-retention",
    description:
        "MySQL Flexible Server keeps point-in-time backups for at least `minRetentionDays` days (Azure's default is 7, " +
        "the maximum 35), so a mistake found a week later can still be undone. No anchor rule exists (custom); analogue: " +
        "awsguard rds-instance-backup-enabled (backupRetentionPeriod). Known at preview.",
    types: [T.mysql],
    schema: {
        minRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Fewest days of point-in-time restore." },
    },
    validate: (db, _args, cfg, report) => {
        const days = db.backup?.backupRetentionDays ?? MYSQL_DEFAULT_RETENTION_DAYS;
        if (typeof days !== "number" || days < cfg.minRetentionDays) {
            report(`backup.backupRetentionDays is ${days}; at least ${cfg.minRetentionDays} is required.`);
        }
    },
});

export const mysqlGeoBackup = resourceRule({
    name: "mysql-geo-redundant-backup",
    description:
        "MySQL Flexible Server backups are geo-redundant, so a region outage does not take the only copy with it. Azure " +
        "only accepts this at server creation, so it has to be right before the first `up`. Anchors: checkov CKV_AZURE_94, " +
        "PSRule Azure.MySQL.GeoRedundantBackup (AZR-000323), Azure Policy 82339799-d096-41ae-8538-b108becf0970 (single-server " +
        "twin). Known at preview.",
    types: [T.mysql],
    validate: (db, _args, _cfg, report) => {
        const geo = db.backup?.geoRedundantBackup;
        if (!same(geo, "Enabled")) {
            report(`backup.geoRedundantBackup is ${JSON.stringify(geo ?? "unset (Disabled)")}; it must be "Enabled".`);
        }
    },
});

const DAYS_PER: Record<string, number> = { days: 1, weeks: 7, months: 30, years: 365 };

/** Daily retention of a backup policy in days, or undefined when it has none. */
function retentionDays(policy: PolicyResource): number | undefined {
    const retention = policy.props.properties?.retentionPolicy;
    const duration = same(retention?.retentionPolicyType, "SimpleRetentionPolicy") ? retention?.retentionDuration : retention?.dailySchedule?.retentionDuration;
    if (typeof duration?.count !== "number") {
        return undefined;
    }
    return duration.count * (DAYS_PER[String(duration.durationType ?? "Days").toLowerCase()] ?? 1);
}

/** The backup policy an item uses: through its dependencies, or by the policy name at the end of a known policyId. */
function policyOf(item: PolicyResource, policies: PolicyResource[]): PolicyResource | undefined {
    const viaDeps = linked(item).find((d) => d.type === T.protectionPolicy);
    if (viaDeps) {
        return viaDeps;
    }
    const id = tryRead(() => item.props.properties?.policyId);
    if (!id.known || typeof id.value !== "string") {
        return undefined;
    }
    const last = id.value.split("/").pop() ?? "";
    return policies.find((p) => same(p.props.policyName, last));
}

/** Protected item covering a share: it depends on the share, or its known item name ends with `;<shareName>`. */
function protects(item: PolicyResource, share: PolicyResource): boolean {
    if (linked(item).includes(share)) {
        return true;
    }
    const itemName = tryRead(() => item.props.protectedItemName);
    const shareName = tryRead(() => share.props.shareName);
    return (
        itemName.known &&
        shareName.known &&
        typeof itemName.value === "string" &&
        typeof shareName.value === "string" &&
        itemName.value.toLowerCase().endsWith(`;${shareName.value.toLowerCase()}`)
    );
}

export const fileShareBackup = stackRule<RetentionConfig>({
    name: "file-share-backup-protected",
    description:
        "Every SMB file share (Redmine's attachments) is a protected item of a Recovery Services vault whose backup policy " +
        "(backupManagementType AzureStorage) keeps daily recovery points for at least `minRetentionDays` days. Anchor: Azure " +
        "Policy cfc5190a-3b19-4a23-b563-a4c719b666e4 (Azure Backup on file shares). Share, item and policy are linked through " +
        "dependencies because their ids are unknown at preview; the retention count is known at preview.",
    appliesTo: [T.fileShare],
    schema: {
        minRetentionDays: { type: "integer", minimum: 1, maximum: 9999, default: 7, description: "Fewest days a daily recovery point is kept." },
    },
    validate: ({ cfg, ofType, report, all }) => {
        const items = all.filter((r) => r.type === T.protectedItem);
        const policies = all.filter((r) => r.type === T.protectionPolicy);
        for (const share of ofType(T.fileShare)) {
            const protocol = has(share.props, "enabledProtocols") ? share.props.enabledProtocols : "SMB";
            if (!same(protocol, "SMB")) {
                continue;
            }
            const item = items.find((i) => protects(i, share));
            if (!item) {
                report(share, "no Recovery Services protected item backs this share up.");
                continue;
            }
            if (!same(item.props.properties?.protectedItemType, "AzureFileShareProtectedItem")) {
                report(item, `protectedItemType is ${JSON.stringify(item.props.properties?.protectedItemType)}; a share needs "AzureFileShareProtectedItem".`);
            }
            const policy = policyOf(item, policies);
            if (!policy) {
                report(item, "the protected item has no backup policy in this stack.");
                continue;
            }
            if (!same(policy.props.properties?.backupManagementType, "AzureStorage")) {
                report(policy, `backupManagementType is ${JSON.stringify(policy.props.properties?.backupManagementType)}; file shares need "AzureStorage".`);
            }
            const days = retentionDays(policy);
            if (days === undefined || days < cfg.minRetentionDays) {
                report(policy, `daily retention is ${days ?? "unset"} day(s); at least ${cfg.minRetentionDays} are required.`);
            }
        }
    },
});

interface SoftDeleteConfig {
    minSoftDeleteDays: number;
}

/** Storage account a share or file service belongs to: by dependency, or by the known accountName. */
function belongsTo(r: PolicyResource, account: PolicyResource): boolean {
    if (linked(r).includes(account)) {
        return true;
    }
    const a = tryRead(() => r.props.accountName);
    const b = tryRead(() => account.props.accountName);
    return a.known && b.known && typeof a.value === "string" && same(a.value, String(b.value));
}

export const fileShareSoftDelete = stackRule<SoftDeleteConfig>({
    name: "file-share-soft-delete",
    description:
        "A storage account with file shares has share soft delete on for at least `minSoftDeleteDays` days (on its " +
        "FileServiceProperties), so a deleted share can be brought back. Anchor: PSRule Azure.Storage.FileShareSoftDelete " +
        "(AZR-000298). Known at preview.",
    appliesTo: [T.fileShare],
    schema: {
        minSoftDeleteDays: { type: "integer", minimum: 1, maximum: 365, default: 7, description: "Fewest days a deleted share is kept." },
    },
    validate: ({ cfg, ofType, report, all }) => {
        const shares = all.filter((r) => r.type === T.fileShare);
        const services = all.filter((r) => r.type === T.fileService);
        for (const account of ofType(T.storageAccount)) {
            if (!shares.some((s) => belongsTo(s, account))) {
                continue;
            }
            const service = services.find((s) => belongsTo(s, account));
            const policy = service?.props.shareDeleteRetentionPolicy;
            if (!service || policy?.enabled !== true) {
                report(service ?? account, "share soft delete (FileServiceProperties.shareDeleteRetentionPolicy.enabled) is not on.");
            } else if (typeof policy.days !== "number" || policy.days < cfg.minSoftDeleteDays) {
                report(service, `share soft delete keeps ${policy.days ?? "an unset number of"} day(s); at least ${cfg.minSoftDeleteDays} are required.`);
            }
        }
    },
});

export const vaultSoftDelete = resourceRule({
    name: "recovery-vault-soft-delete",
    description:
        "The Recovery Services vault keeps soft delete on (Enabled or AlwaysON), so deleted backups stay recoverable for " +
        "14+ days and a compromised account cannot wipe them at once. Unset means Azure's default (on). Anchor: Azure Policy " +
        "31b8092a-36b8-434b-9af7-5ec844364148 (soft delete for Recovery Services vaults). Known at preview.",
    types: [T.vault],
    validate: (vault, _args, _cfg, report) => {
        const settings = vault.properties?.securitySettings?.softDeleteSettings;
        if (settings === undefined) {
            return;
        }
        if (has(settings, "softDeleteState") && !oneOf(settings.softDeleteState, ["Enabled", "AlwaysON"])) {
            report(`securitySettings.softDeleteSettings.softDeleteState is ${JSON.stringify(settings.softDeleteState)}; it must be Enabled or AlwaysON.`);
        }
        const days = settings.softDeleteRetentionPeriodInDays;
        if (days !== undefined && (typeof days !== "number" || days < 14)) {
            report(`softDeleteRetentionPeriodInDays is ${days}; Azure's minimum, 14, is the floor here too.`);
        }
    },
});

const VM_ITEM_TYPES = ["Microsoft.Compute/virtualMachines", "Microsoft.ClassicCompute/virtualMachines", "AzureIaaSComputeVMProtectedItem", "AzureIaaSVMProtectedItem"];

export const vmBackupOrStateless = stackRule({
    name: "vm-backed-up-or-stateless",
    description:
        "Every VM is either protected by Azure Backup or tagged `redmine:stateless=true` and really rebuildable by the " +
        "program: created from an image, with no data disks (state lives in MySQL and Azure Files). Anchors: Azure Policy " +
        "013e242c-8828-4970-87b3-ab247555486d (Azure Backup for VMs), checkov CKV2_AZURE_12. The VM-to-item link goes " +
        "through dependencies (the VM id is unknown at preview); tags and disks are known at preview.",
    appliesTo: [T.vm],
    validate: ({ ofType, report, all }) => {
        const items = all.filter((r) => r.type === T.protectedItem && oneOf(r.props.properties?.protectedItemType, VM_ITEM_TYPES));
        for (const vm of ofType(T.vm)) {
            if (items.some((i) => linked(i).includes(vm))) {
                continue;
            }
            if (!same(tag(vm.props, "redmine:stateless"), "true")) {
                report(vm, "the VM is neither protected by Azure Backup nor tagged redmine:stateless=true.");
                continue;
            }
            const storage = vm.props.storageProfile;
            if (!same(storage?.osDisk?.createOption, "FromImage") || !has(storage, "imageReference")) {
                report(vm, "tagged stateless but its OS disk is not created from an image, so the program cannot rebuild it.");
            }
            if (asArray(storage?.dataDisks).length > 0) {
                report(vm, "tagged stateless but it has data disks, which hold state without a backup.");
            }
        }
    },
});

export const backupPolicies = [mysqlRetention, mysqlGeoBackup, fileShareBackup, fileShareSoftDelete, vaultSoftDelete, vmBackupOrStateless];
