import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

export type CutoverPhase = "prepare" | "freeze" | "switch" | "complete";
const PHASES: CutoverPhase[] = ["prepare", "freeze", "switch", "complete"];

export interface DataMigrationArgs {
    phase: CutoverPhase;
    legacy: {
        sshHost: string;
        sshUser: string;
        /** Secret. */
        sshPrivateKey: pulumi.Input<string>;
        redmineRoot: string;
        dbName: string;
        dbUser: string;
        /** Secret. */
        dbPassword: pulumi.Input<string>;
        /** Default 22. */
        sshPort?: number;
        /** The legacy sshd's public host key ("ssh-rsa AAAA..."): pins it; without it the first connection is trusted. */
        hostKey?: string;
    };
    target: {
        /** Node 1 through the load balancer's inbound NAT rule. */
        sshHost: pulumi.Input<string>;
        sshPort: pulumi.Input<number>;
        sshUser: string;
        /** Secret. */
        sshPrivateKey: pulumi.Input<string>;
        dbHost: pulumi.Input<string>;
        dbName: string;
        dbUser: string;
        /** Secret. */
        dbPassword: pulumi.Input<string>;
        /** Where the share is mounted on node 1, e.g. /srv/redmine-files. */
        filesPath: string;
        /** CA bundle on node 1 for TLS to Azure MySQL; default /etc/pki/tls/certs/azure-mysql-ca.pem. */
        dbSslCa?: string;
        /** 600 file on node 1 that receives database_cipher_key and the secret token; default /etc/redmine/legacy-secrets.yml. */
        secretsFile?: string;
    };
    /** Node 1 ready + DB ready + legacy snapshots: the rollback point exists before data moves. */
    after: pulumi.Input<pulumi.Resource>[];
}

/** What the orchestrator runs; their content is the steps' trigger. */
const SCRIPT_DIR = path.join(__dirname, "..", "provision", "migration");
const PHASE_SCRIPTS = ["phase.sh", "lib.sh", "dump.sh", "restore.sh", "verify.sh", "files-sync.sh", "maintenance.sh", "secrets-copy.sh"];
/** Relative to the project directory (Pulumi's working directory), so moving the checkout changes nothing. */
const PHASE_COMMAND = "bash provision/migration/phase.sh";
/** Every input of a step: after the freeze nothing may make a data step run again. */
const ALL_INPUTS = ["create", "delete", "update", "environment", "stdin", "triggers", "logging", "addPreviousOutputInEnv", "interpreter", "dir"];

export function migrationScriptsHash(): string {
    const h = crypto.createHash("sha256");
    for (const f of PHASE_SCRIPTS) {
        h.update(`${f}\n`);
        h.update(fs.readFileSync(path.join(SCRIPT_DIR, f)));
    }
    return h.digest("hex");
}

function required(value: unknown, arg: string): void {
    if (typeof value === "string" && value.trim() === "") throw new Error(`DataMigration: ${arg} must not be empty`);
    if (value === undefined || value === null) throw new Error(`DataMigration: ${arg} is required`);
}

/**
 * Moves the legacy data to Azure per cutover phase, by running provision/migration/phase.sh
 * locally (the legacy CentOS 5 sshd needs the system ssh client and its SHA-1 options):
 * - prepare: files/ pre-sync and a rehearsal dump -> restore -> verify; legacy stays live.
 * - freeze: maintenance page on legacy, final dump -> restore -> verify, final files/ delta
 *   and check, cipher key and token copied. A mismatch fails the update, so DNS (which waits
 *   on `restored`) stays where it was. Removing this step (back to prepare) turns the
 *   maintenance page off again.
 * - switch, complete: nothing moves; both steps are pinned (ignoreChanges on every input) so
 *   no script or config change can rerun a data step over writes made on Azure.
 * Secrets reach the script on stdin only; the commands log nothing.
 */
export class DataMigration extends pulumi.ComponentResource {
    /** The last step of this phase (its verification passed). Rollout's migrate and DnsCutover wait on it. */
    readonly restored: pulumi.Resource;
    /** Changes only when data was moved again (the restored step's id): a trigger for the migrate that follows. */
    readonly dataVersion: pulumi.Output<string>;

