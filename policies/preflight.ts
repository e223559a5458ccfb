/**
 * Preflight: what Azure would reject at `pulumi up` although `pulumi preview` lets it through
 * (the provider does not validate these). Catching them in the PR saves a half-applied `up`.
 * Mandatory in every stack.
 */
import { PolicyResource } from "@pulumi/policy";
import { asArray, has, linked, resourceRule, same, stackRule, T } from "./common";

export const publicIpStandardStatic = resourceRule({
    name: "public-ip-standard-static",
    description:
        "Public IPs are Standard SKU with Static allocation: Basic public IPs were retired on 30 September 2025 and Azure " +
        "rejects a Standard IP with Dynamic allocation. Unset SKU means Basic on older API versions. Anchor: PSRule " +
        "Azure.PublicIP.StandardSKU (AZR-000158). Known at preview.",
    types: [T.pip],
    validate: (pip, _args, _cfg, report) => {
        if (!same(pip.sku?.name, "Standard")) {
            report(`sku.name is ${JSON.stringify(pip.sku?.name ?? "unset (Basic)")}; it must be "Standard".`);
        } else if (!same(pip.publicIPAllocationMethod, "Static")) {
            report(`publicIPAllocationMethod is ${JSON.stringify(pip.publicIPAllocationMethod ?? "unset (Dynamic)")}; a Standard IP must be "Static".`);
        }
    },
});

export const lbPublicIpSku = stackRule({
    name: "lb-public-ip-sku-matches",
    description:
        "A Standard load balancer's frontend public IPs are Standard too: Azure rejects a Standard LB with a Basic IP " +
        "(\"SKU mismatch\"). The IP is found through the LB's dependencies because its id is unknown at preview; the SKUs " +
        "are known at preview. No anchor; custom.",
    appliesTo: [T.lb],
    validate: ({ ofType, report, exempt }) => {
        for (const lb of ofType(T.lb)) {
            if (!same(lb.props.sku?.name, "Standard")) {
                continue;
            }
            const pips = (lb.propertyDependencies["frontendIPConfigurations"] ?? linked(lb)).filter((d) => d.type === T.pip && !exempt(d));
            for (const pip of pips) {
                if (!same(pip.props.sku?.name, "Standard")) {
                    report(pip, `public IP SKU ${JSON.stringify(pip.props.sku?.name ?? "unset (Basic)")} on Standard load balancer ${lb.name}; Azure rejects the mismatch.`);
                }
            }
        }
    },
});

export const storageAccountName = resourceRule({
    name: "storage-account-name-valid",
    description:
        "An explicit storage accountName is 3 to 24 lowercase letters and digits, Azure's rule for a name that is also a DNS " +
        "label (`<name>.file.core.windows.net`); the provider only finds out at `up`. Global uniqueness can only be checked " +
        "at `up`. Anchor: PSRule Azure.Storage.Name (AZR-000201). Known at preview.",
    types: [T.storageAccount],
    validate: (acct, _args, _cfg, report) => {
        if (!has(acct, "accountName")) {
            return;
        }
        const name = acct.accountName;
        if (typeof name !== "string" || !/^[a-z0-9]{3,24}$/.test(name)) {
            report(`accountName ${JSON.stringify(name)} must be 3-24 lowercase letters and digits.`);
        }
    },
});

export const mysqlHaTier = resourceRule({
    name: "mysql-ha-tier-supported",
    description:
        "High availability is only requested where Azure offers it: not on the Burstable tier, and with ZoneRedundant the " +
        "standby zone differs from the primary's. Azure rejects both at `up`. Anchor: Azure Database for MySQL flexible " +
        "server HA limitations (no policy id). Known at preview.",
    types: [T.mysql],
    validate: (db, _args, _cfg, report) => {
        const mode = db.highAvailability?.mode;
        const ha = mode !== undefined && !same(mode, "Disabled");
        if (ha && same(db.sku?.tier, "Burstable")) {
            report(`highAvailability.mode ${JSON.stringify(mode)} on the Burstable tier, which has no HA; Azure rejects it.`);
        }
        const standby = db.highAvailability?.standbyAvailabilityZone;
        if (same(mode, "ZoneRedundant") && standby !== undefined && String(standby) === String(db.availabilityZone)) {
            report(`ZoneRedundant HA with the standby in the primary's zone (${standby}); Azure rejects it.`);
        }
    },
});

const MYSQL_DNS_SUFFIX = ".mysql.database.azure.com";
const MYSQL_DELEGATION = "Microsoft.DBforMySQL/flexibleServers";

function zoneNames(db: PolicyResource): string[] {
    const zones = (db.propertyDependencies["network"] ?? linked(db)).filter((d) => d.type === T.privateZone);
    if (zones.length > 0) {
        return zones.map((z) => String(z.props.privateZoneName ?? ""));
    }
    // No zone resource in the stack: the id must be a literal, so its last segment is the zone name.
    const id = db.props.network?.privateDnsZoneResourceId;
    return typeof id === "string" ? [id.split("/").pop() ?? ""] : [];
}

export const mysqlPrivateNetwork = stackRule({
    name: "mysql-private-network-valid",
    description:
        "A private (VNet-integrated) MySQL Flexible Server has both a delegated subnet and a private DNS zone; the zone's " +
        "name ends with `.mysql.database.azure.com` and the subnet is delegated to Microsoft.DBforMySQL/flexibleServers. " +
        "Azure rejects anything else at `up`. Both ids are unknown at preview, so their presence is read and the zone and " +
        "subnet are found through the server's dependencies. Anchor: Azure Policy c9299215-ae47-4f50-9c54-8a392f68a052 (reads " +
        "the same two fields); the name and delegation checks are custom.",
    appliesTo: [T.mysql],
    validate: ({ ofType, report, exempt }) => {
        for (const db of ofType(T.mysql)) {
            const net = db.props.network;
            const isPrivate = same(net?.publicNetworkAccess, "Disabled") || has(net, "delegatedSubnetResourceId") || has(net, "privateDnsZoneResourceId");
            if (!isPrivate) {
                continue;
            }
            if (!has(net, "delegatedSubnetResourceId")) {
                report(db, "private access without network.delegatedSubnetResourceId.");
            }
            if (!has(net, "privateDnsZoneResourceId")) {
                report(db, "private access without network.privateDnsZoneResourceId.");
            } else {
                for (const zone of zoneNames(db)) {
                    if (!zone.toLowerCase().endsWith(MYSQL_DNS_SUFFIX)) {
                        report(db, `private DNS zone ${JSON.stringify(zone)} does not end with ${MYSQL_DNS_SUFFIX}.`);
                    }
                }
            }
            const subnets = (db.propertyDependencies["network"] ?? linked(db)).filter((d) => d.type === T.subnet && !exempt(d));
            for (const subnet of subnets) {
                if (!asArray(subnet.props.delegations).some((d) => same(d.serviceName, MYSQL_DELEGATION))) {
                    report(subnet, `subnet used by MySQL ${db.name} is not delegated to ${MYSQL_DELEGATION}.`);
                }
            }
        }
    },
});

export const preflightPolicies = [publicIpStandardStatic, lbPublicIpSku, storageAccountName, mysqlHaTier, mysqlPrivateNetwork];
