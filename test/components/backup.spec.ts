import * as assert from "assert";
import * as storage from "@pulumi/azure-native/storage";
import { Backup } from "../../components/backup";
import { one, plain, recordComponent } from "../support/recorded";

describe("Backup", () => {
    const build = () => recordComponent(() => {
        const share = new storage.FileShare("share", { resourceGroupName: "rg", accountName: "redmineprodabc123" });
        new Backup("backup", {
            vaultRedundancy: "GeoRedundant", retentionDays: 30, time: "17:00", dumpRetentionDays: 30,
            resourceGroupName: "rg", subscriptionId: "sub", location: "japaneast", storageAccountId: "acct-id", storageAccountName: "redmineprodabc123",
            shareName: "redmine-files", share,
        });
    });

    it("keeps a geo-redundant vault with soft delete", async () => {
        const vault = plain(one(await build(), "azure-native:recoveryservices:Vault").inputs);
        assert.strictEqual(vault.properties.redundancySettings.standardTierStorageRedundancy, "GeoRedundant");
        assert.strictEqual(vault.properties.securitySettings.softDeleteSettings.softDeleteState, "Enabled");
    });

    it("backs the share up daily, kept retentionDays, through a protected item bound to the policy", async () => {
        const resources = await build();
        const policy = one(resources, "azure-native:recoveryservices:ProtectionPolicy");
        const props = plain(policy.inputs).properties;
        assert.strictEqual(props.schedulePolicy.scheduleRunFrequency, "Daily");
        assert.deepStrictEqual(props.retentionPolicy.dailySchedule.retentionDuration, { count: 30, durationType: "Days" });
        const item = one(resources, "azure-native:recoveryservices:ProtectedItem");
        assert.strictEqual(plain(item.inputs).properties.protectedItemType, "AzureFileShareProtectedItem");
        // The vault's own name for the share, asked once the container is registered.
        const lookup = one(resources, "command:local:Command", "files-item-name");
        assert.deepStrictEqual(plain(lookup.inputs).environment, { SUBSCRIPTION_ID: "sub", VAULT_RESOURCE_GROUP: "rg", VAULT_NAME: plain(one(resources, "azure-native:recoveryservices:Vault").inputs).vaultName ?? "backup-vault", STORAGE_ACCOUNT: "redmineprodabc123", SHARE_NAME: "redmine-files" });
        assert.ok(item.propertyDependencies.protectedItemName.includes(lookup.urn));
        assert.strictEqual(plain(item.inputs).protectedItemName, "azurefileshare;placeholder-item-id");
        assert.ok(item.dependencies.includes(policy.urn), "item uses the policy");
        assert.ok(item.dependencies.some((d) => d.endsWith("::share")), "item waits for the share");
        const container = one(resources, "azure-native:recoveryservices:ProtectionContainer");
        assert.ok(lookup.dependencies.includes(container.urn), "the lookup waits for the container registration");
        assert.strictEqual(plain(container.inputs).containerName, "storagecontainer;Storage;rg;redmineprodabc123");
    });
});
