import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import type { ImageReference } from "../config";

export interface WebNodeArgs {
    /** 1-based node number. */
    index: number;
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    backendPoolId: pulumi.Input<string>;
    sshNatRuleId: pulumi.Input<string>;
    zone: string;
    vmSize: string;
    image: ImageReference;
    osDiskType: string;
    adminUser: string;
    sshPublicKey: string;
    computerName: string;
    tags?: Record<string, string>;
}

/**
 * One web VM: a NIC in the LB backend pool with its SSH NAT rule, no public IP, SSH key login only.
 * Stateless by design (state lives in MySQL and the file share), so it is tagged and rebuilt, not backed up.
 */
export class WebNode extends pulumi.ComponentResource {
    readonly vm: compute.VirtualMachine;
    readonly privateIp: pulumi.Output<string>;

    constructor(name: string, args: WebNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:web:WebNode", name, {}, opts);
        if (!Number.isInteger(args.index) || args.index < 1) throw new Error(`WebNode: index must be 1 or more, got ${args.index}`);

        const nic = new network.NetworkInterface(`${name}-nic`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            ipConfigurations: [{
                name: "ipconfig",
                primary: true,
                subnet: { id: args.subnetId },
                privateIPAllocationMethod: "Dynamic",
                loadBalancerBackendAddressPools: [{ id: args.backendPoolId }],
                loadBalancerInboundNatRules: [{ id: args.sshNatRuleId }],
            }],
            tags: args.tags,
        }, { parent: this });

        this.vm = new compute.VirtualMachine(`${name}-vm`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            zones: [args.zone],
            hardwareProfile: { vmSize: args.vmSize },
            storageProfile: {
                imageReference: { ...args.image },
                osDisk: { createOption: "FromImage", caching: "ReadWrite", diskSizeGB: 64, deleteOption: "Delete", managedDisk: { storageAccountType: args.osDiskType } },
            },
            osProfile: {
                computerName: args.computerName,
                adminUsername: args.adminUser,
                linuxConfiguration: {
                    disablePasswordAuthentication: true,
                    ssh: { publicKeys: [{ path: `/home/${args.adminUser}/.ssh/authorized_keys`, keyData: args.sshPublicKey }] },
                    provisionVMAgent: true,
                },
            },
            networkProfile: { networkInterfaces: [{ id: nic.id, primary: true, deleteOption: "Delete" }] },
            diagnosticsProfile: { bootDiagnostics: { enabled: true } },
            tags: { ...args.tags, "redmine:role": "web", "redmine:stateless": "true", "redmine:node": String(args.index) },
        }, { parent: this });

        this.privateIp = nic.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "");
        this.registerOutputs({ privateIp: this.privateIp });
    }
}
