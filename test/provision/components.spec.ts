import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Rollout } from "../../components/rollout";
import { WebNodeProvisioning, WebNodeProvisioningArgs } from "../../components/webNodeProvisioning";
import { NODE_STEPS, listNodeSteps, planNodeStep, stepTrigger } from "../../provision/steps";
import { templateText } from "../../provision/render";
import { isSecretValue, RecordedResource } from "../../tools/recording";
import { plain, plainStrings, recordComponent } from "../support/recorded";
import { nodeValues } from "./support/values";

const COMMAND = "command:remote:Command";

/** Recognisable secret values: none of them (nor their base64) may show outside a secret. */
const SECRETS = {
    privateKey: "SECRET-SSH-KEY-3c1f",
    dbPassword: "SECRET-DB-PASSWORD-9a7e",
    storageKey: "SECRET-STORAGE-KEY-51bd",
    secretToken: "SECRET-TOKEN-0d24-0123456789abcdef0123456789abcdef",
    tlsKey: "SECRET-TLS-KEY-77aa",
    tlsCert: "SECRET-TLS-CERT-1e0c",
    smtpPassword: "SECRET-SMTP-PASSWORD-c3d9",
    cipherKey: "SECRET-CIPHER-KEY-aa01",
};

class FakeResource extends pulumi.CustomResource {
    declare readonly fqdn: pulumi.Output<string>;
    declare readonly accountName: pulumi.Output<string>;
    constructor(type: string, name: string, props: Record<string, string> = {}) {
        super(type, name, { fqdn: undefined, accountName: undefined, ...props });
    }
}

interface Build {
    nodes: WebNodeProvisioning[];
    rollout: Rollout;
    stepUrns: string[][];
}

/** Builds `count` nodes and the rollout, the way stack.ts wires them. Secrets are passed as plain strings on purpose. */
async function build(count: number, opts: { tls?: boolean } = { tls: true }): Promise<{ resources: RecordedResource[]; built: Build }> {
    let built: Build | undefined;
    const resources = await recordComponent(() => {
        const db = new FakeResource("test:db:Server", "db", { fqdn: "redmine-db.mysql.database.azure.com" });
        const storage = new FakeResource("test:storage:Account", "files", { accountName: "redminefiles01" });
        const restore = new FakeResource("test:migration:Restore", "restore");
        const nodes: WebNodeProvisioning[] = [];
        const stepUrns: string[][] = [];
        for (let i = 1; i <= count; i++) {
            const vm = new FakeResource("test:compute:VirtualMachine", `vm-${i}`);
            const args: WebNodeProvisioningArgs = {
                index: i,
                ssh: { host: "20.0.0.10", port: 50000 + i, user: "redmineadmin", privateKey: SECRETS.privateKey },
                vm,
                redmine: { hostname: "redmine.example.com", thinWorkers: 2, maxUploadMb: 20, smtp: { host: "smtp.example.com", port: 587, user: "mailer", from: "redmine@example.com" } },
                database: { host: db.fqdn, name: "redmine", user: "admin", password: SECRETS.dbPassword },
                files: { accountName: storage.accountName, shareName: "redmine-files", accountKey: SECRETS.storageKey },
                secretToken: SECRETS.secretToken,
                tls: opts.tls ? { certificatePem: SECRETS.tlsCert, privateKeyPem: SECRETS.tlsKey } : undefined,
                smtpPassword: SECRETS.smtpPassword,
                databaseCipherKey: SECRETS.cipherKey,
            };
            const node = new WebNodeProvisioning(`web-${i}`, args);
            const urns: string[] = [];
            node.steps.forEach((s, k) => s.urn.apply(u => { urns[k] = u; }));
            stepUrns.push(urns);
            nodes.push(node);
        }
        const rollout = new Rollout("rollout", {
            nodes: nodes.map((n, i) => ({ index: i + 1, ssh: { host: "20.0.0.10", port: 50001 + i, user: "redmineadmin", privateKey: SECRETS.privateKey }, ready: n.ready, revision: n.revision })),
            migrateAfter: [restore],
            maxUploadMb: 20,
            mailFrom: "redmine@example.com",
        });
        built = { nodes, rollout, stepUrns };
    });
    return { resources, built: built! };
}

