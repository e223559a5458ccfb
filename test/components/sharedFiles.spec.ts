import * as assert from "assert";
import { SharedFiles } from "../../components/sharedFiles";
import { one, plain, recordComponent } from "../support/recorded";

describe("SharedFiles", () => {
    const build = (accountName = "redmineprodabc123") => recordComponent(() => new SharedFiles("files", {
        sku: "Standard_ZRS", quotaGb: 100, softDeleteDays: 14, resourceGroupName: "rg", location: "japaneast",
        accountName, webSubnetId: "web-subnet", dumpRetentionDays: 30,
    }));

    it("is a StorageV2 ZRS account, HTTPS only, TLS 1.2, no public blob, reachable from the web subnet only", async () => {
        const account = plain(one(await build(), "azure-native:storage:StorageAccount").inputs);
        assert.strictEqual(account.kind, "StorageV2");
        assert.strictEqual(account.sku.name, "Standard_ZRS");
        assert.strictEqual(account.enableHttpsTrafficOnly, true);
        assert.strictEqual(account.minimumTlsVersion, "TLS1_2");
        assert.strictEqual(account.allowBlobPublicAccess, false);
        assert.strictEqual(account.networkRuleSet.defaultAction, "Deny");
        assert.deepStrictEqual(account.networkRuleSet.virtualNetworkRules, [{ virtualNetworkResourceId: "web-subnet", action: "Allow" }]);
    });

    it("has an SMB share with quota and share soft delete, and dumps expire after their retention", async () => {
        const resources = await build();
        const share = plain(one(resources, "azure-native:storage:FileShare").inputs);
        assert.deepStrictEqual([share.shareName, share.shareQuota, share.enabledProtocols], ["redmine-files", 100, "SMB"]);
        assert.deepStrictEqual(plain(one(resources, "azure-native:storage:FileServiceProperties").inputs).shareDeleteRetentionPolicy, { enabled: true, days: 14 });
        assert.strictEqual(plain(one(resources, "azure-native:storage:BlobContainer").inputs).publicAccess, "None");
        const rule = plain(one(resources, "azure-native:storage:ManagementPolicy").inputs).policy.rules[0];
        assert.strictEqual(rule.definition.actions.baseBlob.delete.daysAfterModificationGreaterThan, 30);
    });

    it("refuses a storage account name Azure would reject", async () => {
        await assert.rejects(build("Redmine-Prod"), /3-24 lower-case letters and digits/);
    });
});
