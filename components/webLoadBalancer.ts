import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

export interface WebLoadBalancerArgs {
    resourceGroupName: string;
    location: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** Explicit ARM name: the LB's own sub-resource ids are built from it. */
    loadBalancerName: string;
    nodeCount: number;
    /** Frontend port of node 1's SSH NAT rule; node i gets sshPortBase + i - 1. */
    sshPortBase: number;
    /** DNS label of the public IP (<label>.<region>.cloudapp.azure.com), for testing before the cutover. */
    domainNameLabel: string;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const FRONTEND = "frontend";
const POOL = "web";
const PROBE = "healthz";

/**
 * Standard public LB on a zone-redundant static IP: rules 80/443 probed on /healthz, and one SSH
 * NAT rule per node, which is how the provisioning commands reach nodes that have no public IP.
 */
export class WebLoadBalancer extends pulumi.ComponentResource {
    readonly publicIp: pulumi.Output<string>;
    readonly fqdn: pulumi.Output<string>;
    readonly backendPoolId: pulumi.Output<string>;
    /** Per node (index 0 = node 1): the NAT rule id and its frontend port. */
    readonly sshNatRules: { id: pulumi.Output<string>; port: number }[];

    constructor(name: string, args: WebLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:web:WebLoadBalancer", name, {}, opts);
        if (!Number.isInteger(args.nodeCount) || args.nodeCount < 1) throw new Error(`WebLoadBalancer: nodeCount must be a positive integer, got ${args.nodeCount}`);
        if (args.sshPortBase + args.nodeCount - 1 > 65534) throw new Error("WebLoadBalancer: sshPortBase + nodeCount exceeds the port range");

        const ip = new network.PublicIPAddress(`${name}-ip`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            zones: ["1", "2", "3"],
            dnsSettings: { domainNameLabel: args.domainNameLabel },
            tags: args.tags,
        }, { parent: this });

        // Self-references inside one LB must be ARM ids; the names are fixed, so the ids are known at preview.
        const lbId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Network/loadBalancers/${args.loadBalancerName}`;
        const frontendId = pulumi.interpolate`${lbId}/frontendIPConfigurations/${FRONTEND}`;
        const poolId = pulumi.interpolate`${lbId}/backendAddressPools/${POOL}`;
        const probeId = pulumi.interpolate`${lbId}/probes/${PROBE}`;
        const rule = (ruleName: string, port: number) => ({
            name: ruleName, protocol: "Tcp", frontendPort: port, backendPort: port,
            frontendIPConfiguration: { id: frontendId }, backendAddressPool: { id: poolId }, probe: { id: probeId },
            idleTimeoutInMinutes: 15, enableTcpReset: true,
            disableOutboundSnat: true, // outbound goes through the NAT gateway
        });
        const natRules = Array.from({ length: args.nodeCount }, (_, i) => ({
            name: `ssh-node-${i + 1}`, protocol: "Tcp", frontendPort: args.sshPortBase + i, backendPort: 22,
            frontendIPConfiguration: { id: frontendId }, idleTimeoutInMinutes: 30, enableTcpReset: true,
        }));

        new network.LoadBalancer(`${name}-lb`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            loadBalancerName: args.loadBalancerName,
            sku: { name: "Standard", tier: "Regional" },
            frontendIPConfigurations: [{ name: FRONTEND, publicIPAddress: { id: ip.id } }],
            backendAddressPools: [{ name: POOL }],
            probes: [{ name: PROBE, protocol: "Http", port: 80, requestPath: "/healthz", intervalInSeconds: 5, probeThreshold: 2, numberOfProbes: 2 }],
            loadBalancingRules: [rule("http", 80), rule("https", 443)],
            inboundNatRules: natRules,
            tags: args.tags,
        }, { parent: this });

        this.publicIp = ip.ipAddress.apply((a) => a ?? "");
        this.fqdn = ip.dnsSettings.apply((d) => d?.fqdn ?? "");
        // Built from names, so known at preview; they carry no dependency: NICs using them must
        // depend on this component (stack.ts does).
        this.backendPoolId = poolId;
        this.sshNatRules = natRules.map((r) => ({ id: pulumi.interpolate`${lbId}/inboundNatRules/${r.name}`, port: r.frontendPort }));
        this.registerOutputs({ publicIp: this.publicIp, fqdn: this.fqdn });
    }
}
