import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as storage from "@pulumi/azure-native/storage";
import { backupStepShape, encodeSecrets, planBackup, remoteCommand, stepTrigger } from "../provision/steps";
import { commandArgs, commandOptions, sshConnection, SshEndpoint } from "./webNodeProvisioning";

export interface NightlyBackupArgs {
    /** Node 1: cron jobs that must run once run there only. */
    ssh: SshEndpoint;
    /** Node 1 installed (mysql client, CA bundle in place). */
    after: pulumi.Input<pulumi.Resource>[];
    database: { host: pulumi.Input<string>; name: string; user: string; password: pulumi.Input<string> };
    resourceGroupName: pulumi.Input<string>;
    accountName: string;
    /** The storage account: the SAS is asked for only once it exists (the name alone carries no dependency). */
    storageAccount: pulumi.Resource;
    containerName: string;
    /** UTC time of day, HH:MM. */
    time: string;
    /**
     * Expiry of the upload SAS (ISO 8601). The stack passes the start of the year after next,
     * so the first `pulumi up` of each year rotates it long before it expires.
     */
    sasExpiry: string;
}

/**
 * The nightly logical dump from node 1 into the dump container, beyond Azure's own PITR backups
 * (which cannot be exported). The node gets a container SAS that may only create and write
 * blobs (no read, no delete), so a compromised node cannot erase or read older dumps.
 */
export class NightlyBackup extends pulumi.ComponentResource {
    readonly install: command.remote.Command;

    constructor(name: string, args: NightlyBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:backup:NightlyBackup", name, {}, opts);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(args.sasExpiry)) throw new Error(`NightlyBackup: sasExpiry must be an ISO 8601 UTC time, got ${args.sasExpiry}`);

        const sas = storage.listStorageAccountServiceSASOutput({
            resourceGroupName: args.resourceGroupName,
            accountName: args.accountName,
            canonicalizedResource: `/blob/${args.accountName}/${args.containerName}`,
            resource: "c",
            permissions: "cw",
            protocols: "https",
            keyToSign: "key1",
            sharedAccessExpiryTime: args.sasExpiry,
        }, { parent: this, dependsOn: [args.storageAccount] }).serviceSasToken;

        const plan = pulumi.output(args.database.host).apply((dbHost) => planBackup({
            dbHost, dbName: args.database.name, dbUser: args.database.user,
            containerUrl: `https://${args.accountName}.blob.core.windows.net/${args.containerName}`, time: args.time,
        }));
        const stdin = pulumi.secret(pulumi.all([args.database.password, sas]).apply(([password, token]) =>
            encodeSecrets(["DB_PASSWORD", "BACKUP_SAS"], { DB_PASSWORD: password, BACKUP_SAS: token })));
        const shape = backupStepShape();
        this.install = new command.remote.Command(`${name}-install`,
            commandArgs(shape, sshConnection(args.ssh), plan.apply(remoteCommand), plan.apply(stepTrigger), stdin),
            commandOptions(shape, this, args.after));
        this.registerOutputs({});
    }
}
