import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

export interface NetworkArgs {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** Who may SSH (port 22) to the web nodes. */
    adminCidrs: string[];
    addressSpace?: string;
    webSubnetPrefix?: string;
    dbSubnetPrefix?: string;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * VNet with a `web` subnet (NSG, NAT gateway for explicit outbound: new subnets get no default
 * outbound access) and a `db` subnet delegated to MySQL Flexible Server.
 */
export class Network extends pulumi.ComponentResource {
    readonly vnetId: pulumi.Output<string>;
    readonly webSubnetId: pulumi.Output<string>;
    readonly dbSubnetId: pulumi.Output<string>;
    readonly webSubnetPrefix: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:network:Network", name, {}, opts);
        if (args.adminCidrs.length === 0) throw new Error("Network: adminCidrs must list at least one CIDR");
        const addressSpace = args.addressSpace ?? "10.20.0.0/16";
        this.webSubnetPrefix = args.webSubnetPrefix ?? "10.20.1.0/24";
        const dbSubnetPrefix = args.dbSubnetPrefix ?? "10.20.2.0/24";
        const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
        const inbound = { direction: "Inbound", protocol: "Tcp", sourcePortRange: "*" } as const;

        const webNsg = new network.NetworkSecurityGroup(`${name}-web-nsg`, {
            ...common,
            securityRules: [
                { ...inbound, name: "allow-http-internet", priority: 100, access: "Allow", sourceAddressPrefix: "Internet", destinationAddressPrefix: this.webSubnetPrefix, destinationPortRange: "80" },
                { ...inbound, name: "allow-https-internet", priority: 110, access: "Allow", sourceAddressPrefix: "Internet", destinationAddressPrefix: this.webSubnetPrefix, destinationPortRange: "443" },
                // The LB health probe comes from 168.63.129.16, tagged AzureLoadBalancer.
                { ...inbound, name: "allow-lb-probe", priority: 120, access: "Allow", sourceAddressPrefix: "AzureLoadBalancer", destinationAddressPrefix: this.webSubnetPrefix, destinationPortRange: "80" },
                { ...inbound, name: "allow-ssh-admins", priority: 200, access: "Allow", sourceAddressPrefixes: args.adminCidrs, destinationAddressPrefix: this.webSubnetPrefix, destinationPortRange: "22" },
                { ...inbound, name: "deny-all-inbound", priority: 4096, access: "Deny", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "*" },
            ],
        }, { parent: this });

        const dbNsg = new network.NetworkSecurityGroup(`${name}-db-nsg`, {
            ...common,
            securityRules: [
                { ...inbound, name: "allow-mysql-web", priority: 100, access: "Allow", sourceAddressPrefix: this.webSubnetPrefix, destinationAddressPrefix: dbSubnetPrefix, destinationPortRange: "3306" },
                // Primary and HA standby replicate inside the delegated subnet.
                { ...inbound, name: "allow-db-subnet-internal", priority: 110, access: "Allow", protocol: "*", sourceAddressPrefix: dbSubnetPrefix, destinationAddressPrefix: dbSubnetPrefix, destinationPortRange: "*" },
                { ...inbound, name: "deny-vnet-inbound", priority: 4000, access: "Deny", protocol: "*", sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "*", destinationPortRange: "*" },
            ],
        }, { parent: this });

        // NAT gateway (Standard) is zonal or regional, not zone-redundant, so its address has no zones.
        const natIp = new network.PublicIPAddress(`${name}-nat-ip`, {
            ...common,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
        }, { parent: this });
        const nat = new network.NatGateway(`${name}-nat`, {
            ...common,
            sku: { name: "Standard" },
            idleTimeoutInMinutes: 10,
            publicIpAddresses: [{ id: natIp.id }],
        }, { parent: this });

        const vnet = new network.VirtualNetwork(`${name}-vnet`, {
            ...common,
            addressSpace: { addressPrefixes: [addressSpace] },
        }, { parent: this }); // no inline subnets: azure-native keeps the Subnet resources below

        const webSubnet = new network.Subnet(`${name}-web`, {
            resourceGroupName: args.resourceGroupName,
            virtualNetworkName: vnet.name,
            subnetName: "web",
            addressPrefix: this.webSubnetPrefix,
            networkSecurityGroup: { id: webNsg.id },
            natGateway: { id: nat.id },
            defaultOutboundAccess: false,
            // The storage account only accepts traffic from this subnet.
            serviceEndpoints: [{ service: "Microsoft.Storage" }],
        }, { parent: this });

        const dbSubnet = new network.Subnet(`${name}-db`, {
            resourceGroupName: args.resourceGroupName,
            virtualNetworkName: vnet.name,
            subnetName: "db",
            addressPrefix: dbSubnetPrefix,
            networkSecurityGroup: { id: dbNsg.id },
            defaultOutboundAccess: false,
            delegations: [{ name: "mysql-flexible", serviceName: "Microsoft.DBforMySQL/flexibleServers" }],
        }, { parent: this, dependsOn: [webSubnet] }); // subnets of one VNet are updated one at a time by ARM

        this.vnetId = vnet.id;
        this.webSubnetId = webSubnet.id;
        this.dbSubnetId = dbSubnet.id;
        this.registerOutputs({ vnetId: this.vnetId, webSubnetId: this.webSubnetId, dbSubnetId: this.dbSubnetId });
    }
}
