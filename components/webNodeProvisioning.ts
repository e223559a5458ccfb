import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import {
    NODE_STEPS, NodeStepName, NodeValues, StepPlan, StepShape, encodeSecrets, nodeStepShape, planNodeStep, remoteCommand, sha256, stepTrigger,
} from "../provision/steps";

/** How remote commands reach a node: the load balancer's inbound NAT rule for it. */
export interface SshEndpoint {
    /** The load balancer's public IP. */
    host: pulumi.Input<string>;
    /** The node's inbound NAT port (50001, 50002, ...). */
    port: pulumi.Input<number>;
    /** VM admin user: passwordless sudo, no requiretty. */
    user: string;
    /** Secret. */
    privateKey: pulumi.Input<string>;
}

/** Plain values from stack config. */
export interface RedmineSettings {
    /** e.g. redmine.example.com */
    hostname: string;
    /** thin processes per node (default 2). */
    thinWorkers: number;
    /** nginx client_max_body_size and Redmine's attachment_max_size. */
    maxUploadMb: number;
    /** Optional mirror for the ruby-build, ruby and Redmine tarballs (same file names). */
    downloadBaseUrl?: string;
    smtp?: { host: string; port: number; user?: string; from: string };
    /** IANA zone of the node clocks: the legacy server's (Redmine 2.6 stores local times). */
    timeZone?: string;
}

export interface WebNodeProvisioningArgs {
    /** 1-based node number. */
    index: number;
    ssh: SshEndpoint;
    /** The VM: waiting for SSH starts after it. */
    vm: pulumi.Resource;
    redmine: RedmineSettings;
    database: { host: pulumi.Input<string>; name: string; user: string; password: pulumi.Input<string> };
    files: { accountName: pulumi.Input<string>; shareName: pulumi.Input<string>; accountKey: pulumi.Input<string> };
    /** Secret, identical on all nodes. */
    secretToken: pulumi.Input<string>;
    /** Secrets; absent means port 80 only. */
    tls?: { certificatePem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> };
    /** Secret. */
    smtpPassword?: pulumi.Input<string>;
    /** Secret: the legacy configuration.yml's database_cipher_key, when it had one. */
    databaseCipherKey?: pulumi.Input<string>;
}

/** SSH connection of a node; `waitForever` only for the first step, while the VM boots. */
export function sshConnection(ssh: SshEndpoint, waitForever = false): command.types.input.remote.ConnectionArgs {
    return {
        host: ssh.host,
        port: ssh.port,
        user: ssh.user,
        privateKey: pulumi.secret(ssh.privateKey),
        dialErrorLimit: waitForever ? -1 : 20,
        perDialTimeout: 30,
    };
}

/** Options every provisioning command shares; the secret-safe ones when the step reads secrets. */
export function commandArgs(
    p: StepShape,
    connection: command.types.input.remote.ConnectionArgs,
    create: pulumi.Input<string>,
    trigger: pulumi.Input<string>,
    stdin?: pulumi.Input<string>,
): command.remote.CommandArgs {
    const args: command.remote.CommandArgs = {
        connection,
        create,
        triggers: [trigger],
        addPreviousOutputInEnv: false,
        logging: p.secrets.length > 0 ? "none" : "stdoutAndStderr",
    };
    if (stdin !== undefined) {
        args.stdin = pulumi.secret(stdin);
    }
    return args;
}

export function commandOptions(p: StepShape, parent: pulumi.Resource, dependsOn: pulumi.Input<pulumi.Resource>[]): pulumi.CustomResourceOptions {
    return {
        parent,
        dependsOn,
        customTimeouts: { create: p.timeout, update: p.timeout },
        additionalSecretOutputs: p.secrets.length > 0 ? ["stdout", "stderr"] : undefined,
    };
}

/**
 * Installs and configures one web node through remote commands over SSH, one Command per
 * step (provision/steps.ts), so `pulumi preview --diff` names the step that reruns.
 * Only the config step reads the database host and only the mount step the share, so
 * package installs, the Ruby build and the Redmine install never wait for them.
 */
export class WebNodeProvisioning extends pulumi.ComponentResource {
    /** In execution order (mocks cannot see dependsOn). */
    readonly steps: command.remote.Command[];
    /** The last install/config step: Redmine installed and configured, share mounted, thin units enabled (not started). */
    readonly ready: command.remote.Command;
    /**
     * The share mounted (which comes after base: mysql client, rsync, the MySQL CA bundle): all
     * the data migration needs on node 1, so it overlaps the Ruby build instead of waiting for it.
     */
    readonly toolsReady: command.remote.Command;
    /** Hash of every step's trigger on this node: the rollout restarts the node when it changes. */
    readonly revision: pulumi.Output<string>;

