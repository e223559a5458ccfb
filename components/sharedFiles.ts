import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import type { FilesConfig } from "../config";

export interface SharedFilesArgs extends FilesConfig {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** Globally unique storage account name: 3-24 lower-case letters and digits. */
    accountName: string;
    /** Only this subnet (service endpoint) may reach the account's data plane. */
    webSubnetId: pulumi.Input<string>;
    /** Days the nightly database dumps are kept in the `db-dumps` container. */
    dumpRetentionDays: number;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    protect?: boolean;
}

export const SHARE_NAME = "redmine-files";
export const DUMP_CONTAINER = "db-dumps";

/**
 * StorageV2 account holding the attachments share (SMB 3, mounted by every node) and the container
 * of nightly logical dumps. HTTPS only, TLS 1.2, no anonymous blob access, network-restricted.
 */
export class SharedFiles extends pulumi.ComponentResource {
    readonly accountId: pulumi.Output<string>;
    readonly accountName: string;
    readonly shareName = SHARE_NAME;
    readonly dumpContainerName = DUMP_CONTAINER;
    readonly share: storage.FileShare;
    /** The account itself, for invokes that need it to exist (they take its name as a plain string). */
    readonly account: storage.StorageAccount;
    /** Storage key used for the SMB mount; secret. */
    readonly accountKey: pulumi.Output<string>;

    constructor(name: string, args: SharedFilesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:storage:SharedFiles", name, {}, opts);
        if (!/^[a-z0-9]{3,24}$/.test(args.accountName)) throw new Error(`SharedFiles: accountName "${args.accountName}" must be 3-24 lower-case letters and digits`);

        const account = this.account = new storage.StorageAccount(`${name}-account`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            accountName: args.accountName,
            kind: "StorageV2",
            sku: { name: args.sku },
            accessTier: "Hot",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            // SMB mounts authenticate with the account key, so shared-key access stays on.
            allowSharedKeyAccess: true,
            networkRuleSet: {
                defaultAction: "Deny",
                bypass: "AzureServices", // Azure Backup reaches the share as a trusted service
                virtualNetworkRules: [{ virtualNetworkResourceId: args.webSubnetId, action: "Allow" }],
            },
            tags: args.tags,
        }, { parent: this, protect: args.protect });

        const fileService = new storage.FileServiceProperties(`${name}-file-service`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            fileServicesName: "default",
            shareDeleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
            protocolSettings: {
                // CentOS 7 kernels speak SMB 3.0 with AES-128; 3.1.1 for newer clients.
                smb: { versions: "SMB3.0;SMB3.1.1", channelEncryption: "AES-128-CCM;AES-128-GCM;AES-256-GCM", authenticationMethods: "NTLMv2;Kerberos" },
            },
        }, { parent: this });

        this.share = new storage.FileShare(`${name}-share`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            shareName: SHARE_NAME,
            shareQuota: args.quotaGb,
            enabledProtocols: "SMB",
            accessTier: "TransactionOptimized",
        }, { parent: this, dependsOn: [fileService], protect: args.protect });

        const blobService = new storage.BlobServiceProperties(`${name}-blob-service`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            blobServicesName: "default",
            deleteRetentionPolicy: { enabled: true, days: 7 },
            containerDeleteRetentionPolicy: { enabled: true, days: 7 },
        }, { parent: this });
        new storage.BlobContainer(`${name}-dumps`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            containerName: DUMP_CONTAINER,
            publicAccess: "None",
        }, { parent: this, dependsOn: [blobService] });
        new storage.ManagementPolicy(`${name}-dump-retention`, {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            managementPolicyName: "default",
            policy: {
                rules: [{
                    name: "expire-db-dumps",
                    enabled: true,
                    type: "Lifecycle",
                    definition: {
                        filters: { blobTypes: ["blockBlob"], prefixMatch: [`${DUMP_CONTAINER}/`] },
                        actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: args.dumpRetentionDays } } },
                    },
                }],
            },
        }, { parent: this });

        this.accountId = account.id;
        this.accountName = args.accountName;
        this.accountKey = pulumi.secret(storage.listStorageAccountKeysOutput(
            { resourceGroupName: args.resourceGroupName, accountName: account.name }, { parent: this },
        ).apply((r) => r.keys[0].value));
        this.registerOutputs({ accountId: this.accountId, shareName: this.shareName });
    }
}
