import { fileShareBackup, fileShareSoftDelete, mysqlGeoBackup, mysqlRetention, vaultSoftDelete, vmBackupOrStateless } from "../../policies/backup";
import { runResource, runStack, UNKNOWN, withValue } from "../support/policyHarness";
import { clean, notApplicable, readsUnknown, violates } from "./expect";
import { miniStack, mysqlProps, vaultProps, vmProps } from "./fixtures";
import { edit, relink, without } from "./stackCases";

const MYSQL = "azure-native:dbformysql:Server";
const VAULT = "azure-native:recoveryservices:Vault";
const VM = "azure-native:compute:VirtualMachine";

describe("policies/backup", () => {
    describe("mysql-backup-retention", () => {
        it("passes 14 days against a 14-day minimum and Azure's default 7 against the default 7", async () => {
            clean(await runResource(mysqlRetention, { type: MYSQL, props: mysqlProps("prod") }, { minRetentionDays: 14 }));
            clean(await runResource(mysqlRetention, { type: MYSQL, props: withValue(mysqlProps(), "backup", undefined) }));
        });

        it("reports retention below minRetentionDays, including the unset default", async () => {
            violates(await runResource(mysqlRetention, { type: MYSQL, props: withValue(mysqlProps(), "backup.backupRetentionDays", 3) }), /is 3; at least 7/);
            violates(await runResource(mysqlRetention, { type: MYSQL, props: withValue(mysqlProps(), "backup", undefined) }, { minRetentionDays: 14 }), /is 7; at least 14/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(mysqlRetention, { type: VAULT, props: {} }), /dbformysql:Server/));

        it("an unknown retention makes it advisory at preview", async () => {
            readsUnknown(await runResource(mysqlRetention, { type: MYSQL, props: withValue(mysqlProps(), "backup.backupRetentionDays", UNKNOWN) }), /backupRetentionDays/);
        });
    });

    describe("mysql-geo-redundant-backup", () => {
        it("passes Enabled (any case), reports Disabled and unset", async () => {
            clean(await runResource(mysqlGeoBackup, { type: MYSQL, props: mysqlProps("prod") }));
            clean(await runResource(mysqlGeoBackup, { type: MYSQL, props: withValue(mysqlProps(), "backup.geoRedundantBackup", "enabled") }));
            violates(await runResource(mysqlGeoBackup, { type: MYSQL, props: mysqlProps("dev") }), /"Disabled"/);
            violates(await runResource(mysqlGeoBackup, { type: MYSQL, props: withValue(mysqlProps(), "backup", undefined) }), /unset/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(mysqlGeoBackup, { type: VM, props: {} }), /dbformysql:Server/));

        it("an unknown value makes it advisory at preview", async () => {
            readsUnknown(await runResource(mysqlGeoBackup, { type: MYSQL, props: withValue(mysqlProps(), "backup.geoRedundantBackup", UNKNOWN) }), /geoRedundantBackup/);
        });
    });

    describe("file-share-backup-protected", () => {
        const stack = miniStack("prod");

        it("passes a share linked to an AzureFileShareProtectedItem with a 30-day AzureStorage policy", async () => {
            clean(await runStack(fileShareBackup, stack, { minRetentionDays: 30 }));
        });

        it("reports a share without a protected item", async () => {
            violates(await runStack(fileShareBackup, without(stack, "files-item")), /files-share: no Recovery Services protected item/);
        });

        it("links the item by its known name when no dependency carries the share", async () => {
            const byName = relink(stack, "files-item", { dependencies: ["files-policy", "vault"], propertyDependencies: { properties: ["files-policy"] } });
            clean(await runStack(fileShareBackup, byName));
            violates(await runStack(fileShareBackup, edit(byName, "files-item", "protectedItemName", "AzureFileShare;other")), /no Recovery Services protected item/);
        });

        it("reports the wrong item type, a missing policy, a VM policy and short retention", async () => {
            violates(await runStack(fileShareBackup, edit(stack, "files-item", "properties.protectedItemType", "AzureIaaSVMProtectedItem")), /files-item: protectedItemType/);
            const noPolicy = relink(without(stack, "files-policy"), "files-item", { dependencies: ["files", "vault", "files-share"], propertyDependencies: { properties: ["files"] } });
            violates(await runStack(fileShareBackup, noPolicy), /files-item: the protected item has no backup policy/);
            violates(await runStack(fileShareBackup, edit(stack, "files-policy", "properties.backupManagementType", "AzureIaasVM")), /files-policy: backupManagementType/);
            violates(await runStack(fileShareBackup, stack, { minRetentionDays: 45 }), /files-policy: daily retention is 30 day\(s\); at least 45/);
        });

        it("counts weeks as 7 days and reads simple retention policies", async () => {
            const weeks = edit(stack, "files-policy", "properties.retentionPolicy.dailySchedule.retentionDuration", { count: 2, durationType: "Weeks" });
            violates(await runStack(fileShareBackup, weeks, { minRetentionDays: 30 }), /is 14 day/);
            const simple = edit(stack, "files-policy", "properties.retentionPolicy", { retentionPolicyType: "SimpleRetentionPolicy", retentionDuration: { count: 10, durationType: "Days" } });
            clean(await runStack(fileShareBackup, simple, { minRetentionDays: 10 }));
        });

        it("skips NFS shares and exempted shares", async () => {
            clean(await runStack(fileShareBackup, edit(without(stack, "files-item"), "files-share", "enabledProtocols", "NFS")));
            clean(await runStack(fileShareBackup, without(stack, "files-item"), { excludeFor: ["^files-share$"] }));
        });

        it("is not applicable to a stack without file shares", async () => {
            notApplicable(await runStack(fileShareBackup, without(stack, "files-share")), /no azure-native:storage:FileShare/);
        });

        it("never reads the unknown ids (policyId, sourceResourceId) when the link is a dependency; an unknown count is advisory", async () => {
            clean(await runStack(fileShareBackup, stack));
            readsUnknown(await runStack(fileShareBackup, edit(stack, "files-policy", "properties.retentionPolicy.dailySchedule.retentionDuration.count", UNKNOWN)), /count/);
        });
    });

    describe("file-share-soft-delete", () => {
        const stack = miniStack("prod");

        it("passes 14 days of share soft delete", async () => clean(await runStack(fileShareSoftDelete, stack, { minSoftDeleteDays: 14 })));

        it("reports it off, too short, or the FileServiceProperties missing", async () => {
            violates(await runStack(fileShareSoftDelete, edit(stack, "files-service", "shareDeleteRetentionPolicy.enabled", false)), /files-service: share soft delete .* is not on/);
            violates(await runStack(fileShareSoftDelete, stack, { minSoftDeleteDays: 30 }), /keeps 14 day\(s\); at least 30/);
            violates(await runStack(fileShareSoftDelete, without(stack, "files-service")), /^files: share soft delete/);
        });

        it("matches the service to the account by the known accountName without dependencies", async () => {
            clean(await runStack(fileShareSoftDelete, relink(stack, "files-service", { dependencies: [], propertyDependencies: {} })));
        });

        it("is not applicable without shares", async () => notApplicable(await runStack(fileShareSoftDelete, without(stack, "files-share")), /FileShare/));

        it("an unknown days value is advisory at preview", async () => {
            readsUnknown(await runStack(fileShareSoftDelete, edit(stack, "files-service", "shareDeleteRetentionPolicy.days", UNKNOWN)), /days/);
        });
    });

    describe("recovery-vault-soft-delete", () => {
        it("passes Enabled, AlwaysOn in any case, and unset (Azure's default is on)", async () => {
            clean(await runResource(vaultSoftDelete, { type: VAULT, props: vaultProps() }));
            clean(await runResource(vaultSoftDelete, { type: VAULT, props: withValue(vaultProps(), "properties.securitySettings.softDeleteSettings.softDeleteState", "AlwaysOn") }));
            clean(await runResource(vaultSoftDelete, { type: VAULT, props: withValue(vaultProps(), "properties.securitySettings", undefined) }));
        });

        it("reports Disabled and a retention under 14 days", async () => {
            violates(await runResource(vaultSoftDelete, { type: VAULT, props: withValue(vaultProps(), "properties.securitySettings.softDeleteSettings.softDeleteState", "Disabled") }), /"Disabled"/);
            violates(await runResource(vaultSoftDelete, { type: VAULT, props: withValue(vaultProps(), "properties.securitySettings.softDeleteSettings.softDeleteRetentionPeriodInDays", 7) }), /is 7/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(vaultSoftDelete, { type: MYSQL, props: {} }), /Vault/));

        it("an unknown state is advisory at preview", async () => {
            readsUnknown(await runResource(vaultSoftDelete, { type: VAULT, props: withValue(vaultProps(), "properties.securitySettings.softDeleteSettings.softDeleteState", UNKNOWN) }), /softDeleteState/);
        });
    });

    describe("vm-backed-up-or-stateless", () => {
        const stack = miniStack("prod");

        it("passes stateless web VMs built from an image", async () => clean(await runStack(vmBackupOrStateless, stack)));

        it("reports an untagged VM without backup", async () => {
            violates(await runStack(vmBackupOrStateless, edit(stack, "web-1-vm", "tags", { "redmine:role": "web" })), /web-1-vm: the VM is neither protected/);
        });

        it("reports a 'stateless' VM with data disks or not built from an image", async () => {
            violates(await runStack(vmBackupOrStateless, edit(stack, "web-1-vm", "storageProfile.dataDisks", [{ lun: 0, createOption: "Empty", diskSizeGB: 64 }])), /has data disks/);
            violates(await runStack(vmBackupOrStateless, edit(stack, "web-1-vm", "storageProfile.osDisk.createOption", "Attach")), /not created from an image/);
        });

        it("accepts an untagged VM that a VM protected item depends on", async () => {
            const cases = [
                ...edit(stack, "web-1-vm", "tags", {}),
                { type: "azure-native:recoveryservices:ProtectedItem", name: "vm-item", props: { properties: { protectedItemType: "Microsoft.Compute/virtualMachines", sourceResourceId: UNKNOWN } }, propertyDependencies: { properties: ["web-1-vm"] } },
            ];
            clean(await runStack(vmBackupOrStateless, cases));
        });

        it("is not applicable without VMs, and skips exempted VMs", async () => {
            notApplicable(await runStack(vmBackupOrStateless, [{ type: VAULT, name: "v", props: vaultProps() }]), /VirtualMachine/);
            clean(await runStack(vmBackupOrStateless, edit(stack, "web-1-vm", "tags", {}), { excludeFor: ["^web-1-vm$"] }));
        });

        it("never reads the VM's unknown NIC id; an unknown tag is advisory", async () => {
            clean(await runStack(vmBackupOrStateless, [{ type: VM, name: "vm", props: vmProps(0) }]));
            readsUnknown(await runStack(vmBackupOrStateless, [{ type: VM, name: "vm", props: withValue(vmProps(0), "tags.redmine:stateless", UNKNOWN) }]), /stateless/);
        });
    });
});
