import * as pulumi from "@pulumi/pulumi";
import * as dbformysql from "@pulumi/azure-native/dbformysql";
import * as privatedns from "@pulumi/azure-native/privatedns";
import type { DbConfig } from "../config";

export interface DatabaseArgs extends DbConfig {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    vnetId: pulumi.Input<string>;
    dbSubnetId: pulumi.Input<string>;
    /** First label of the private DNS zone `<label>.private.mysql.database.azure.com`. */
    privateZoneLabel: string;
    adminPassword: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the server from deletion (prod). */
    protect?: boolean;
}

/**
 * Server parameters Redmine 2.6 (Rails 3.2) needs on MySQL 5.7: the 5.1-like sql_mode (no STRICT_*,
 * no ONLY_FULL_GROUP_BY, which break Rails 3.2), utf8 as on the legacy server, TLS required.
 */
export const SERVER_PARAMETERS: Record<string, string> = {
    sql_mode: "NO_ENGINE_SUBSTITUTION",
    character_set_server: "utf8",
    require_secure_transport: "ON",
    tls_version: "TLSv1.2",
};

/** MySQL 5.7 Flexible Server with private access (delegated subnet + private DNS zone) and database `redmine`. */
export class Database extends pulumi.ComponentResource {
    readonly fqdn: pulumi.Output<string>;
    readonly databaseName = "redmine";
    readonly adminUser: string;
    /** What must exist before Redmine may connect: parameters set and the database created. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:db:Database", name, {}, opts);
        if (args.tier === "Burstable" && args.haMode !== "Disabled") throw new Error("Database: Burstable servers have no high availability; use haMode Disabled");
        this.adminUser = args.adminUser;

        const zone = new privatedns.PrivateZone(`${name}-dns`, {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: `${args.privateZoneLabel}.private.mysql.database.azure.com`,
            location: "global",
            tags: args.tags,
        }, { parent: this });
        const link = new privatedns.VirtualNetworkLink(`${name}-dns-link`, {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: zone.name,
            location: "global",
            registrationEnabled: false,
            virtualNetwork: { id: args.vnetId },
            tags: args.tags,
        }, { parent: this });

        const highAvailability = args.haMode === "Disabled"
            ? { mode: "Disabled" }
            : { mode: args.haMode, standbyAvailabilityZone: args.haMode === "ZoneRedundant" ? args.standbyZone : args.zone };
        const server = new dbformysql.Server(`${name}-mysql`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            version: "5.7",
            createMode: "Default",
            administratorLogin: args.adminUser,
            administratorLoginPassword: args.adminPassword,
            sku: { name: args.skuName, tier: args.tier },
            storage: { storageSizeGB: args.storageGb, autoGrow: "Enabled" },
            availabilityZone: args.zone,
            highAvailability,
            backup: { backupRetentionDays: args.backupRetentionDays, geoRedundantBackup: args.geoRedundantBackup ? "Enabled" : "Disabled" },
            network: { delegatedSubnetResourceId: args.dbSubnetId, privateDnsZoneResourceId: zone.id, publicNetworkAccess: "Disabled" },
            // Sunday 03:00 JST: patching restarts the server.
            maintenanceWindow: { customWindow: "Enabled", dayOfWeek: 6, startHour: 18, startMinute: 0 },
            tags: args.tags,
        }, { parent: this, dependsOn: [link], protect: args.protect, additionalSecretOutputs: ["administratorLoginPassword"] });

        // ARM rejects concurrent parameter updates on one server ("server busy"), so they go one by one.
        const parameters: pulumi.Resource[] = [];
        for (const [parameter, value] of Object.entries(SERVER_PARAMETERS)) {
            parameters.push(new dbformysql.Configuration(`${name}-${parameter.replace(/_/g, "-")}`, {
                resourceGroupName: args.resourceGroupName,
                serverName: server.name,
                configurationName: parameter,
                value,
                source: "user-override",
            }, { parent: this, dependsOn: parameters.slice(-1) }));
        }
        const database = new dbformysql.Database(`${name}-redmine`, {
            resourceGroupName: args.resourceGroupName,
            serverName: server.name,
            databaseName: this.databaseName,
            charset: "utf8",
            collation: "utf8_general_ci",
        }, { parent: this, dependsOn: parameters, protect: args.protect });

        this.fqdn = server.fullyQualifiedDomainName.apply((f) => f ?? "");
        this.ready = [...parameters, database];
        this.registerOutputs({ fqdn: this.fqdn });
    }
}
