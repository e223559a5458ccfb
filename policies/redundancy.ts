/**
 * Redundancy: the customer asked for it because more users are coming. These rules keep a
 * later change from quietly dropping a zone, a web node or a replica. The SKU/HA ones cost
 * money, so dev runs them advisory (config/dev.json); prod runs all of them mandatory.
 */
import { PolicyResource } from "@pulumi/policy";
import { asArray, has, linked, oneOf, resourceRule, same, stackRule, T, tag } from "./common";

interface WebNodesConfig {
    minWebNodes: number;
    minZones: number;
}

/** Web VMs: those tagged as web nodes, and any VM whose NIC sits in a load balancer pool. */
function webVms(vms: PolicyResource[]): PolicyResource[] {
    return vms.filter((vm) => {
        if (same(tag(vm.props, "redmine:role"), "web")) {
            return true;
        }
        return linked(vm).some((nic) => nic.type === T.nic && inBackendPool(nic));
    });
}

/** Pool membership from the NIC's own inputs: pool ids are built from known names, so they are known at preview. */
function inBackendPool(nic: PolicyResource): boolean {
    if (linked(nic).some((d) => d.type === T.lb)) {
        return true;
    }
    return asArray(nic.props.ipConfigurations).some((ipc) => asArray(ipc.loadBalancerBackendAddressPools).length > 0);
}

export const webNodesSpread = stackRule<WebNodesConfig>({
    name: "web-nodes-min-count-and-zones",
    description:
        "At least `minWebNodes` web VMs behind the load balancer, spread over at least `minZones` availability zones " +
        "(or all in one availability set), so losing a VM or a zone leaves Redmine up. Anchors: Azure Policy " +
        "42f4f3a2-7d20-4c13-a05d-01857a626c22 (VMs zone aligned), PSRule Azure.VM.Standalone (AZR-000239) and " +
        "Azure.VM.ASMinMembers (AZR-000255); the count and spread are custom. Reads `zones` (known at preview); " +
        "an availability set is recognised through the VM's dependencies because its id is unknown at preview.",
    appliesTo: [T.vm, T.lb],
    schema: {
        minWebNodes: { type: "integer", minimum: 1, default: 2, description: "Fewest web VMs allowed." },
        minZones: { type: "integer", minimum: 1, default: 2, description: "Fewest distinct zones the web VMs must cover." },
    },
    validate: ({ cfg, ofType, report, all }) => {
        const web = webVms(ofType(T.vm));
        const lbs = ofType(T.lb);
        const subject = lbs[0] ?? web[0] ?? all[0];
        if (web.length < cfg.minWebNodes) {
            report(subject, `${web.length} web VM(s) behind the load balancer; at least ${cfg.minWebNodes} are required.`);
        }
        if (web.length === 0) {
            return;
        }
        const zones = new Set<string>();
        const sets = new Set<PolicyResource>();
        const unplaced: string[] = [];
        for (const vm of web) {
            const vmZones = asArray<string>(has(vm.props, "zones") ? vm.props.zones : undefined);
            vmZones.forEach((z) => zones.add(String(z)));
            const avset = linked(vm).filter((d) => d.type === T.availabilitySet);
            avset.forEach((s) => sets.add(s));
            if (vmZones.length === 0 && avset.length === 0) {
                unplaced.push(vm.name);
            }
        }
        const oneAvailabilitySet = sets.size === 1 && unplaced.length === 0 && zones.size === 0;
        if (!oneAvailabilitySet && zones.size < cfg.minZones) {
            report(
                subject,
                `web VMs cover ${zones.size} zone(s) [${[...zones].sort().join(", ")}]; at least ${cfg.minZones} are required ` +
                    `(or put all of them in one availability set)` + (unplaced.length ? `; without zone or set: ${unplaced.join(", ")}` : "") + ".",
            );
        }
    },
});

function probeName(ref: unknown): string | undefined {
    if (!has(ref, "id")) {
        return undefined;
    }
    const id = (ref as { id: unknown }).id;
    return typeof id === "string" ? id.split("/").pop() : undefined;
}

