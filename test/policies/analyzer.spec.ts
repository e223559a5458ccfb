/**
 * The pack through the engine's protocol: run-policy-pack started from policies/node_modules,
 * the Analyzer gRPC service driven by tools/policyAnalyzer.ts with hand-built resources.
 */
import * as assert from "assert";
import * as fs from "fs";
import { backupPolicies } from "../../policies/backup";
import { cutoverPolicies } from "../../policies/cutover";
import { preflightPolicies } from "../../policies/preflight";
import { redundancyPolicies } from "../../policies/redundancy";
import { securityPolicies } from "../../policies/security";
import {
    analyze,
    AnalyzerInfo,
    Diagnostic,
    mandatory,
    parsePolicyConfigFile,
    PolicyAnalyzer,
    readPolicyConfigFile,
    reconcilePolicyConfig,
} from "../../tools/policyAnalyzer";
import { RecordedResource, SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY } from "../../tools/recording";
import { UNKNOWN } from "../support/policyHarness";
import { miniStack, Stack, toRecorded } from "./fixtures";
import { edit, relink, without } from "./stackCases";

const PACK = "policies";
const config = (stack: Stack) => readPolicyConfigFile(`policies/config/${stack}.json`);
const ALL = [...redundancyPolicies, ...backupPolicies, ...securityPolicies, ...cutoverPolicies, ...preflightPolicies];
/** The cost-driven rules dev runs advisory (dev has SameZone/Disabled HA, LRS storage and vault, no geo backup). */
const DEV_ADVISORY = ["web-nodes-min-count-and-zones", "mysql-ha-zone-redundant", "storage-account-redundant-sku", "recovery-vault-redundant-storage", "mysql-geo-redundant-backup"];

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.enforcementLevel} ${d.policyName} ${d.urn.split("::").pop()}`).sort();

describe("policies over the Analyzer gRPC protocol", function () {
    this.timeout(120_000);
    let analyzer: PolicyAnalyzer;
    let info: AnalyzerInfo;

    before(async () => {
        analyzer = await PolicyAnalyzer.start({ packDir: PACK });
        info = await analyzer.info();
        console.log(`      (policy pack started in ${analyzer.startMs} ms, ts-node type-check included)`);
    });
    after(async () => analyzer?.close());

    const run = async (resources: RecordedResource[], cfg: Stack | object) => {
        await analyzer.configure(typeof cfg === "string" ? config(cfg) : (cfg as never));
        return analyzer.analyze(resources);
    };

    describe("GetAnalyzerInfo", () => {
        it("names the pack, its package version and every policy the modules export, with its type", () => {
            const pkg = JSON.parse(fs.readFileSync("policies/package.json", "utf8"));
            assert.strictEqual(info.name, "redmine-azure");
            assert.strictEqual(info.version, pkg.version);
            assert.deepStrictEqual(info.policies.map((p) => p.name).sort(), ALL.map((p) => p.name).sort());
            for (const p of ALL) {
                const got = info.policies.find((i) => i.name === p.name)!;
                assert.strictEqual(got.type, "validateStack" in p ? "stack" : "resource", p.name);
                assert.strictEqual(got.enforcementLevel, "mandatory", p.name);
            }
        });

        it("gives every policy a description that says why and a configSchema with defaults and excludeFor", () => {
            for (const p of info.policies) {
                assert.ok(p.description.length > 120, `${p.name}: description too thin`);
                assert.ok(/(Anchor|anchor|custom)/.test(p.description), `${p.name}: description names no anchor and does not say it is custom`);
                assert.ok(/preview|`up`/.test(p.description), `${p.name}: description does not say when it can be checked`);
                const props = p.configSchema?.properties ?? {};
                assert.deepStrictEqual(props.excludeFor?.default, [], p.name);
                for (const [k, s] of Object.entries(props)) {
                    assert.ok("default" in s, `${p.name}.${k} has no default`);
                }
            }
            const byName = Object.fromEntries(info.policies.map((p) => [p.name, p.configSchema!.properties]));
            assert.strictEqual(byName["web-nodes-min-count-and-zones"].minWebNodes.default, 2);
            assert.strictEqual(byName["dns-cutover-low-ttl"].maxCutoverTtl.default, 300);
            assert.strictEqual(byName["mysql-ha-zone-redundant"].allowSameZoneHa.default, false);
            assert.ok(Array.isArray(byName["storage-account-redundant-sku"].allowedStorageSkus.default));
            assert.strictEqual(byName["mysql-backup-retention"].minRetentionDays.default, 7);
        });
    });

    describe("config reconciliation (what the CLI does before Configure)", () => {
        it("applies schema defaults, then \"all\", then per-policy entries", () => {
            const c = reconcilePolicyConfig(info, parsePolicyConfigFile({ all: "advisory", "mysql-backup-retention": { enforcementLevel: "mandatory", minRetentionDays: 21 } }));
            assert.deepStrictEqual(c["mysql-backup-retention"], { enforcementLevel: "mandatory", properties: { minRetentionDays: 21, excludeFor: [] } });
            assert.deepStrictEqual(c["web-nodes-min-count-and-zones"], { enforcementLevel: "advisory", properties: { minWebNodes: 2, minZones: 2, excludeFor: [] } });
        });

        it("rejects values the schema forbids with the CLI's message", () => {
            assert.throws(
                () => reconcilePolicyConfig(info, parsePolicyConfigFile({ "web-nodes-min-count-and-zones": { minWebNodes: "two" } })),
                /validating policy config: redmine-azure 0\.1\.0 {2}web-nodes-min-count-and-zones: minWebNodes: Invalid type\. Expected: integer, given: string/,
            );
            assert.throws(() => reconcilePolicyConfig(info, parsePolicyConfigFile({ "mysql-backup-retention": { minRetentionDays: 90 } })), /minRetentionDays: Must be less than or equal to 35/);
            assert.throws(() => parsePolicyConfigFile({ "mysql-backup-retention": "blocking" as never }), /"blocking" is not a valid enforcement level/);
        });

        it("keeps both stack files valid and naming only real policies; dev lowers exactly the cost-driven rules", () => {
            for (const stack of ["dev", "prod"] as const) {
                const file = config(stack);
                for (const k of Object.keys(file).filter((k) => k !== "all")) {
                    assert.ok(info.policies.some((p) => p.name === k), `${stack}.json names unknown policy ${k}`);
                }
                const c = reconcilePolicyConfig(info, parsePolicyConfigFile(file));
                const advisory = info.policies.filter((p) => c[p.name].enforcementLevel !== "mandatory").map((p) => p.name).sort();
                assert.deepStrictEqual(advisory, stack === "prod" ? [] : [...DEV_ADVISORY].sort(), stack);
            }
        });
    });

    it("policies/README.md lists every policy with the level each stack's config gives it", () => {
        const readme = fs.readFileSync("policies/README.md", "utf8").split("\n");
        const levels = Object.fromEntries((["dev", "prod"] as const).map((s) => [s, reconcilePolicyConfig(info, parsePolicyConfigFile(config(s)))]));
        for (const p of info.policies) {
            const row = readme.find((l) => l.startsWith(`| \`${p.name}\``));
            assert.ok(row, `README has no row for ${p.name}`);
            const cells = row!.split("|").map((c) => c.trim());
            const letter = (s: Stack) => (levels[s][p.name].enforcementLevel === "mandatory" ? "M" : "A");
            assert.deepStrictEqual([cells[4], cells[5]], [letter("dev"), letter("prod")], `${p.name}: README levels`);
        }
    });

    describe("Analyze and AnalyzeStack", () => {
        it("finds nothing in the compliant prod stack", async () => {
            const r = await run(toRecorded(miniStack("prod"), "prod"), "prod");
            assert.deepStrictEqual(summary(r.diagnostics), []);
        });

        it("finds only advisories in dev (its cost savings), and the same findings are mandatory under prod's config", async () => {
            const dev = toRecorded(miniStack("dev"), "dev");
            const expected = ["mysql-geo-redundant-backup db", "recovery-vault-redundant-storage vault", "storage-account-redundant-sku files"];
            const asDev = await run(dev, "dev");
            assert.deepStrictEqual(summary(asDev.diagnostics), expected.map((e) => `advisory ${e}`));
            const asProd = await run(dev, "prod");
            assert.deepStrictEqual(
                summary(asProd.diagnostics),
                ["mandatory file-share-backup-protected files-policy", "mandatory mysql-backup-retention db", "mandatory mysql-ha-zone-redundant db", ...expected.map((e) => `mandatory ${e}`)].sort(),
            );
        });

        it("reports a careless change with the rule's name, level, message and the resource's URN", async () => {
            const cases = edit(miniStack("prod"), "web-nsg", "securityRules.2.sourceAddressPrefixes", ["0.0.0.0/0"]);
            const r = await run(toRecorded(cases, "prod"), "dev");
            assert.deepStrictEqual(summary(r.diagnostics), ["mandatory nsg-no-management-or-db-ports-from-internet web-nsg"]);
            const d = r.diagnostics[0];
            assert.strictEqual(d.phase, "analyze");
            assert.strictEqual(d.policyPackName, "redmine-azure");
            assert.strictEqual(d.urn, "urn:pulumi:prod::redmine::azure-native:network:NetworkSecurityGroup::web-nsg");
            assert.ok(d.message.startsWith(d.description + "\n"), "message is description + newline + detail");
            assert.match(d.message, /rule "ssh" allows port\(s\) 22 from 0\.0\.0\.0\/0\./);
        });

        it("resolves parents, dependencies and propertyDependencies for stack rules", async () => {
            const noItem = without(miniStack("prod"), "files-item");
            const r = await run(toRecorded(noItem, "prod"), "prod");
            assert.deepStrictEqual(summary(r.diagnostics), ["mandatory file-share-backup-protected files-share"]);
            assert.strictEqual(r.diagnostics[0].phase, "analyzeStack");

            const detached = relink(edit(miniStack("prod"), "cutover-record", "ttl", 3600), "cutover-record", { parent: undefined });
            const rec = await run(toRecorded(detached, "prod"), "prod");
            assert.deepStrictEqual(summary(rec.diagnostics), ["mandatory dns-cutover-low-ttl cutover-record"]);
            const oneZone = edit(miniStack("prod"), "web-2-vm", "zones", ["1"]);
            assert.deepStrictEqual(summary((await run(toRecorded(oneZone, "prod"), "prod")).diagnostics), ["mandatory web-nodes-min-count-and-zones lb-lb"]);
        });

        it("turns a mandatory rule that reads an unknown into an advisory, as the engine does at preview", async () => {
            const cases = edit(miniStack("prod"), "db", "highAvailability.mode", UNKNOWN);
            const r = await run(toRecorded(cases, "prod"), "prod");
            const ha = r.diagnostics.filter((d) => d.policyName.startsWith("mysql-ha"));
            assert.deepStrictEqual(summary(ha), ["advisory mysql-ha-tier-supported db", "advisory mysql-ha-zone-redundant db"]);
            assert.match(ha[0].message, /can't run policy 'mysql-ha-.*' from policy pack 'redmine-azure@v0\.1\.0' during preview: string value at \.highAvailability\.mode can't be known during preview/);
            assert.deepStrictEqual(mandatory(r.diagnostics), []);
        });

        it("sees secret values unwrapped (no markers reach the rules), so plain-text scans still work on secrets", async () => {
            const secret = (value: unknown) => ({ [SPECIAL_SIG_KEY]: SPECIAL_SECRET_SIG, value });
            const cases = edit(miniStack("prod"), "web-1-config", "create", secret("mysql -u redmine -pHunter22 redmine"));
            const r = await run(toRecorded(cases, "prod"), "prod");
            assert.deepStrictEqual(summary(r.diagnostics), ["mandatory no-plain-text-secrets web-1-config"]);
            assert.ok(!r.diagnostics[0].message.includes("Hunter22"), "the message must not echo the secret");
        });

        it("scans a StringAsset that the server deserialises, on CopyToRemote", async () => {
            const asset = { [SPECIAL_SIG_KEY]: "c44067f5952c0a294b673a41bacd8c17", text: "production:\n  password: hunter22\n" };
            const cases = [...miniStack("prod"), { type: "command:remote:CopyToRemote", name: "db-yml", props: { source: asset, remotePath: "/etc/redmine/database.yml" } }];
            const r = await run(toRecorded(cases, "prod"), "prod");
            assert.deepStrictEqual(summary(r.diagnostics), ["mandatory no-plain-text-secrets db-yml"]);
        });

        it("checks protect from the options (retainOnDelete is not in the protocol)", async () => {
            const cases = relink(miniStack("prod"), "legacy-root", { opts: { protect: false } });
            const r = await run(toRecorded(cases, "prod"), "prod");
            assert.deepStrictEqual(summary(r.diagnostics), ["mandatory legacy-snapshot-protected legacy-root"]);
        });

        it("honours a disabled policy and an excludeFor exemption from the config", async () => {
            const cases = toRecorded(edit(miniStack("prod"), "files", "sku.name", "Standard_LRS"), "prod");
            assert.deepStrictEqual(summary((await run(cases, { ...config("prod"), "storage-account-redundant-sku": "disabled" })).diagnostics), []);
            assert.deepStrictEqual(summary((await run(cases, { ...config("prod"), "storage-account-redundant-sku": { excludeFor: ["^files$"] } })).diagnostics), []);
            assert.deepStrictEqual(summary((await run(cases, "prod")).diagnostics), ["mandatory storage-account-redundant-sku files"]);
        });

        it("passes an explicit provider resource along with the resource", async () => {
            const recorded = toRecorded(miniStack("prod"), "prod");
            const provider: RecordedResource = {
                ...recorded[0],
                urn: "urn:pulumi:prod::redmine::pulumi:providers:aws::customer-dns",
                type: "pulumi:providers:aws",
                name: "customer-dns",
                custom: true,
                inputs: { region: "us-east-1", assumeRoles: [{ roleArn: "arn:aws:iam::123456789012:role/dns", externalId: { [SPECIAL_SIG_KEY]: SPECIAL_SECRET_SIG, value: "ext" } }] },
            };
            const withProvider = recorded.map((r) => (r.name === "cutover-record" ? { ...r, options: { ...r.options, provider: provider.urn } } : r));
            const r = await run([...withProvider, provider], "prod");
            assert.deepStrictEqual(summary(r.diagnostics), []);
        });
    });

    describe("the one-liner analyze()", () => {
        it("starts, configures, analyzes ~80 resources and closes the pack (timings printed)", async () => {
            const resources = toRecorded(miniStack("prod", 20), "prod");
            assert.ok(resources.length >= 80, `${resources.length} resources`);
            const t0 = Date.now();
            const diags = await analyze(resources, { packDir: PACK, configFile: "policies/config/prod.json" });
            console.log(`      (analyze() of ${resources.length} resources: ${Date.now() - t0} ms end to end)`);
            assert.deepStrictEqual(summary(diags), []);
        });

        it("measures a reused analyzer on ~80 resources and stops its process on close", async () => {
            const resources = toRecorded(miniStack("prod", 20), "prod");
            const a = await PolicyAnalyzer.start({ packDir: PACK });
            const pid = a.pid!;
            try {
                await a.configure(config("prod"));
                const r = await a.analyze(resources);
                console.log(`      (start ${a.startMs} ms; Analyze ×${resources.filter((x) => x.custom).length} ${r.timings.analyzeMs} ms; AnalyzeStack ${r.timings.analyzeStackMs} ms)`);
                assert.deepStrictEqual(mandatory(r.diagnostics), []);
            } finally {
                await a.close();
            }
            assert.throws(() => process.kill(pid, 0), /ESRCH/);
        });

        it("fails with the npm command to run when the pack's dependencies are missing", async () => {
            const dir = fs.mkdtempSync("/tmp/empty-pack-");
            fs.writeFileSync(`${dir}/PulumiPolicy.yaml`, "runtime: nodejs\n");
            await assert.rejects(PolicyAnalyzer.start({ packDir: dir }), /npm ci --prefix/);
            fs.rmSync(dir, { recursive: true });
        });
    });
});
