/**
 * DataMigration under Pulumi mocks: per phase, which local commands exist, what they run,
 * what they wait on, that no secret is in plain text anywhere, and that after the freeze no
 * data step can run again.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { CutoverPhase, DataMigration, DataMigrationArgs, migrationScriptsHash } from "../../components/dataMigration";
import { RecordedResource } from "../../tools/recording";
import { isSecretValue } from "../../tools/recording";
import { ofType, plain, plainStrings, recordComponent } from "../support/recorded";

const SECRETS = {
    legacyKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nlegacy-private-key-material\n-----END OPENSSH PRIVATE KEY-----\n",
    targetKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnode1-private-key-material\n-----END OPENSSH PRIVATE KEY-----\n",
    legacyPw: "legacy-db-password-5.1",
    targetPw: "azure-db-password-5.7",
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

function args(phase: CutoverPhase, overrides: Partial<DataMigrationArgs> = {}): DataMigrationArgs {
    const ready = new command.local.Command("node1-ready", { create: "true" });
    return {
        phase,
        legacy: {
            sshHost: "203.0.113.10", sshUser: "root", sshPrivateKey: pulumi.secret(SECRETS.legacyKey),
            redmineRoot: "/var/www/redmine", dbName: "redmine", dbUser: "redmine", dbPassword: pulumi.secret(SECRETS.legacyPw),
        },
        target: {
            sshHost: pulumi.output("20.1.2.3"), sshPort: pulumi.output(50001), sshUser: "azureuser", sshPrivateKey: pulumi.secret(SECRETS.targetKey),
            dbHost: pulumi.output("redmine-prod.mysql.database.azure.com"), dbName: "redmine", dbUser: "redmineadmin",
            dbPassword: pulumi.secret(SECRETS.targetPw), filesPath: "/srv/redmine-files",
        },
        after: [ready],
        ...overrides,
    };
}

async function record(phase: CutoverPhase): Promise<{ all: RecordedResource[]; steps: RecordedResource[] }> {
    const all = await recordComponent(() => new DataMigration("cutover", args(phase)));
    return { all, steps: ofType(all, "command:local:Command").filter((r) => r.name.startsWith("cutover-")) };
}

const byName = (steps: RecordedResource[], name: string) => {
    const s = steps.find((r) => r.name === name);
    assert.ok(s, `${name} exists (have ${steps.map((r) => r.name).join(", ")})`);
    return s!;
};

describe("DataMigration (mocks)", () => {
    it("prepare: one rehearsal step, after node 1 / DB / snapshots, with phase and script hash as triggers", async () => {
        const { all, steps } = await record("prepare");
        assert.deepStrictEqual(steps.map((s) => s.name), ["cutover-prepare"]);
        const prepare = steps[0];
        assert.strictEqual(prepare.inputs.create, "bash provision/migration/phase.sh prepare");
        assert.deepStrictEqual(prepare.inputs.triggers, ["prepare", migrationScriptsHash()]);
        assert.strictEqual(prepare.inputs.delete, undefined, "removing a rehearsal touches nothing");
        const ready = all.find((r) => r.name === "node1-ready")!;
        assert.ok(prepare.dependencies.includes(ready.urn));
        assert.deepStrictEqual(prepare.options.ignoreChanges, []);
        const component = all.find((r) => r.type === "redmine:migration:DataMigration")!;
        assert.strictEqual(prepare.parent, component.urn);
        const env = plain<Record<string, string>>(prepare.inputs.environment);
        assert.strictEqual(env.LEGACY_SSH_HOST, "203.0.113.10");
        assert.strictEqual(env.TARGET_SSH_HOST, "20.1.2.3");
        assert.strictEqual(env.TARGET_SSH_PORT, "50001");
        assert.strictEqual(env.TARGET_DB_SSL_CA, "/etc/pki/tls/certs/azure-mysql-ca.pem");
        assert.strictEqual(env.TARGET_FILES_PATH, "/srv/redmine-files");
    });

    it("freeze: keeps the rehearsal as it was and adds the freeze step after it, whose removal turns the maintenance page off", async () => {
        const { steps } = await record("freeze");
        assert.deepStrictEqual(steps.map((s) => s.name).sort(), ["cutover-freeze", "cutover-prepare"]);
        const prepare = byName(steps, "cutover-prepare");
        const freeze = byName(steps, "cutover-freeze");
        assert.strictEqual(freeze.inputs.create, "bash provision/migration/phase.sh freeze");
        assert.strictEqual(freeze.inputs.delete, "bash provision/migration/phase.sh unfreeze");
        assert.deepStrictEqual(freeze.inputs.triggers, ["freeze", migrationScriptsHash()]);
        assert.ok(freeze.dependencies.includes(prepare.urn), "the final pass runs after the rehearsal");
        assert.deepStrictEqual(freeze.options.ignoreChanges, []);
        assert.ok(prepare.options.ignoreChanges.includes("triggers") && prepare.options.ignoreChanges.includes("stdin"),
            "the rehearsal cannot rerun (and overwrite) once the freeze owns the data");
    });

    for (const phase of ["switch", "complete"] as const) {
        it(`${phase}: the same two steps with the same inputs, pinned so nothing moves again`, async () => {
            const frozen = await record("freeze");
            const now = await record(phase);
            for (const name of ["cutover-prepare", "cutover-freeze"]) {
                const a = byName(frozen.steps, name);
                const b = byName(now.steps, name);
                assert.deepStrictEqual(plain(b.inputs), plain(a.inputs), `${name} inputs unchanged`);
                for (const input of ["create", "delete", "environment", "stdin", "triggers"]) {
                    assert.ok(b.options.ignoreChanges.includes(input), `${name} ignores changes to ${input}`);
                }
            }
        });
    }

    for (const phase of ["prepare", "freeze", "switch", "complete"] as const) {
        it(`${phase}: no secret text in any command or environment; stdin secret; output hidden`, async () => {
            const { steps } = await record(phase);
            const forbidden = [SECRETS.legacyKey, SECRETS.targetKey, SECRETS.legacyPw, SECRETS.targetPw, "private-key-material",
                b64(SECRETS.legacyPw), b64(SECRETS.targetPw), b64(SECRETS.legacyKey), b64(SECRETS.targetKey)];
            for (const step of steps) {
                const visible = plainStrings({ ...step.inputs, stdin: undefined }).join("\n");
                for (const s of forbidden) assert.ok(!visible.includes(s), `${step.name}: secret in plain inputs`);
                assert.ok(isSecretValue(step.inputs.stdin), `${step.name}: stdin is secret`);
                const stdin = String(plain(step.inputs.stdin));
                assert.ok(stdin.includes(`LEGACY_DB_PASSWORD=${b64(SECRETS.legacyPw)}`) && stdin.includes(`TARGET_SSH_KEY=${b64(SECRETS.targetKey)}`));
                assert.strictEqual(step.inputs.logging, "none");
                assert.strictEqual(step.inputs.addPreviousOutputInEnv, false);
                assert.deepStrictEqual(step.options.additionalSecretOutputs.sort(), ["stderr", "stdout"]);
            }
        });
    }

    it("restored is the step DNS and the migrate must wait for", async () => {
        let prepared: DataMigration | undefined;
        let frozen: DataMigration | undefined;
        await recordComponent(() => { prepared = new DataMigration("a", args("prepare")); });
        await recordComponent(() => { frozen = new DataMigration("b", args("switch")); });
        const name = (r: pulumi.Resource) => new Promise<string>((resolve) => (r as pulumi.CustomResource).urn.apply((u) => { resolve(u); return u; }));
        assert.match(await name(prepared!.restored), /::a-prepare$/);
        assert.match(await name(frozen!.restored), /::b-freeze$/);
    });

    it("fails fast, naming the argument", async () => {
        await assert.rejects(recordComponent(() => new DataMigration("x", args("cutover" as CutoverPhase))), /DataMigration: phase must be one of prepare, freeze, switch, complete/);
        await assert.rejects(recordComponent(() => new DataMigration("x", { ...args("prepare"), legacy: { ...args("prepare").legacy, redmineRoot: "" } })), /DataMigration: legacy\.redmineRoot must not be empty/);
        await assert.rejects(recordComponent(() => new DataMigration("x", { ...args("prepare"), after: [] })), /DataMigration: after must list/);
    });
});