export const loadBalancerProbe = resourceRule({
    name: "load-balancer-standard-with-http-probe",
    description:
        "The load balancer is Standard SKU (Basic has no zones and no SLA, and is retired) and every load-balancing rule " +
        "uses an HTTP(S) health probe on a real path (not `/`), so a node whose Redmine is down leaves the pool. " +
        "Anchors: Azure Policy 42daa901-5969-47ef-92cb-b75df946195a (LB zone resilient), PSRule Azure.LB.StandardSKU (AZR-000128) and " +
        "Azure.LB.Probe (AZR-000126). Probe references are built from known names, so this is checked at preview.",
    types: [T.lb],
    validate: (lb, _args, _cfg, report) => {
        if (!same(lb.sku?.name, "Standard")) {
            report(`sku.name is ${JSON.stringify(lb.sku?.name ?? "unset (Basic)")}; it must be "Standard".`);
        }
        const httpProbes = new Set<string>();
        for (const p of asArray(lb.probes)) {
            const path = p.requestPath;
            if (oneOf(p.protocol, ["Http", "Https"]) && typeof path === "string" && path.startsWith("/") && path !== "/") {
                httpProbes.add(String(p.name).toLowerCase());
            } else {
                report(`probe ${JSON.stringify(p.name)} is ${p.protocol ?? "?"} ${path ?? ""}; it must be Http or Https on a path other than "/".`);
            }
        }
        if (httpProbes.size === 0) {
            report("there is no HTTP(S) health probe on a real path (e.g. /healthz).");
        }
        if (asArray(lb.backendAddressPools).length === 0) {
            report("there is no backend address pool.");
        }
        const rules = asArray(lb.loadBalancingRules);
        if (rules.length === 0) {
            report("there is no load-balancing rule.");
        }
        for (const r of rules) {
            const probe = probeName(r.probe);
            if (probe === undefined || !httpProbes.has(probe.toLowerCase())) {
                report(`load-balancing rule ${JSON.stringify(r.name)} does not use an HTTP(S) probe on a real path.`);
            }
        }
    },
});

interface ZoneConfig {
    requiredZones: string[];
}

export const frontendZoneRedundant = stackRule<ZoneConfig>({
    name: "public-ip-zone-redundant",
    description:
        "Every public IP behind a load balancer frontend, and every frontend that sets zones, is zone-redundant " +
        "(all of `requiredZones`), so the site address survives a zone outage. Public IPs not used by a load balancer " +
        "(the NAT gateway's: NAT gateway Standard is zonal) are outside this rule. Anchors: Azure Policy " +
        "682e4ab9-59fe-4871-9839-265b54c568c4 (public IPs zone resilient), PSRule Azure.PublicIP.AvailabilityZone " +
        "(AZR-000157) and Azure.LB.AvailabilityZone (AZR-000127). The frontend's IP is found through the load balancer's dependencies " +
        "(its id is unknown at preview); `zones` comes from config and is known at preview.",
    appliesTo: [T.lb],
    schema: {
        requiredZones: { type: "array", items: { type: "string" }, minItems: 1, default: ["1", "2", "3"], description: "Zones a frontend IP must span." },
    },
    validate: ({ cfg, ofType, report, exempt }) => {
        const missing = (zones: unknown) => {
            const have = new Set(asArray(zones).map(String));
            return cfg.requiredZones.filter((z) => !have.has(String(z)));
        };
        for (const lb of ofType(T.lb)) {
            for (const fe of asArray(lb.props.frontendIPConfigurations)) {
                if (has(fe, "zones") && missing(fe.zones).length > 0) {
                    report(lb, `frontend ${JSON.stringify(fe.name)} is pinned to zones [${asArray(fe.zones).join(", ")}]; it must span ${cfg.requiredZones.join(", ")}.`);
                }
            }
            const pips = (lb.propertyDependencies["frontendIPConfigurations"] ?? linked(lb)).filter((d) => d.type === T.pip && !exempt(d));
            for (const pip of pips) {
                const lack = missing(has(pip.props, "zones") ? pip.props.zones : []);
                if (lack.length > 0) {
                    report(pip, `public IP of load balancer ${lb.name} is in zones [${asArray(pip.props.zones).join(", ")}]; it lacks ${lack.join(", ")}.`);
                }
            }
        }
    },
});

interface MysqlHaConfig {
    allowSameZoneHa: boolean;
}