const byName = (rs: RecordedResource[], name: string): RecordedResource => {
    const r = rs.find(x => x.name === name);
    if (!r) throw new Error(`no resource named ${name}; have ${rs.map(x => x.name).join(", ")}`);
    return r;
};
const urnOf = (rs: RecordedResource[], name: string) => byName(rs, name).urn;
const commands = (rs: RecordedResource[]) => rs.filter(r => r.type === COMMAND);

describe("WebNodeProvisioning and Rollout under Pulumi mocks", function () {
    this.timeout(120_000);
    let two: { resources: RecordedResource[]; built: Build };

    before(async function () {
        two = await build(2);
    });

    it("registers one command per step per node, named after the node, under the component", function () {
        for (const i of [1, 2]) {
            const component = byName(two.resources, `web-${i}`);
            assert.equal(component.type, "redmine:provision:WebNodeProvisioning");
            for (const step of NODE_STEPS) {
                const cmd = byName(two.resources, `web-${i}-${step}`);
                assert.equal(cmd.type, COMMAND);
                assert.equal(cmd.parent, component.urn);
            }
        }
        assert.equal(byName(two.resources, "rollout").type, "redmine:provision:Rollout");
        assert.equal(commands(two.resources).length, 2 * NODE_STEPS.length + 1 + 2);
    });

    it("exposes the steps in execution order and each waits for the steps it needs", function () {
        for (const i of [1, 2]) {
            const urns = two.built.stepUrns[i - 1];
            assert.deepEqual(urns.map(u => u.split("::").pop()), NODE_STEPS.map(s => `web-${i}-${s}`));
            const deps = (step: string) => byName(two.resources, `web-${i}-${step}`).dependencies;
            assert.ok(deps("wait-ssh").includes(urnOf(two.resources, `vm-${i}`)), "wait-ssh waits for the VM");
            const position = new Map(NODE_STEPS.map((s, k) => [s, k]));
            for (const step of NODE_STEPS.slice(1)) {
                const before = planNodeStep(step, nodeValues({ index: i })).after;
                assert.ok(before.length > 0, `${step} waits for something`);
                for (const b of before) {
                    assert.ok(deps(step).includes(urnOf(two.resources, `web-${i}-${b}`)), `${step} waits for ${b}`);
                    assert.ok(position.get(b)! < position.get(step)!, `${b} comes before ${step} in steps`);
                }
            }
            assert.deepEqual(
                [...deps("services")].filter(d => d.includes(`web-${i}-`)).map(d => d.split("::").pop()).sort(),
                [`web-${i}-config`, `web-${i}-mount`, `web-${i}-nginx`],
            );
        }
    });

    it("lets only the config step wait for the database and only the mount step for the storage account", function () {
        const db = urnOf(two.resources, "db");
        const storage = urnOf(two.resources, "files");
        for (const cmd of commands(two.resources).filter(c => c.name.startsWith("web-"))) {
            const step = cmd.name.replace(/^web-\d+-/, "");
            assert.equal(cmd.dependencies.includes(db), step === "config", `${cmd.name} and the database`);
            assert.equal(cmd.dependencies.includes(storage), step === "mount", `${cmd.name} and the storage account`);
            // and no node step waits for another node
            const other = cmd.name.startsWith("web-1-") ? "web-2-" : "web-1-";
            assert.ok(!cmd.dependencies.some(d => d.includes(`::${other}`)), `${cmd.name} waits for no other node`);
        }
    });

    it("runs one migration, on node 1, after node 1 is ready and after migrateAfter", function () {
        const migrations = commands(two.resources).filter(c => /migrate/.test(c.name));
        assert.deepEqual(migrations.map(m => m.name), ["rollout-migrate"]);
        const m = migrations[0];
        assert.equal(plain(m.inputs).connection.port, 50001);
        assert.match(plain(m.inputs).create, /steps\/migrate\.sh/);
        assert.ok(m.dependencies.includes(urnOf(two.resources, "web-1-services")));
        assert.ok(m.dependencies.includes(urnOf(two.resources, "restore")));
        assert.ok(!m.dependencies.includes(urnOf(two.resources, "web-2-services")), "the migration does not wait for node 2");
    });

    it("starts every node after the migration and its own node only", function () {
        const migrate = urnOf(two.resources, "rollout-migrate");
        for (const i of [1, 2]) {
            const start = byName(two.resources, `rollout-start-${i}`);
            assert.equal(plain(start.inputs).connection.port, 50000 + i);
            assert.ok(start.dependencies.includes(migrate), `start-${i} after migrate`);
            assert.ok(start.dependencies.includes(urnOf(two.resources, `web-${i}-services`)), `start-${i} after its node`);
            const other = i === 1 ? 2 : 1;
            assert.ok(!start.dependencies.some(d => d.includes(`web-${other}-`) || d.endsWith(`rollout-start-${other}`)), `start-${i} does not wait for node ${other}`);
        }
    });

    it("never carries a secret value (or its base64) outside a secret, in any input", function () {
        const needles = Object.values(SECRETS).flatMap(s => [s, Buffer.from(s).toString("base64")]);
        for (const r of two.resources) {
            const strings = plainStrings(r.inputs).join("\n");
            for (const n of needles) {
                assert.ok(!strings.includes(n), `${r.name} carries ${n} in plain text`);
            }
        }
        // and the create texts, triggers and environments in particular hold no secret at all
        for (const c of commands(two.resources)) {
            for (const key of ["create", "triggers", "environment", "update", "delete"]) {
                const v = c.inputs[key];
                if (v === undefined) continue;
                assert.ok(!JSON.stringify(v).includes("4dabf18193072939515e22adb298388d"), `${c.name}.${key} is not even a secret`);
                const text = JSON.stringify(plain(v));
                for (const n of needles) assert.ok(!text.includes(n), `${c.name}.${key} holds a secret`);
            }
        }
    });

    it("sends secrets only on stdin, as a secret, with logging off and secret outputs", function () {
        const needs: Record<string, string[]> = {
            nginx: [SECRETS.tlsCert, SECRETS.tlsKey],
            config: [SECRETS.dbPassword, SECRETS.secretToken, SECRETS.smtpPassword, SECRETS.cipherKey],
            mount: [SECRETS.storageKey],
        };
        for (const c of commands(two.resources)) {
            const step = c.name.replace(/^web-\d+-/, "");
            const inputs = c.inputs;
            assert.equal(inputs.addPreviousOutputInEnv, false, `${c.name} addPreviousOutputInEnv`);
            assert.ok(isSecretValue(plainConnection(inputs.connection).privateKey) || isSecretValue(inputs.connection), `${c.name} private key is secret`);
            if (needs[step]) {
                assert.ok(isSecretValue(inputs.stdin), `${c.name} stdin is secret`);
                const stdin = String(plain(inputs.stdin));
                const decoded = stdin.trim().split("\n").map(l => Buffer.from(l.split("=").slice(1).join("="), "base64").toString());
                for (const s of needs[step]) assert.ok(decoded.includes(s), `${c.name} gets its secret on stdin`);
                assert.equal(inputs.logging, "none", `${c.name} logging`);
                for (const out of ["stdout", "stderr"]) assert.ok(c.options.additionalSecretOutputs.includes(out), `${c.name} keeps ${out} secret`);
            } else {
                assert.equal(inputs.stdin, undefined, `${c.name} has no stdin`);
            }
        }
    });

    it("waits for SSH with an unlimited dial limit and gives long steps long timeouts", function () {
        for (const i of [1, 2]) {
            const wait = plain(byName(two.resources, `web-${i}-wait-ssh`).inputs);
            assert.equal(wait.connection.dialErrorLimit, -1);
            assert.match(wait.create, /steps\/wait-ssh\.sh/);
            assert.equal(byName(two.resources, `web-${i}-ruby`).options.customTimeouts?.create, "60m");
            assert.equal(byName(two.resources, `web-${i}-redmine`).options.customTimeouts?.create, "45m");
            for (const step of NODE_STEPS.filter(s => s !== "wait-ssh")) {
                assert.notEqual(plain(byName(two.resources, `web-${i}-${step}`).inputs).connection.dialErrorLimit, -1);
            }
        }
    });

    it("sets each step's trigger to the hash of what it ships", function () {
        const v = nodeValues({ tls: true, cipherKey: true });
        for (const step of NODE_STEPS) {
            const expected = stepTrigger(planNodeStep(step, v));
            // and the VM's id: a rebuilt VM (same address and port) must be provisioned again
            assert.deepEqual(plain(byName(two.resources, `web-1-${step}`).inputs).triggers, [expected, "vm-1-id"], step);
        }
    });

    it("adds only node 3's resources and its start step when a third node joins; nothing of nodes 1-2 changes", async function () {
        const three = await build(3);
        const before = new Map(two.resources.map(r => [r.urn, r]));
        const added = three.resources.filter(r => !before.has(r.urn));
        assert.deepEqual(
            added.map(r => r.name).sort(),
            ["rollout-start-3", "vm-3", "web-3", ...NODE_STEPS.map(s => `web-3-${s}`)].sort(),
        );
        for (const r of three.resources.filter(x => before.has(x.urn))) {
            const old = before.get(r.urn)!;
            assert.deepEqual(r.inputs, old.inputs, `${r.name} inputs unchanged`);
            assert.deepEqual([...r.dependencies].sort(), [...old.dependencies].sort(), `${r.name} dependencies unchanged`);
        }
    });
});

