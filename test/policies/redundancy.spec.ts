import {
    frontendZoneRedundant,
    loadBalancerProbe,
    mysqlHighAvailability,
    storageRedundantSku,
    vaultRedundancy,
    webNodesSpread,
} from "../../policies/redundancy";
import { runResource, runStack, UNKNOWN, withValue } from "../support/policyHarness";
import { clean, notApplicable, readsUnknown, violates } from "./expect";
import { lbProps, miniStack, mysqlProps, storageProps, vaultProps } from "./fixtures";
import { edit, relink, without } from "./stackCases";

const LB = "azure-native:network:LoadBalancer";
const MYSQL = "azure-native:dbformysql:Server";
const STORAGE = "azure-native:storage:StorageAccount";
const VAULT = "azure-native:recoveryservices:Vault";

describe("policies/redundancy", () => {
    describe("web-nodes-min-count-and-zones", () => {
        const stack = miniStack("prod");

        it("passes two web VMs in zones 1 and 2", async () => clean(await runStack(webNodesSpread, stack)));

        it("reports a single web node (count below minWebNodes)", async () => {
            violates(await runStack(webNodesSpread, without(stack, "web-2-vm")), /1 web VM\(s\).*at least 2/, /cover 1 zone/);
        });

        it("reports all web VMs in one zone", async () => {
            violates(await runStack(webNodesSpread, edit(stack, "web-2-vm", "zones", ["1"])), /cover 1 zone\(s\) \[1\]/);
        });

        it("reports VMs with neither zones nor an availability set", async () => {
            const noZones = edit(edit(stack, "web-1-vm", "zones", undefined), "web-2-vm", "zones", undefined);
            violates(await runStack(webNodesSpread, noZones), /cover 0 zone.*without zone or set: web-1-vm, web-2-vm/);
        });

        it("accepts VMs sharing one availability set instead of zones", async () => {
            let cases = edit(edit(stack, "web-1-vm", "zones", undefined), "web-2-vm", "zones", undefined);
            cases = [...cases, { type: "azure-native:compute:AvailabilitySet", name: "web-avset", props: { sku: { name: "Aligned" } } }];
            cases = relink(cases, "web-1-vm", { propertyDependencies: { networkProfile: ["web-1-nic"], availabilitySet: ["web-avset"] } });
            cases = relink(cases, "web-2-vm", { propertyDependencies: { networkProfile: ["web-2-nic"], availabilitySet: ["web-avset"] } });
            clean(await runStack(webNodesSpread, cases));
        });

        it("counts an untagged VM whose NIC is in the LB pool, and ignores one that is not", async () => {
            const untagged = edit(stack, "web-2-vm", "tags", {});
            clean(await runStack(webNodesSpread, untagged));
            const outOfPool = edit(untagged, "web-2-nic", "ipConfigurations.0.loadBalancerBackendAddressPools", []);
            violates(await runStack(webNodesSpread, outOfPool), /1 web VM/, /cover 1 zone/);
        });

        it("reads minWebNodes and minZones from config", async () => {
            violates(await runStack(webNodesSpread, stack, { minWebNodes: 3 }), /2 web VM\(s\).*at least 3/);
            violates(await runStack(webNodesSpread, stack, { minZones: 3 }), /cover 2 zone.*at least 3/);
        });

        it("exempts VMs named in excludeFor (they no longer count)", async () => {
            violates(await runStack(webNodesSpread, stack, { excludeFor: ["^web-2-"] }), /1 web VM/, /cover 1 zone/);
        });

        it("is not applicable to a stack without VMs or load balancers", async () => {
            notApplicable(await runStack(webNodesSpread, [{ type: STORAGE, name: "s", props: storageProps() }]), /no azure-native:compute:VirtualMachine/);
        });

        it("reads zones directly, so an unknown zone makes it advisory at preview", async () => {
            readsUnknown(await runStack(webNodesSpread, edit(stack, "web-1-vm", "zones", UNKNOWN)), /\.zones/);
        });
    });

    describe("load-balancer-standard-with-http-probe", () => {
        const lb = { type: LB, props: lbProps() };

        it("passes Standard with an HTTP probe on /healthz used by every rule", async () => clean(await runResource(loadBalancerProbe, lb)));

        it("reports a Basic SKU (case-insensitive compare accepts 'standard')", async () => {
            violates(await runResource(loadBalancerProbe, { type: LB, props: withValue(lbProps(), "sku.name", "Basic") }), /sku.name is "Basic"/);
            clean(await runResource(loadBalancerProbe, { type: LB, props: withValue(lbProps(), "sku.name", "standard") }));
        });

        it("reports a TCP probe, or an HTTP probe on /", async () => {
            violates(await runResource(loadBalancerProbe, { type: LB, props: withValue(lbProps(), "probes.0.protocol", "Tcp") }), /probe "healthz" is Tcp/, /no HTTP\(S\) health probe/, /rule "http"/, /rule "https"/);
            violates(await runResource(loadBalancerProbe, { type: LB, props: withValue(lbProps(), "probes.0.requestPath", "/") }), /probe "healthz"/, /no HTTP\(S\) health probe/, /rule "http"/, /rule "https"/);
        });

        it("reports a load-balancing rule without a probe", async () => {
            violates(await runResource(loadBalancerProbe, { type: LB, props: withValue(lbProps(), "loadBalancingRules.1.probe", undefined) }), /rule "https" does not use/);
        });

        it("reports missing backend pools and rules", async () => {
            violates(await runResource(loadBalancerProbe, { type: LB, props: withValue(withValue(lbProps(), "backendAddressPools", []), "loadBalancingRules", []) }), /no backend address pool/, /no load-balancing rule/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(loadBalancerProbe, { type: STORAGE, props: {} }), /applies to azure-native:network:LoadBalancer/));

        it("reads the probe id, so an unknown probe id makes it advisory at preview", async () => {
            readsUnknown(await runResource(loadBalancerProbe, { type: LB, props: withValue(lbProps(), "loadBalancingRules.0.probe.id", UNKNOWN) }), /loadBalancingRules\.0\.probe\.id/);
        });
    });

    describe("public-ip-zone-redundant", () => {
        const stack = miniStack("prod");

        it("passes the LB frontend IP in zones 1-3 and ignores the zonal NAT IP", async () => clean(await runStack(frontendZoneRedundant, stack)));

        it("reports an LB frontend IP missing a zone", async () => {
            const o = await runStack(frontendZoneRedundant, edit(stack, "lb-ip", "zones", ["1"]));
            violates(o, /lb-ip: public IP of load balancer lb-lb .*lacks 2, 3/);
        });

        it("reports a frontend pinned to one zone", async () => {
            violates(await runStack(frontendZoneRedundant, edit(stack, "lb-lb", "frontendIPConfigurations.0.zones", ["2"])), /frontend "frontend" is pinned to zones \[2\]/);
        });

        it("finds the IP through plain dependencies when propertyDependencies are absent", async () => {
            const cases = relink(edit(stack, "lb-ip", "zones", undefined), "lb-lb", { propertyDependencies: {}, dependencies: ["lb-ip"] });
            violates(await runStack(frontendZoneRedundant, cases), /lacks 1, 2, 3/);
        });

        it("honours requiredZones and excludeFor", async () => {
            clean(await runStack(frontendZoneRedundant, edit(stack, "lb-ip", "zones", ["1", "2"]), { requiredZones: ["1", "2"] }));
            clean(await runStack(frontendZoneRedundant, edit(stack, "lb-ip", "zones", ["1"]), { excludeFor: ["^lb-ip$"] }));
        });

        it("is not applicable without a load balancer", async () => {
            notApplicable(await runStack(frontendZoneRedundant, [{ type: "azure-native:network:PublicIPAddress", name: "ip", props: {} }]), /no azure-native:network:LoadBalancer/);
        });

        it("reads zones directly, so an unknown makes it advisory at preview", async () => {
            readsUnknown(await runStack(frontendZoneRedundant, edit(stack, "lb-ip", "zones", UNKNOWN)), /zones/);
        });
    });

    describe("mysql-ha-zone-redundant", () => {
        const db = (p = mysqlProps("prod")) => ({ type: MYSQL, props: p });

        it("passes ZoneRedundant with the standby in zone 2", async () => clean(await runResource(mysqlHighAvailability, db())));

        it("reports HA Disabled, unset and SameZone; SameZone passes with allowSameZoneHa", async () => {
            violates(await runResource(mysqlHighAvailability, db(withValue(mysqlProps(), "highAvailability.mode", "Disabled"))), /mode is "Disabled"/);
            violates(await runResource(mysqlHighAvailability, db(withValue(mysqlProps(), "highAvailability", undefined))), /mode is "Disabled"/);
            violates(await runResource(mysqlHighAvailability, db(mysqlProps("dev"))), /mode is "SameZone"; it must be ZoneRedundant\./);
            clean(await runResource(mysqlHighAvailability, db(mysqlProps("dev")), { allowSameZoneHa: true }));
        });

        it("reports the standby in the primary's zone", async () => {
            violates(await runResource(mysqlHighAvailability, db(withValue(mysqlProps(), "highAvailability.standbyAvailabilityZone", "1"))), /standby is in zone 1/);
        });

        it("reports the Burstable tier", async () => {
            violates(await runResource(mysqlHighAvailability, db(withValue(mysqlProps(), "sku.tier", "Burstable"))), /Burstable/);
        });

        it("compares the mode case-insensitively", async () => {
            clean(await runResource(mysqlHighAvailability, db(withValue(mysqlProps(), "highAvailability.mode", "zoneredundant"))));
        });

        it("is not applicable to other types and skips exempted names", async () => {
            notApplicable(await runResource(mysqlHighAvailability, { type: STORAGE, props: {} }), /applies to azure-native:dbformysql:Server/);
            notApplicable(await runResource(mysqlHighAvailability, { ...db(mysqlProps("dev")), name: "scratch-db" }, { excludeFor: ["^scratch-"] }), /exempted by excludeFor "\^scratch-"/);
        });

        it("does not read the unknown network ids; an unknown mode makes it advisory", async () => {
            clean(await runResource(mysqlHighAvailability, db()));
            readsUnknown(await runResource(mysqlHighAvailability, db(withValue(mysqlProps(), "highAvailability.mode", UNKNOWN))), /highAvailability\.mode/);
        });
    });

    describe("storage-account-redundant-sku", () => {
        it("passes ZRS and reports LRS (prod default list)", async () => {
            clean(await runResource(storageRedundantSku, { type: STORAGE, props: storageProps("prod") }));
            violates(await runResource(storageRedundantSku, { type: STORAGE, props: storageProps("dev") }), /"Standard_LRS"; allowed: Standard_ZRS/);
        });

        it("reports a missing SKU and compares case-insensitively", async () => {
            violates(await runResource(storageRedundantSku, { type: STORAGE, props: withValue(storageProps(), "sku", undefined) }), /"unset"/);
            clean(await runResource(storageRedundantSku, { type: STORAGE, props: withValue(storageProps(), "sku.name", "standard_gzrs") }));
        });

        it("reads allowedStorageSkus from config", async () => {
            clean(await runResource(storageRedundantSku, { type: STORAGE, props: storageProps("dev") }, { allowedStorageSkus: ["Standard_LRS"] }));
            violates(await runResource(storageRedundantSku, { type: STORAGE, props: storageProps("prod") }, { allowedStorageSkus: ["Standard_GZRS"] }), /allowed: Standard_GZRS/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(storageRedundantSku, { type: VAULT, props: {} }), /StorageAccount/));

        it("ignores the unknown vnet rule ids; an unknown SKU makes it advisory", async () => {
            clean(await runResource(storageRedundantSku, { type: STORAGE, props: storageProps() }));
            readsUnknown(await runResource(storageRedundantSku, { type: STORAGE, props: withValue(storageProps(), "sku.name", UNKNOWN) }), /sku\.name/);
        });
    });

    describe("recovery-vault-redundant-storage", () => {
        it("passes GeoRedundant and ZoneRedundant, reports LocallyRedundant and unset", async () => {
            clean(await runResource(vaultRedundancy, { type: VAULT, props: vaultProps("prod") }));
            clean(await runResource(vaultRedundancy, { type: VAULT, props: withValue(vaultProps(), "properties.redundancySettings.standardTierStorageRedundancy", "ZoneRedundant") }));
            violates(await runResource(vaultRedundancy, { type: VAULT, props: vaultProps("dev") }), /"LocallyRedundant"/);
            violates(await runResource(vaultRedundancy, { type: VAULT, props: withValue(vaultProps(), "properties.redundancySettings", undefined) }), /"unset"/);
        });

        it("reads allowedVaultRedundancy from config", async () => {
            violates(await runResource(vaultRedundancy, { type: VAULT, props: vaultProps("prod") }, { allowedVaultRedundancy: ["ZoneRedundant"] }), /allowed: ZoneRedundant/);
        });

        it("is not applicable to other types", async () => notApplicable(await runResource(vaultRedundancy, { type: MYSQL, props: {} }), /Vault/));

        it("an unknown redundancy makes it advisory at preview", async () => {
            readsUnknown(await runResource(vaultRedundancy, { type: VAULT, props: withValue(vaultProps(), "properties.redundancySettings.standardTierStorageRedundancy", UNKNOWN) }), /standardTierStorageRedundancy/);
        });
    });
});