export const mysqlHighAvailability = resourceRule<MysqlHaConfig>({
    name: "mysql-ha-zone-redundant",
    description:
        "MySQL Flexible Server runs high availability ZoneRedundant with its standby in another zone (SameZone only when " +
        "`allowSameZoneHa`), on a tier that has HA (not Burstable), so a zone outage fails over instead of taking Redmine " +
        "down. Anchor: Azure Policy 493c215d-2554-5976-bc81-57d2c04fc8c1 (MySQL flexible zone resilient). Known at preview.",
    types: [T.mysql],
    schema: {
        allowSameZoneHa: { type: "boolean", default: false, description: "Accept SameZone HA (protects from node, not zone, failure)." },
    },
    validate: (db, _args, cfg, report) => {
        const mode = db.highAvailability?.mode ?? "Disabled";
        const allowed = cfg.allowSameZoneHa ? ["ZoneRedundant", "SameZone"] : ["ZoneRedundant"];
        if (!oneOf(mode, allowed)) {
            report(`highAvailability.mode is ${JSON.stringify(mode)}; it must be ${allowed.join(" or ")}.`);
        }
        if (same(mode, "ZoneRedundant")) {
            const standby = db.highAvailability?.standbyAvailabilityZone;
            if (standby !== undefined && db.availabilityZone !== undefined && String(standby) === String(db.availabilityZone)) {
                report(`the standby is in zone ${standby}, the same zone as the primary; put it in another zone.`);
            }
        }
        if (same(db.sku?.tier, "Burstable")) {
            report("sku.tier is Burstable, which has no high availability; use GeneralPurpose or MemoryOptimized.");
        }
    },
});

interface StorageSkuConfig {
    allowedStorageSkus: string[];
}

export const storageRedundantSku = resourceRule<StorageSkuConfig>({
    name: "storage-account-redundant-sku",
    description:
        "The storage account that holds Redmine's attachments (Azure Files) and the DB dumps uses a zone- or " +
        "geo-redundant SKU from `allowedStorageSkus`, so a zone failure loses no file. Anchors: Azure Policy " +
        "85b005b2-95fc-4953-b9cb-f9ee6427c754 (zone redundant) and bf045164-79ba-4215-8f95-f8048dc1780b (geo-redundant), " +
        "checkov CKV_AZURE_206, trivy AZU-0058, PSRule Azure.Storage.UseReplication (AZR-000195). Known at preview.",
    types: [T.storageAccount],
    schema: {
        allowedStorageSkus: {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            default: ["Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS", "Premium_ZRS"],
            description: "Storage SKUs that count as redundant.",
        },
    },
    validate: (acct, _args, cfg, report) => {
        const sku = acct.sku?.name;
        if (!oneOf(sku, cfg.allowedStorageSkus)) {
            report(`sku.name is ${JSON.stringify(sku ?? "unset")}; allowed: ${cfg.allowedStorageSkus.join(", ")}.`);
        }
    },
});

interface VaultRedundancyConfig {
    allowedVaultRedundancy: string[];
}

export const vaultRedundancy = resourceRule<VaultRedundancyConfig>({
    name: "recovery-vault-redundant-storage",
    description:
        "The Recovery Services vault stores backups geo- or zone-redundantly (`allowedVaultRedundancy`) and says so " +
        "explicitly: Azure only lets this change before the first item is protected. Anchors: Azure Policy " +
        "ae243d87-5cf3-4dce-90bd-6d62be328de3 (Backup zone redundant) and 8f09fda1-91a2-4e14-96a2-67c6281158f7, PSRule " +
        "Azure.RSV.StorageType (AZR-000170). Known at preview.",
    types: [T.vault],
    schema: {
        allowedVaultRedundancy: {
            type: "array",
            items: { type: "string", enum: ["GeoRedundant", "ZoneRedundant", "LocallyRedundant"] },
            minItems: 1,
            default: ["GeoRedundant", "ZoneRedundant"],
            description: "Accepted properties.redundancySettings.standardTierStorageRedundancy values.",
        },
    },
    validate: (vault, _args, cfg, report) => {
        const value = vault.properties?.redundancySettings?.standardTierStorageRedundancy;
        if (!oneOf(value, cfg.allowedVaultRedundancy)) {
            report(
                `properties.redundancySettings.standardTierStorageRedundancy is ${JSON.stringify(value ?? "unset")}; ` +
                    `allowed: ${cfg.allowedVaultRedundancy.join(", ")}.`,
            );
        }
    },
});

export const redundancyPolicies = [
    webNodesSpread,
    loadBalancerProbe,
    frontendZoneRedundant,
    mysqlHighAvailability,
    storageRedundantSku,
    vaultRedundancy,
];