function plainConnection(c: unknown): Record<string, unknown> {
    return (isSecretValue(c) ? (c.value as Record<string, unknown>) : (c as Record<string, unknown>)) ?? {};
}

describe("step triggers (pure)", function () {
    const templates = ["nginxSite", "thinUnit", "databaseYml", "mountUnit", "yumBase", "gemfileLocal"] as const;
    const stepOf: Record<(typeof templates)[number], string> = {
        nginxSite: "nginx",
        thinUnit: "services",
        databaseYml: "config",
        mountUnit: "mount",
        yumBase: "base",
        gemfileLocal: "redmine",
    };
    for (const t of templates) {
        it(`a change to template ${t} changes the ${stepOf[t]} step's trigger only, on every node`, function () {
            for (const index of [1, 2, 3]) {
                const v = nodeValues({ index });
                const original = listNodeSteps(v);
                const changed = listNodeSteps(v, { templates: { [t]: templateText(t) + "\n# changed\n" } });
                const differing = original.filter((s, k) => s.trigger !== changed[k].trigger).map(s => s.name);
                assert.deepEqual(differing, [stepOf[t]], `node ${index}`);
            }
        });
    }

    it("a changed setting reruns the steps that use it and no other", function () {
        const v = nodeValues();
        const diff = (w: typeof v) => listNodeSteps(v).filter((s, k) => s.trigger !== listNodeSteps(w)[k].trigger).map(s => s.name);
        assert.deepEqual(diff({ ...v, redmine: { ...v.redmine, maxUploadMb: 50 } }), ["nginx"]);
        assert.deepEqual(diff({ ...v, redmine: { ...v.redmine, thinWorkers: 3 } }), ["nginx", "services"]);
        assert.deepEqual(diff({ ...v, database: { ...v.database!, host: "other.mysql.database.azure.com" } }), ["config"]);
        assert.deepEqual(diff({ ...v, redmine: { ...v.redmine, downloadBaseUrl: "https://mirror.example.net/r" } }), ["ruby", "redmine"]);
        assert.deepEqual(diff({ ...v, tls: true }), ["nginx"]);
    });

    it("node 1 alone carries the singleton cron jobs; otherwise nodes get identical steps", function () {
        const one = listNodeSteps(nodeValues({ index: 1 }));
        const two = listNodeSteps(nodeValues({ index: 2 }));
        const three = listNodeSteps(nodeValues({ index: 3 }));
        assert.deepEqual(one.filter((s, k) => s.trigger !== two[k].trigger).map(s => s.name), ["services"]);
        assert.deepEqual(two, three);
        assert.ok("cron-redmine" in planNodeStep("services", nodeValues({ index: 1 })).files);
        assert.ok(!("cron-redmine" in planNodeStep("services", nodeValues({ index: 2 })).files));
    });

    it("fails fast naming the bad setting", function () {
        assert.throws(() => listNodeSteps(nodeValues({ redmine: { hostname: "bad host", thinWorkers: 2, maxUploadMb: 20 } })), /redmine\.hostname/);
        assert.throws(() => listNodeSteps(nodeValues({ redmine: { hostname: "r.example.com", thinWorkers: 0, maxUploadMb: 20 } })), /redmine\.thinWorkers/);
        assert.throws(() => planNodeStep("config", nodeValues({ database: undefined })), /database/);
    });
});
