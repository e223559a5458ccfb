import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as recoveryservices from "@pulumi/azure-native/recoveryservices";
import type { BackupConfig } from "../config";

/** Asks the vault for the share's item name; relative to the project, where `pulumi up` runs. */
const ITEM_NAME_SCRIPT = "provision/azure/file-share-item-name.sh";

export interface BackupArgs extends BackupConfig {
    resourceGroupName: string;
    subscriptionId: pulumi.Input<string>;
    location: pulumi.Input<string>;
    storageAccountId: pulumi.Input<string>;
    storageAccountName: string;
    shareName: string;
    /** The share must exist before it can be protected. */
    share: pulumi.Resource;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    protect?: boolean;
}

/**
 * Recovery Services vault (redundant, soft delete on) with a daily file-share backup policy and the
 * attachments share registered and protected. MySQL has its own PITR backups (Database component).
 */
export class Backup extends pulumi.ComponentResource {
    readonly vaultName: pulumi.Output<string>;
    readonly policyName: string;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:backup:Backup", name, {}, opts);

        const vault = new recoveryservices.Vault(`${name}-vault`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: "RS0", tier: "Standard" },
            properties: {
                publicNetworkAccess: "Enabled",
                redundancySettings: {
                    standardTierStorageRedundancy: args.vaultRedundancy,
                    crossRegionRestore: args.vaultRedundancy === "GeoRedundant" ? "Enabled" : "Disabled",
                },
                securitySettings: {
                    softDeleteSettings: { softDeleteState: "Enabled", softDeleteRetentionPeriodInDays: 14 },
                    immutabilitySettings: { state: "Unlocked" },
                },
            },
            tags: args.tags,
        }, { parent: this, protect: args.protect });

        const runTime = `2020-01-01T${args.time}:00Z`; // Azure reads only the time of day
        this.policyName = "redmine-files-daily";
        const policy = new recoveryservices.ProtectionPolicy(`${name}-files-policy`, {
            resourceGroupName: args.resourceGroupName,
            vaultName: vault.name,
            policyName: this.policyName,
            properties: {
                backupManagementType: "AzureStorage",
                workLoadType: "AzureFileShare",
                timeZone: "UTC",
                schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: [runTime] },
                retentionPolicy: {
                    retentionPolicyType: "LongTermRetentionPolicy",
                    dailySchedule: { retentionTimes: [runTime], retentionDuration: { count: args.retentionDays, durationType: "Days" } },
                },
            },
        }, { parent: this });

        const containerName = `storagecontainer;Storage;${args.resourceGroupName};${args.storageAccountName}`;
        const container = new recoveryservices.ProtectionContainer(`${name}-files-container`, {
            resourceGroupName: args.resourceGroupName,
            vaultName: vault.name,
            fabricName: "Azure",
            containerName,
            properties: {
                backupManagementType: "AzureStorage",
                containerType: "StorageContainer",
                sourceResourceId: args.storageAccountId,
                friendlyName: args.storageAccountName,
            },
        }, { parent: this });

        // The vault names a protectable share by an id of its own ("azurefileshare;<id>"), which
        // only the vault can tell once the container is registered (pulumi-azure-native#1420).
        const scriptText = fs.readFileSync(path.join(__dirname, "..", ITEM_NAME_SCRIPT), "utf8");
        const itemName = new command.local.Command(`${name}-files-item-name`, {
            create: `bash ${ITEM_NAME_SCRIPT}`,
            environment: {
                SUBSCRIPTION_ID: args.subscriptionId,
                VAULT_RESOURCE_GROUP: args.resourceGroupName,
                VAULT_NAME: vault.name,
                STORAGE_ACCOUNT: args.storageAccountName,
                SHARE_NAME: args.shareName,
            },
            triggers: [crypto.createHash("sha256").update(scriptText).digest("hex"), args.storageAccountName, args.shareName],
            addPreviousOutputInEnv: false,
        }, { parent: this, dependsOn: [container, args.share] });

        new recoveryservices.ProtectedItem(`${name}-files-item`, {
            resourceGroupName: args.resourceGroupName,
            vaultName: vault.name,
            fabricName: "Azure",
            containerName,
            protectedItemName: itemName.stdout.apply((s) => {
                const found = s.trim();
                if (!/^azurefileshare;/i.test(found)) throw new Error(`Backup: ${ITEM_NAME_SCRIPT} printed "${found}", not an azurefileshare;<id> item name`);
                return found;
            }),
            properties: {
                protectedItemType: "AzureFileShareProtectedItem",
                sourceResourceId: args.storageAccountId,
                policyId: policy.id,
                friendlyName: args.shareName,
            },
        }, { parent: this, dependsOn: [container, args.share] });

        this.vaultName = vault.name;
        this.registerOutputs({ vaultName: this.vaultName });
    }
}
