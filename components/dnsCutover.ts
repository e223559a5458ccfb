import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import * as route53 from "@pulumi/aws/route53";
import type { CutoverPhase } from "../config";
import { dnsIntent } from "../cutover";

export interface DnsCutoverArgs {
    phase: CutoverPhase;
    zoneId: string;
    recordName: string;
    /** Role in the customer's AWS account that may change this record. */
    roleArn: string;
    externalId: pulumi.Input<string>;
    region: string;
    cutoverTtl: number;
    normalTtl: number;
    legacyAddress: pulumi.Input<string>;
    azureAddress: pulumi.Input<string>;
    /** The phase after the rollback check; the record waits for it, so a refused change touches nothing. */
    approvedPhase: pulumi.Input<CutoverPhase>;
    /** What must be true before the record may move: data verified, every node serving. */
    after?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The customer's Route 53 A record, adopted with `import` (never deleted and recreated), reached
 * through a provider that assumes the customer's role. Only the phase decides its value and TTL.
 */
export class DnsCutover extends pulumi.ComponentResource {
    readonly target: pulumi.Output<string>;
    readonly ttl: number;

    constructor(name: string, args: DnsCutoverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:cutover:DnsCutover", name, {}, opts);
        const intent = dnsIntent(args.phase);
        this.ttl = intent.ttl === "cutover" ? args.cutoverTtl : args.normalTtl;

        const provider = new Provider(`${name}-customer-dns`, {
            region: args.region,
            assumeRoles: [{ roleArn: args.roleArn, externalId: args.externalId, sessionName: "redmine-cutover" }],
        }, { parent: this });

        const address = intent.target === "azure" ? args.azureAddress : args.legacyAddress;
        this.target = pulumi.all([args.approvedPhase, address]).apply(([, a]) => a);
        const recordName = args.recordName.replace(/\.$/, "");
        new route53.Record(`${name}-record`, {
            zoneId: args.zoneId,
            name: recordName,
            type: "A",
            ttl: this.ttl,
            records: [this.target],
        }, {
            parent: this,
            provider,
            import: `${args.zoneId}_${recordName}_A`,
            dependsOn: args.after,
            protect: true,
            retainOnDelete: true, // the customer's record outlives this stack
        });

        this.registerOutputs({ phase: args.phase, ttl: this.ttl, target: this.target, recordName });
    }
}
