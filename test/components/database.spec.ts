import * as assert from "assert";
import { Database } from "../../components/database";
import { DbConfig, DEFAULTS } from "../../config";
import { ofType, one, plain, recordComponent } from "../support/recorded";
import { isSecretValue } from "../../tools/recording";
import * as pulumi from "@pulumi/pulumi";

describe("Database", () => {
    const build = (db: Partial<DbConfig> = {}) => recordComponent(() => new Database("db", {
        ...DEFAULTS.db, ...db, resourceGroupName: "rg", location: "japaneast", vnetId: "vnet", dbSubnetId: "db-subnet",
        privateZoneLabel: "redmine-test", adminPassword: pulumi.secret("PLACEHOLDER-SECRET-db"), protect: true,
    }));

    it("is MySQL 5.7, General Purpose, zone-redundant HA with the standby in another zone", async () => {
        const server = plain(one(await build(), "azure-native:dbformysql:Server").inputs);
        assert.strictEqual(server.version, "5.7");
        assert.strictEqual(server.sku.tier, "GeneralPurpose");
        assert.deepStrictEqual(server.highAvailability, { mode: "ZoneRedundant", standbyAvailabilityZone: "2" });
        assert.strictEqual(server.availabilityZone, "1");
    });

    it("keeps backups as configured and is private only", async () => {
        const resources = await build({ backupRetentionDays: 14, geoRedundantBackup: false });
        const server = one(resources, "azure-native:dbformysql:Server");
        assert.deepStrictEqual(plain(server.inputs).backup, { backupRetentionDays: 14, geoRedundantBackup: "Disabled" });
        assert.strictEqual(plain(server.inputs).network.publicNetworkAccess, "Disabled");
        const zone = one(resources, "azure-native:privatedns:PrivateZone");
        assert.match(plain(zone.inputs).privateZoneName, /\.mysql\.database\.azure\.com$/);
        assert.ok(server.propertyDependencies.network.includes(zone.urn));
        assert.ok(server.options.protect);
        assert.ok(isSecretValue(server.inputs.administratorLoginPassword));
    });

    it("sets the server parameters Rails 3.2 needs, one after another", async () => {
        const resources = await build();
        const params = ofType(resources, "azure-native:dbformysql:Configuration");
        const byName = Object.fromEntries(params.map((p) => [p.inputs.configurationName, p.inputs.value]));
        assert.strictEqual(byName.require_secure_transport, "ON");
        assert.strictEqual(byName.character_set_server, "utf8");
        assert.doesNotMatch(String(byName.sql_mode), /STRICT|ONLY_FULL_GROUP_BY/);
        for (let i = 1; i < params.length; i++) assert.ok(params[i].dependencies.includes(params[i - 1].urn), "parameters are serialised");
        const database = plain(one(resources, "azure-native:dbformysql:Database").inputs);
        assert.deepStrictEqual([database.databaseName, database.charset, database.collation], ["redmine", "utf8", "utf8_general_ci"]);
    });

    it("uses no HA block on a Burstable dev server and refuses HA on Burstable", async () => {
        const server = plain(one(await build({ tier: "Burstable", skuName: "Standard_B2s", haMode: "Disabled" }), "azure-native:dbformysql:Server").inputs);
        assert.deepStrictEqual(server.highAvailability, { mode: "Disabled" });
        await assert.rejects(build({ tier: "Burstable", haMode: "SameZone" }), /Burstable/);
    });
});