    constructor(name: string, args: DataMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redmine:migration:DataMigration", name, {}, opts);
        if (!PHASES.includes(args.phase)) {
            throw new Error(`DataMigration: phase must be one of ${PHASES.join(", ")}, got "${args.phase}"`);
        }
        required(args.legacy, "legacy");
        required(args.target, "target");
        for (const key of ["sshHost", "sshUser", "sshPrivateKey", "redmineRoot", "dbName", "dbUser", "dbPassword"] as const) {
            required(args.legacy[key], `legacy.${key}`);
        }
        for (const key of ["sshHost", "sshPort", "sshUser", "sshPrivateKey", "dbHost", "dbName", "dbUser", "dbPassword", "filesPath"] as const) {
            required(args.target[key], `target.${key}`);
        }
        if (!args.after || args.after.length === 0) {
            throw new Error("DataMigration: after must list node 1, the database and the legacy snapshots (the rollback point comes first)");
        }

        const environment = pulumi.all([args.target.sshHost, args.target.sshPort, args.target.dbHost]).apply(([sshHost, sshPort, dbHost]) => {
            const env: Record<string, string> = {
                LEGACY_SSH_HOST: args.legacy.sshHost,
                LEGACY_SSH_PORT: String(args.legacy.sshPort ?? 22),
                LEGACY_SSH_USER: args.legacy.sshUser,
                LEGACY_REDMINE_ROOT: args.legacy.redmineRoot,
                LEGACY_DB_NAME: args.legacy.dbName,
                LEGACY_DB_USER: args.legacy.dbUser,
                TARGET_SSH_HOST: sshHost,
                TARGET_SSH_PORT: String(sshPort),
                TARGET_SSH_USER: args.target.sshUser,
                TARGET_DB_HOST: dbHost,
                TARGET_DB_NAME: args.target.dbName,
                TARGET_DB_USER: args.target.dbUser,
                TARGET_DB_SSL_CA: args.target.dbSslCa ?? "/etc/pki/tls/certs/azure-mysql-ca.pem",
                TARGET_FILES_PATH: args.target.filesPath,
                TARGET_LEGACY_KEYS_FILE: args.target.secretsFile ?? "/etc/redmine/legacy-secrets.yml",
            };
            if (args.legacy.hostKey) env.LEGACY_HOST_KEY = args.legacy.hostKey;
            return env;
        });
        // NAME=base64(value) lines, the format phase.sh reads; secret end to end.
        const stdin = pulumi.secret(pulumi.all([args.legacy.sshPrivateKey, args.target.sshPrivateKey, args.legacy.dbPassword, args.target.dbPassword])
            .apply(([legacyKey, targetKey, legacyPw, targetPw]) => [
                `LEGACY_SSH_KEY=${Buffer.from(legacyKey).toString("base64")}`,
                `TARGET_SSH_KEY=${Buffer.from(targetKey).toString("base64")}`,
                `LEGACY_DB_PASSWORD=${Buffer.from(legacyPw).toString("base64")}`,
                `TARGET_DB_PASSWORD=${Buffer.from(targetPw).toString("base64")}`,
            ].join("\n") + "\n"));
        const scriptsHash = migrationScriptsHash();

        const step = (stepPhase: "prepare" | "freeze", extra: Partial<command.local.CommandArgs>, dependsOn: pulumi.Input<pulumi.Resource>[], deleteBeforeReplace = false) =>
            new command.local.Command(`${name}-${stepPhase}`, {
                create: `${PHASE_COMMAND} ${stepPhase}`,
                environment,
                stdin,
                triggers: [stepPhase, scriptsHash],
                logging: "none",
                addPreviousOutputInEnv: false,
                ...extra,
            }, {
                parent: this,
                dependsOn,
                deleteBeforeReplace,
                additionalSecretOutputs: ["stdout", "stderr"],
                // Pinned once a later phase owns the data (see the class comment).
                ignoreChanges: args.phase === stepPhase ? [] : ALL_INPUTS,
            });

        const prepare = step("prepare", {}, args.after);
        let last: command.local.Command = prepare;
        if (args.phase !== "prepare") {
            // deleteBeforeReplace: a replaced freeze must lift the old maintenance page BEFORE the new
            // one goes up and re-dumps, never after (that would reopen legacy for writes).
            last = step("freeze", { delete: `${PHASE_COMMAND} unfreeze` }, [...args.after, prepare], true);
        }
        this.restored = last;
        this.dataVersion = last.id;
        this.registerOutputs({ dataVersion: this.dataVersion });
    }
}
