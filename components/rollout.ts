import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { planMigrate, planStart, remoteCommand, sha256, stepTrigger } from "../provision/steps";
import { SshEndpoint, commandArgs, commandOptions, sshConnection } from "./webNodeProvisioning";

export interface RolloutNode {
    index: number;
    ssh: SshEndpoint;
    /** The node's WebNodeProvisioning.ready. */
    ready: pulumi.Resource;
    /**
     * The node's WebNodeProvisioning.revision. When given, a change to any of the node's
     * steps also restarts its workers (and, for node 1, reruns the migration); without it the
     * start step reruns only when provision/steps/start.sh changes.
     */
    revision?: pulumi.Input<string>;
}

export interface RolloutArgs {
    /** nodes[0] is node 1. */
    nodes: RolloutNode[];
    /** e.g. the DB's Database/Configuration resources and the data-migration restore step. */
    migrateAfter?: pulumi.Input<pulumi.Resource>[];
    /** When given, the migration also sets Redmine's attachment_max_size to match nginx. */
    maxUploadMb?: number;
    /** When given, the migration also sets Redmine's emission address (RedmineSettings.smtp.from). */
    mailFrom?: string;
    /**
     * Identity of the data last restored (DataMigration.dataVersion). A restore puts the schema
     * back to the legacy version, so a new one must rerun db:migrate and restart every node.
     */
    dataVersion?: pulumi.Input<string>;
}

/**
 * Brings the app up across the nodes: the migration on node 1 only, once node 1 is ready
 * and everything in migrateAfter is done; then every node restarts its thin workers and
 * waits for /healthz. Nodes do not wait for each other, and adding a node adds only its own
 * start step.
 */
export class Rollout extends pulumi.ComponentResource {
    /** db:migrate + redmine:plugins:migrate + tmp:cache:clear on node 1. */
    readonly migrate: command.remote.Command;
    /** One per node, in node order; each after migrate and its own node's ready. */
    readonly starts: command.remote.Command[];

    constructor(name: string, args: RolloutArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:provision:Rollout", name, {}, opts);
        if (!args.nodes || args.nodes.length === 0) {
            throw new Error(`Rollout ${name}: nodes must list at least one node`);
        }
        args.nodes.forEach((n, i) => {
            if (n.index !== i + 1) {
                throw new Error(`Rollout ${name}: nodes[${i}].index must be ${i + 1}, got ${n.index}`);
            }
        });

        const first = args.nodes[0];
        const migratePlan = planMigrate({ maxUploadMb: args.maxUploadMb, mailFrom: args.mailFrom });
        const withData = (trigger: pulumi.Input<string>) => args.dataVersion === undefined
            ? pulumi.output(trigger)
            : pulumi.all([trigger, args.dataVersion]).apply(([t, d]) => sha256(`${t}\ndata:${d}`));
        const migrateTrigger = withData(first.revision === undefined
            ? stepTrigger(migratePlan)
            : pulumi.output(first.revision).apply(r => sha256(`${stepTrigger(migratePlan)}\n${r}`)));
        this.migrate = new command.remote.Command(
            `${name}-migrate`,
            commandArgs(migratePlan, sshConnection(first.ssh), remoteCommand(migratePlan), migrateTrigger),
            commandOptions(migratePlan, this, [first.ready, ...(args.migrateAfter ?? [])]),
        );

        const startPlan = planStart();
        const startCommand = remoteCommand(startPlan);
        this.starts = args.nodes.map(n => {
            // Not node 1's revision: a config change on node 1 must not restart every node at once.
            const trigger = withData(n.revision === undefined
                ? stepTrigger(startPlan)
                : pulumi.output(n.revision).apply(r => sha256(`${stepTrigger(startPlan)}\n${r}`)));
            return new command.remote.Command(
                `${name}-start-${n.index}`,
                commandArgs(startPlan, sshConnection(n.ssh), startCommand, trigger),
                commandOptions(startPlan, this, [this.migrate, n.ready]),
            );
        });
        this.registerOutputs({});
    }
}
