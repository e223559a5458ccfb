import { lbPublicIpSku, mysqlHaTier, mysqlPrivateNetwork, publicIpStandardStatic, storageAccountName } from "../../policies/preflight";
import { runResource, runStack, UNKNOWN, withValue } from "../support/policyHarness";
import { clean, notApplicable, readsUnknown, violates } from "./expect";
import { lbIpProps, miniStack, mysqlProps, storageProps } from "./fixtures";
import { edit, relink, without } from "./stackCases";

const PIP = "azure-native:network:PublicIPAddress";
const STORAGE = "azure-native:storage:StorageAccount";
const MYSQL = "azure-native:dbformysql:Server";

describe("policies/preflight", () => {
    describe("public-ip-standard-static", () => {
        it("passes Standard + Static, reports Basic, unset and Standard + Dynamic", async () => {
            clean(await runResource(publicIpStandardStatic, { type: PIP, props: lbIpProps() }));
            violates(await runResource(publicIpStandardStatic, { type: PIP, props: withValue(lbIpProps(), "sku.name", "Basic") }), /"Basic"/);
            violates(await runResource(publicIpStandardStatic, { type: PIP, props: withValue(lbIpProps(), "sku", undefined) }), /unset \(Basic\)/);
            violates(await runResource(publicIpStandardStatic, { type: PIP, props: withValue(lbIpProps(), "publicIPAllocationMethod", "Dynamic") }), /"Dynamic"; a Standard IP must be "Static"/);
        });

        it("is not applicable to other types; an unknown SKU is advisory", async () => {
            notApplicable(await runResource(publicIpStandardStatic, { type: STORAGE, props: {} }), /PublicIPAddress/);
            readsUnknown(await runResource(publicIpStandardStatic, { type: PIP, props: withValue(lbIpProps(), "sku.name", UNKNOWN) }), /sku\.name/);
        });
    });

    describe("lb-public-ip-sku-matches", () => {
        const stack = miniStack("prod");

        it("passes a Standard LB with a Standard IP, reports a Basic IP on it", async () => {
            clean(await runStack(lbPublicIpSku, stack));
            violates(await runStack(lbPublicIpSku, edit(stack, "lb-ip", "sku.name", "Basic")), /lb-ip: public IP SKU "Basic" on Standard load balancer lb-lb/);
        });

        it("ignores Basic LBs (load-balancer-standard-with-http-probe reports those) and IPs not linked to the LB", async () => {
            clean(await runStack(lbPublicIpSku, edit(edit(stack, "lb-lb", "sku.name", "Basic"), "lb-ip", "sku.name", "Basic")));
            clean(await runStack(lbPublicIpSku, relink(edit(stack, "lb-ip", "sku.name", "Basic"), "lb-lb", { dependencies: [], propertyDependencies: {} })));
        });

        it("is not applicable without an LB; an unknown IP SKU is advisory", async () => {
            notApplicable(await runStack(lbPublicIpSku, without(stack, "lb-lb")), /LoadBalancer/);
            readsUnknown(await runStack(lbPublicIpSku, edit(stack, "lb-ip", "sku.name", UNKNOWN)), /sku\.name/);
        });
    });

    describe("storage-account-name-valid", () => {
        it("passes 3-24 lowercase letters and digits, and autonamed accounts", async () => {
            clean(await runResource(storageAccountName, { type: STORAGE, props: storageProps() }));
            clean(await runResource(storageAccountName, { type: STORAGE, props: withValue(storageProps(), "accountName", undefined) }));
        });

        it("reports upper case, hyphens, too short and too long", async () => {
            for (const bad of ["RedmineFiles", "redmine-files", "rf", "redmineprodfilesaccount01"]) {
                violates(await runResource(storageAccountName, { type: STORAGE, props: withValue(storageProps(), "accountName", bad) }), /must be 3-24 lowercase/);
            }
        });

        it("is not applicable to other types; an unknown name is advisory", async () => {
            notApplicable(await runResource(storageAccountName, { type: PIP, props: {} }), /StorageAccount/);
            readsUnknown(await runResource(storageAccountName, { type: STORAGE, props: withValue(storageProps(), "accountName", UNKNOWN) }), /accountName/);
        });
    });

    describe("mysql-ha-tier-supported", () => {
        it("passes GeneralPurpose ZoneRedundant, Burstable without HA, and dev's SameZone", async () => {
            clean(await runResource(mysqlHaTier, { type: MYSQL, props: mysqlProps("prod") }));
            clean(await runResource(mysqlHaTier, { type: MYSQL, props: withValue(withValue(mysqlProps(), "sku.tier", "Burstable"), "highAvailability.mode", "Disabled") }));
            clean(await runResource(mysqlHaTier, { type: MYSQL, props: mysqlProps("dev") }));
        });

        it("reports HA on Burstable and a ZoneRedundant standby in the primary's zone", async () => {
            violates(await runResource(mysqlHaTier, { type: MYSQL, props: withValue(mysqlProps(), "sku.tier", "Burstable") }), /on the Burstable tier/);
            violates(await runResource(mysqlHaTier, { type: MYSQL, props: withValue(mysqlProps(), "highAvailability.standbyAvailabilityZone", "1") }), /standby in the primary's zone \(1\)/);
        });

        it("is not applicable to other types; an unknown tier is advisory", async () => {
            notApplicable(await runResource(mysqlHaTier, { type: STORAGE, props: {} }), /dbformysql:Server/);
            readsUnknown(await runResource(mysqlHaTier, { type: MYSQL, props: withValue(mysqlProps(), "sku.tier", UNKNOWN) }), /sku\.tier/);
        });
    });

    describe("mysql-private-network-valid", () => {
        const stack = miniStack("prod");

        it("passes a delegated subnet and a *.mysql.database.azure.com zone, both linked by dependencies", async () => clean(await runStack(mysqlPrivateNetwork, stack)));

        it("reports a missing subnet id or zone id on a private server", async () => {
            violates(await runStack(mysqlPrivateNetwork, edit(stack, "db", "network.delegatedSubnetResourceId", undefined)), /db: private access without network\.delegatedSubnetResourceId/);
            violates(await runStack(mysqlPrivateNetwork, edit(stack, "db", "network.privateDnsZoneResourceId", undefined)), /without network\.privateDnsZoneResourceId/);
        });

        it("reports a zone with the wrong suffix and a subnet without the MySQL delegation", async () => {
            violates(await runStack(mysqlPrivateNetwork, edit(stack, "db-zone", "privateZoneName", "redmine.internal")), /zone "redmine.internal" does not end with .mysql.database.azure.com/);
            violates(await runStack(mysqlPrivateNetwork, edit(stack, "db-subnet", "delegations", [])), /db-subnet: subnet used by MySQL db is not delegated/);
        });

        it("falls back to a literal zone id when no zone resource is linked", async () => {
            const literal = (id: string) => relink(edit(without(stack, "db-zone"), "db", "network.privateDnsZoneResourceId", id), "db", { propertyDependencies: { network: ["db-subnet"] } });
            clean(await runStack(mysqlPrivateNetwork, literal("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/shared.mysql.database.azure.com")));
            violates(await runStack(mysqlPrivateNetwork, literal("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/corp.example")), /"corp.example"/);
        });

        it("skips public servers (mysql-private-access-only reports them)", async () => {
            clean(await runStack(mysqlPrivateNetwork, edit(stack, "db", "network", { publicNetworkAccess: "Enabled" })));
        });

        it("is not applicable without MySQL; an unlinked unknown zone id is advisory", async () => {
            notApplicable(await runStack(mysqlPrivateNetwork, without(stack, "db")), /dbformysql:Server/);
            const unlinked = relink(without(stack, "db-zone"), "db", { propertyDependencies: { network: ["db-subnet"] }, dependencies: ["db-subnet"] });
            readsUnknown(await runStack(mysqlPrivateNetwork, unlinked), /privateDnsZoneResourceId/);
        });
    });
});