    constructor(name: string, args: WebNodeProvisioningArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:provision:WebNodeProvisioning", name, {}, opts);
        if (!Number.isInteger(args.index) || args.index < 1) {
            throw new Error(`WebNodeProvisioning ${name}: index must be a 1-based node number, got ${args.index}`);
        }
        if (!args.ssh?.user) {
            throw new Error(`WebNodeProvisioning ${name}: ssh.user is required`);
        }
        if (!args.vm) {
            throw new Error(`WebNodeProvisioning ${name}: vm is required`);
        }

        const base: NodeValues = {
            index: args.index,
            redmine: { ...args.redmine, thinWorkers: args.redmine.thinWorkers ?? 2 },
            tls: args.tls !== undefined,
            smtpPassword: args.smtpPassword !== undefined,
            cipherKey: args.databaseCipherKey !== undefined,
        };
        const secretInputs: Record<string, pulumi.Input<string> | undefined> = {
            TLS_CERTIFICATE: args.tls?.certificatePem,
            TLS_PRIVATE_KEY: args.tls?.privateKeyPem,
            DB_PASSWORD: args.database.password,
            SECRET_TOKEN: args.secretToken,
            SMTP_PASSWORD: args.smtpPassword,
            DATABASE_CIPHER_KEY: args.databaseCipherKey,
            STORAGE_KEY: args.files.accountKey,
        };

        // Each step's plan from exactly the Outputs it needs, so its dependencies stay minimal.
        const planOf = (step: NodeStepName): pulumi.Output<StepPlan> => {
            switch (step) {
                case "config":
                    return pulumi.output(args.database.host).apply(host =>
                        planNodeStep(step, { ...base, database: { host, name: args.database.name, user: args.database.user } }));
                case "mount":
                    return pulumi.all([args.files.accountName, args.files.shareName]).apply(([accountName, shareName]) =>
                        planNodeStep(step, { ...base, files: { accountName, shareName } }));
                default:
                    return pulumi.output(planNodeStep(step, base));
            }
        };

        const connection = sshConnection(args.ssh);
        // A rebuilt VM keeps its address and NAT port, so only its id tells the steps to run again.
        const vmId: pulumi.Input<string> = args.vm instanceof pulumi.CustomResource ? args.vm.id : "";
        const byName = new Map<NodeStepName, command.remote.Command>();
        const triggers: pulumi.Output<string>[] = [];
        for (const step of NODE_STEPS) {
            const shape = nodeStepShape(step, base);
            const planned = planOf(step);
            const create = planned.apply(remoteCommand);
            const trigger = planned.apply(stepTrigger);
            triggers.push(trigger);
            let stdin: pulumi.Output<string> | undefined;
            if (shape.secrets.length > 0) {
                const needed: Record<string, pulumi.Input<string>> = {};
                for (const s of shape.secrets) {
                    const v = secretInputs[s];
                    if (v === undefined) {
                        throw new Error(`WebNodeProvisioning ${name}: step ${step} needs secret ${s}`);
                    }
                    needed[s] = v;
                }
                stdin = pulumi.all(needed).apply(values => encodeSecrets(shape.secrets, values));
            }
            const dependsOn: pulumi.Resource[] = step === "wait-ssh" ? [args.vm] : shape.after.map(a => byName.get(a)!);
            const cmdArgs = commandArgs(shape, step === "wait-ssh" ? sshConnection(args.ssh, true) : connection, create, trigger, stdin);
            cmdArgs.triggers = [trigger, vmId];
            const cmd = new command.remote.Command(`${name}-${step}`, cmdArgs, commandOptions(shape, this, dependsOn));
            byName.set(step, cmd);
        }

        this.steps = NODE_STEPS.map(s => byName.get(s)!);
        this.ready = byName.get("services")!;
        this.toolsReady = byName.get("mount")!;
        // What the running app was started with: every step and the VM. Secrets stay out of it
        // (no trigger carries a secret, not even hashed): the config step restarts the workers
        // itself when a secret file changed.
        this.revision = pulumi.all([pulumi.all(triggers), vmId]).apply(([ts, id]) => sha256([...ts, `vm:${id}`].join("\n")));
        this.registerOutputs({ revision: this.revision });
    }
}
