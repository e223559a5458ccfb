import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../tools/plan";
import { EXIT_ERROR, EXIT_OK, EXIT_POLICY_VIOLATION } from "../../tools/plan/exitCodes";
import { PlanFile, readPlanFile } from "../../tools/plan/planFile";
import { assertWellFormedMermaid } from "./mermaidCheck";

const ROOT = path.resolve(__dirname, "..", "..");
const LEAK = "PLACEHOLDER-SECRET";

interface Result { code: number; out: string; err: string }

/** Everything any plan printed or wrote in this file, searched for secret placeholders at the end. */
const seen: string[] = [];

async function plan(...argv: string[]): Promise<Result> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    seen.push(out, err);
    return { code, out, err };
}

function readPlan(file: string): PlanFile {
    seen.push(fs.readFileSync(file, "utf8"));
    return readPlanFile(file);
}

/** "kind name" of every change in a `--json` diff, sorted. */
function changeSet(r: Result): string[] {
    assert.strictEqual(r.code, EXIT_OK, r.err);
    const { diff } = JSON.parse(r.out);
    return diff.changes.map((c: { kind: string; name: string }) => `${c.kind} ${c.name}`).sort();
}

describe("npm run plan (the real program, offline)", function () {
    this.timeout(300_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-spec-"));
    const file = (name: string) => path.join(dir, name);
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        assert.ok(!seen.some((s) => s.includes(LEAK)), "a secret placeholder was printed or written");
    });

    // The prod plan with the policy pack; later diffs (web.count, adminUser) compare against it.
    let r: Result;
    before(async () => {
        r = await plan("--stack", "prod", "--out", file("prod.json"), "--graph", file("prod.mmd"));
    });

    describe("prod, with the policy pack", () => {

        it("exits 0 and prints header, tree by component, counts and the policy report", () => {
            assert.strictEqual(r.code, EXIT_OK, r.err);
            assert.match(r.out, /^Offline plan for stack "prod" \(cutover phase: prepare\)/);
            assert.match(r.out, /offline model of `pulumi preview`/);
            assert.match(r.out, /placeholders/);
            assert.match(r.out, /the final word/);
            assert.match(r.out, /\nResources, grouped by component:\n {2}pulumi:pulumi:Stack {2}redmine-prod\n/);
            assert.match(r.out, /^ {2}├─ redmine:web:WebNode {2}redmine-prod-web-1\n {2}│ {2}├─ azure-native:network:NetworkInterface {2}redmine-prod-web-1-nic\n {2}│ {2}└─ azure-native:compute:VirtualMachine {2}redmine-prod-web-1-vm$/m);
            assert.match(r.out, /aws:route53\/record:Record {2}redmine-prod-dns-record {2}\[import Z0123456789EXAMPLE_redmine\.example\.com_A, protect, retain on delete\]/);
            assert.match(r.out, /\nCounts by type \(\d+ resources: \d+ custom, \d+ components\/stack\):\n/);
            assert.match(r.out, /^ {2}azure-native:compute:VirtualMachine +2$/m);
            assert.match(r.out, /\nPolicy report \(redmine-azure [\d.]+, config policies\/config\/prod\.json\): passed: no mandatory violations/);
            assert.match(r.out, /Secret check: passed/);
        });

        it("saves a versioned plan file with secrets masked and the policy result", () => {
            const p = readPlan(file("prod.json"));
            assert.strictEqual(p.format, "redmine-offline-plan");
            assert.strictEqual(p.stack, "prod");
            assert.strictEqual(p.config["redmine:dbAdminPassword"], "[secret]");
            assert.strictEqual(p.policy.status, "ran");
            assert.strictEqual(p.policy.mandatory, 0);
            assert.strictEqual(p.outputs.cutoverPhase, "prepare");
            assert.ok(p.resources.length > 50);
            const cmd = p.resources.find((x) => x.type === "command:remote:Command")!;
            assert.strictEqual(cmd.inputs.connection, "[secret]", "the connection holds the private key");
        });

        it("writes the dependency graph as a well-formed Mermaid flowchart, components as subgraphs", () => {
            const text = fs.readFileSync(file("prod.mmd"), "utf8");
            seen.push(text);
            const g = assertWellFormedMermaid(text);
            const p = readPlan(file("prod.json"));
            assert.strictEqual(g.subgraphs.size, p.resources.filter((x) => !x.custom && x.type !== "pulumi:pulumi:Stack").length);
            assert.strictEqual(g.nodes.size, p.resources.filter((x) => x.custom).length);
            assert.ok(g.edges.length > 20, "dependencies are drawn");
        });
    });

    it("lists advisories (dev) without failing", async () => {
        const r = await plan("--stack", "dev", "--out", file("dev.json"));
        assert.strictEqual(r.code, EXIT_OK, r.err);
        assert.match(r.out, /passed: no mandatory violations, [1-9]\d* advisory/);
        assert.match(r.out, /^ {2}\[advisory\] storage-account-redundant-sku {2}\(azure-native:storage:StorageAccount redmine-dev-files-account\)$/m);
    });

    it("exits 1 on a mandatory violation and lists it first", async () => {
        const r = await plan("--stack", "prod", "--set", "db.haMode=Disabled");
        assert.strictEqual(r.code, EXIT_POLICY_VIOLATION);
        assert.match(r.out, /FAILED: 1 mandatory violation\(s\)[^\n]*\n {2}\[mandatory\] mysql-ha-zone-redundant {2}\(azure-native:dbformysql:Server redmine-prod-db-mysql\)\n {6}highAvailability\.mode is "Disabled"/);
    });

    describe("exits 2 with a message that names the problem", () => {
        it("for an invalid config value (the key)", async () => {
            const r = await plan("--stack", "prod", "--no-policy", "--set", "web.count=1");
            assert.strictEqual(r.code, EXIT_ERROR);
            assert.match(r.err, /^error: .*web\.count: 1 is not allowed/s);
            assert.strictEqual(r.out, "");
        });
        it("for an unknown stack (the file and the known stacks)", async () => {
            const r = await plan("--stack", "staging", "--no-policy");
            assert.strictEqual(r.code, EXIT_ERROR);
            assert.match(r.err, /Pulumi\.staging\.yaml: no such stack file; known stacks: dev, prod/);
        });
        it("for a secret given with --set, an unknown flag, or a bad --diff file", async () => {
            assert.match((await plan("--set", "dbAdminPassword=x", "--no-policy")).err, /secrets are placeholders in the offline plan and cannot be set/);
            const flag = await plan("--stakc", "prod");
            assert.strictEqual(flag.code, EXIT_ERROR);
            assert.match(flag.err, /unknown argument "--stakc"[\s\S]*Usage: npm run plan/);
            fs.writeFileSync(file("not-a-plan.json"), "{\"a\":1}");
            assert.match((await plan("--diff", file("not-a-plan.json"))).err, /not a plan file written by npm run plan -- --out/);
            assert.match((await plan("--diff", file("missing.json"))).err, /missing\.json: cannot be read/);
            assert.match((await plan("--stack", "prod", "--diff", file("dev.json"))).err, /that plan is for stack "dev", this one is "prod"/);
        });
    });

    describe("the cutover, phase by phase (prod, --diff against the previous phase's plan)", () => {
        before(async () => {
            assert.strictEqual((await plan("--stack", "prod", "--no-policy", "--out", file("prepare.json"))).code, EXIT_OK);
        });
        const step = async (phase: string, from: string, ...extra: string[]) =>
            plan("--stack", "prod", "--no-policy", "--json", "--set", `cutover=${phase}`, ...extra, "--diff", file(`${from}.json`), "--out", file(`${phase}.json`));

        it("prepare -> freeze: the freeze command runs; db:migrate and the node starts run again; DNS does not move", async () => {
            assert.deepStrictEqual(changeSet(await step("freeze", "prepare")), [
                "create redmine-prod-migration-freeze",
                "replace redmine-prod-rollout-migrate",
                "replace redmine-prod-rollout-start-1",
                "replace redmine-prod-rollout-start-2",
            ]);
        });

        it("freeze -> switch: only the Route 53 record changes, from the legacy address to the load balancer's", async () => {
            const r = await step("switch", "freeze");
            assert.deepStrictEqual(changeSet(r), ["update redmine-prod-dns-record"]);
            const { diff, plan: p } = JSON.parse(r.out);
            const freeze = readPlan(file("freeze.json"));
            assert.deepStrictEqual(diff.changes[0].properties, [{ path: "records[0]", kind: "update", old: freeze.outputs.dnsRecord && (freeze.outputs.dnsRecord as { target: string }).target, new: p.outputs.loadBalancerIp }]);
            assert.notStrictEqual(p.outputs.loadBalancerIp, (freeze.outputs.dnsRecord as { target: string }).target);
        });

        it("the same step as text, in the shape of pulumi preview --diff", async () => {
            const r = await plan("--stack", "prod", "--no-policy", "--set", "cutover=switch", "--diff", file("freeze.json"));
            assert.strictEqual(r.code, EXIT_OK, r.err);
            assert.match(r.out, /redmine:cutover:DnsCutover redmine-prod-dns\n {6}~ aws:route53\/record:Record {2}redmine-prod-dns-record {2}\(update\)\n {10}~ records\[0\]: "198\.51\.100\.20" => "192\.0\.2\.\d+"\n/);
            assert.match(r.out, /Outputs:\n {6}~ cutoverPhase: "freeze" => "switch"/);
            assert.match(r.out, /~ 1 to update\n {6}1 change\. \d+ unchanged/);
        });

        it("switch -> complete: only the record's TTL goes back to normal", async () => {
            const r = await step("complete", "switch");
            assert.deepStrictEqual(changeSet(r), ["update redmine-prod-dns-record"]);
            assert.deepStrictEqual(JSON.parse(r.out).diff.changes[0].properties, [{ path: "ttl", kind: "update", old: 60, new: 3600 }]);
        });

        it("switch -> prepare is refused without allowRollbackFromSwitch (exit 2, the program's message)", async () => {
            const r = await plan("--stack", "prod", "--no-policy", "--diff", file("switch.json"));
            assert.strictEqual(r.code, EXIT_ERROR);
            assert.match(r.err, /redmine:cutover: going back from "switch" to "prepare" would point users at the legacy server/);
            assert.match(r.err, /set redmine:allowRollbackFromSwitch to true/);
        });

        it("switch -> prepare with allowRollbackFromSwitch points the record back at legacy", async () => {
            const r = await step("prepare", "switch", "--set", "allowRollbackFromSwitch=true");
            assert.ok(changeSet(r).includes("update redmine-prod-dns-record"));
            const rec = JSON.parse(r.out).diff.changes.find((c: { name: string }) => c.name === "redmine-prod-dns-record");
            assert.deepStrictEqual(rec.properties.map((p: { path: string }) => p.path), ["records[0]"]);
            assert.strictEqual(rec.properties[0].new, "198.51.100.20");
        });
    });

    it("web.count=3 adds exactly node 3's resources and updates the load balancer", async () => {
        const r = await plan("--stack", "prod", "--no-policy", "--json", "--set", "web.count=3", "--diff", file("prod.json"));
        const changes = changeSet(r);
        assert.ok(changes.includes("update redmine-prod-web-lb"), changes.join("\n"));
        const others = changes.filter((c) => c !== "update redmine-prod-web-lb");
        assert.ok(others.length >= 4, changes.join("\n"));
        for (const c of others) assert.match(c, /^create redmine-prod-(web-3(-|$)|rollout-start-3$)/, `unexpected change: ${c}`);
        for (const name of ["redmine-prod-web-3-vm", "redmine-prod-web-3-nic", "redmine-prod-web-3", "redmine-prod-rollout-start-3"]) assert.ok(changes.includes(`create ${name}`), name);
        const lb = JSON.parse(r.out).diff.changes.find((c: { name: string }) => c.name === "redmine-prod-web-lb");
        assert.deepStrictEqual(lb.properties.map((p: { path: string; kind: string }) => `${p.kind} ${p.path}`), ["add inboundNatRules[2]"]);
        assert.deepStrictEqual([lb.properties[0].new.name, lb.properties[0].new.frontendPort, lb.properties[0].new.backendPort], ["ssh-node-3", 50003, 22]);
    });

    it("removing node 3 again deletes exactly its resources (deletes listed last)", async () => {
        assert.strictEqual((await plan("--stack", "prod", "--no-policy", "--set", "web.count=3", "--out", file("three.json"))).code, EXIT_OK);
        const r = await plan("--stack", "prod", "--no-policy", "--json", "--diff", file("three.json"));
        const changes = changeSet(r);
        assert.ok(changes.includes("update redmine-prod-web-lb"));
        const deletes = changes.filter((c) => c.startsWith("delete "));
        assert.deepStrictEqual(changes.filter((c) => !c.startsWith("delete ") && c !== "update redmine-prod-web-lb"), []);
        for (const c of deletes) assert.match(c, /^delete redmine-prod-(web-3(-|$)|rollout-start-3$)/);
        assert.ok(deletes.includes("delete redmine-prod-web-3-vm"));
        const kinds = JSON.parse(r.out).diff.changes.map((c: { kind: string }) => c.kind);
        assert.deepStrictEqual(kinds.slice(kinds.indexOf("delete")), deletes.map(() => "delete"), "deletes come after every other change");
    });

    it("adopting the DNS record shows as an import (=) the first time the record appears", async () => {
        assert.strictEqual((await plan("--stack", "prod", "--no-policy", "--set", "dns={}", "--out", file("no-dns.json"))).code, EXIT_OK);
        const r = await plan("--stack", "prod", "--no-policy", "--diff", file("no-dns.json"));
        assert.strictEqual(r.code, EXIT_OK, r.err);
        assert.match(r.out, /^ {6}= aws:route53\/record:Record {2}redmine-prod-dns-record {2}\(import\)\n {10}= adopts Z0123456789EXAMPLE_redmine\.example\.com_A/m);
        assert.match(r.out, /^ {6}\+ redmine:cutover:DnsCutover {2}redmine-prod-dns {2}\(create\)$/m);
        assert.match(r.out, /= 1 to import/);
    });

    it("shows a create-only change as a replacement (+-) and says the provider decides", async () => {
        const r = await plan("--stack", "prod", "--no-policy", "--set", "web.adminUser=opsadmin", "--diff", file("prod.json"));
        assert.strictEqual(r.code, EXIT_OK, r.err);
        assert.match(r.out, /\+- azure-native:compute:VirtualMachine {2}redmine-prod-web-1-vm {2}\(replace\)\n(.*\n)*? {10}~ osProfile\.adminUsername: "redmineadmin" => "opsadmin" {2}\[forces replacement\]/);
        assert.match(r.out, /the provider decides for real/);
    });

    it("runs as `npm run plan` in a child process: exit 0 for dev, 2 with the key for a bad value", () => {
        const ok = spawnSync("npm", ["run", "-s", "plan", "--", "--no-policy"], { cwd: ROOT, encoding: "utf8" });
        seen.push(ok.stdout, ok.stderr);
        assert.strictEqual(ok.status, EXIT_OK, ok.stderr);
        assert.match(ok.stdout, /^Offline plan for stack "dev"/);
        const bad = spawnSync("npm", ["run", "-s", "plan", "--", "--no-policy", "--set", "db.backupRetentionDays=90"], { cwd: ROOT, encoding: "utf8" });
        seen.push(bad.stdout, bad.stderr);
        assert.strictEqual(bad.status, EXIT_ERROR);
        assert.match(bad.stderr, /db\.backupRetentionDays: 90 is not allowed/);
    });
});
