import * as pulumi from "@pulumi/pulumi";
import * as ebs from "@pulumi/aws/ebs";
import * as ec2 from "@pulumi/aws/ec2";

export interface LegacySourceArgs {
    instanceId: string;
    /** EBS volumes to snapshot; by default the root volume. Every attached volume must be listed. */
    volumeIds?: string[];
    tags?: Record<string, string>;
}

/**
 * The legacy EC2 server as a lookup, plus EBS snapshots of its volumes taken before any data moves:
 * the rollback point. The snapshots are protected and retained when the stack is destroyed.
 */
export class LegacySource extends pulumi.ComponentResource {
    readonly publicIp: pulumi.Output<string>;
    readonly snapshots: ebs.Snapshot[];

    constructor(name: string, args: LegacySourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:legacy:LegacySource", name, {}, opts);
        const instance = ec2.getInstanceOutput({ instanceId: args.instanceId }, { parent: this });

        const attached = instance.apply((i) => [...i.rootBlockDevices.map((d) => d.volumeId), ...i.ebsBlockDevices.map((d) => d.volumeId)]);
        const volumeIds: pulumi.Input<string>[] = args.volumeIds ?? [instance.rootBlockDevices.apply((d) => d[0].volumeId)];
        // A volume left out would be missing from the rollback point; say which, before anything moves.
        const checkedAttached = args.volumeIds === undefined
            ? attached.apply((ids) => {
                if (ids.length > 1) throw new Error(`legacy.volumeIds: ${args.instanceId} has ${ids.length} volumes (${ids.join(", ")}); list all of them so each is snapshotted`);
                return ids;
            })
            : attached.apply((ids) => {
                const missing = ids.filter((id) => !args.volumeIds!.includes(id));
                const foreign = args.volumeIds!.filter((id) => !ids.includes(id));
                if (missing.length || foreign.length) throw new Error(`legacy.volumeIds: must be exactly the volumes attached to ${args.instanceId} (${ids.join(", ")}); missing ${missing.join(", ") || "none"}, not attached ${foreign.join(", ") || "none"}`);
                return ids;
            });

        this.snapshots = volumeIds.map((volumeId, i) => new ebs.Snapshot(`${name}-snapshot-${i + 1}`, {
            volumeId: pulumi.all([volumeId, checkedAttached]).apply(([v]) => v),
            description: `Redmine legacy ${args.instanceId}: rollback point before the Azure migration`,
            tags: { ...args.tags, Name: `${name}-rollback-${i + 1}`, "redmine:role": "legacy-rollback" },
        }, { parent: this, protect: true, retainOnDelete: true }));

        this.publicIp = instance.publicIp;
        this.registerOutputs({ publicIp: this.publicIp, snapshotIds: this.snapshots.map((s) => s.id) });
    }
}
