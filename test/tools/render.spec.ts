import * as assert from "assert";
import { PLAN_USAGE, parseBenchArgs, parsePlanArgs, parseReportArgs, UsageError } from "../../tools/plan/args";
import { EXIT_ERROR, EXIT_OK, EXIT_POLICY_VIOLATION } from "../../tools/plan/exitCodes";
import { PlanFile, PolicySection, toPlanFile } from "../../tools/plan/planFile";
import { renderCounts, renderHeader, renderPolicy, renderTree } from "../../tools/plan/render";
import { redactText, toDisplay } from "../../tools/plan/values";
import { SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY } from "../../tools/recording";
import { secretPlaceholder } from "../../tools/stackConfig";
import { options, res, stack } from "./fixtures";

const secret = (value: unknown) => ({ [SPECIAL_SIG_KEY]: SPECIAL_SECRET_SIG, value });

describe("plan rendering and secrets (hand-made resources)", () => {
    it("shows every secret as [secret] and reports a placeholder outside a marker as a leak", () => {
        const leaks: { key: string; where: string; path: string }[] = [];
        const shown = toDisplay({
            connection: { host: "192.0.2.1", privateKey: secret(secretPlaceholder("sshPrivateKey")) },
            create: `echo ${secretPlaceholder("dbAdminPassword")} | mysql`,
            nested: secret({ deep: secretPlaceholder("secretToken") }),
        }, "urn:x", leaks);
        assert.deepStrictEqual(shown, { connection: { host: "192.0.2.1", privateKey: "[secret]" }, create: "[secret]", nested: "[secret]" });
        assert.deepStrictEqual(leaks, [{ key: "dbAdminPassword", where: "urn:x", path: "create" }]);
        assert.strictEqual(redactText(`failed: ${secretPlaceholder("smtpPassword")}`), "failed: [secret]");
    });

    const group = res("redmine:network:Network", "net");
    const vnet = res("azure-native:network:VirtualNetwork", "net-vnet", {}, { parent: group.urn });
    const subnet = res("azure-native:network:Subnet", "net-web", {}, { parent: group.urn, dependencies: [vnet.urn] });
    const record = res("aws:route53/record:Record", "dns-record", { records: [secret("x")] }, { options: options({ importId: "Z_A", protect: true }) });
    const resources = [stack(), group, vnet, subnet, record];

    it("draws the tree by component with import and protect flags", () => {
        const text = renderTree(resources);
        assert.strictEqual(text, [
            "Resources, grouped by component:",
            "  pulumi:pulumi:Stack  redmine-prod",
            "  ├─ redmine:network:Network  net",
            "  │  ├─ azure-native:network:VirtualNetwork  net-vnet",
            "  │  └─ azure-native:network:Subnet  net-web",
            "  └─ aws:route53/record:Record  dns-record  [import Z_A, protect]",
            "",
        ].join("\n"));
    });

    it("counts resources by type, most first", () => {
        const text = renderCounts([...resources, res("azure-native:network:Subnet", "net-db", {}, { parent: group.urn })]);
        assert.match(text, /^Counts by type \(6 resources: 4 custom, 2 components\/stack\):\n {2}azure-native:network:Subnet +2\n/);
    });

    const policy = (diagnostics: PolicySection["diagnostics"]): PolicySection => ({
        status: "ran", pack: { name: "redmine-azure", version: "0.1.0", configFile: "policies/config/prod.json" },
        mandatory: diagnostics.filter((d) => d.enforcementLevel === "mandatory").length, advisory: diagnostics.filter((d) => d.enforcementLevel === "advisory").length, diagnostics,
    });

    it("lists mandatory violations first, then advisories, naming the resource", () => {
        const p = policy([
            { policyName: "storage-account-redundant-sku", enforcementLevel: "advisory", message: "LRS is not zone redundant", description: "", urn: vnet.urn, severity: "low" },
            { policyName: "mysql-ha-zone-redundant", enforcementLevel: "mandatory", message: "haMode Disabled", description: "", urn: subnet.urn, severity: "high" },
        ]);
        const text = renderPolicy({ policy: p, secretLeaks: [], resources });
        assert.match(text, /FAILED: 1 mandatory violation\(s\), 1 advisory/);
        assert.ok(text.indexOf("[mandatory] mysql-ha-zone-redundant  (azure-native:network:Subnet net-web)") < text.indexOf("[advisory] storage-account-redundant-sku"));
        assert.match(text, /Secret check: passed/);
        assert.match(renderPolicy({ policy: policy([]), secretLeaks: [{ key: "dbAdminPassword", where: vnet.urn, path: "create" }], resources }), /Secret check: FAILED.*\n {2}\[mandatory\] secret dbAdminPassword unmarked at azure-native:network:VirtualNetwork net-vnet create/);
    });

    it("says plainly that the plan is an offline model", () => {
        const text = renderHeader({ stack: "prod", config: { "redmine:cutover": "switch" } });
        assert.match(text, /cutover phase: switch/);
        assert.match(text, /offline model/);
        assert.match(text, /placeholders/);
        assert.match(text, /No network access and no credentials were used/);
        assert.match(text, /`pulumi preview --diff --policy-pack policies` is the final word/);
    });

    it("writes plan files with masked config and versioned format", () => {
        const plan: PlanFile = toPlanFile({
            stack: "prod", resources: [{ ...record, inputs: { records: [secret(secretPlaceholder("x"))] }, propertyDependencies: {} }],
            outputs: { dbPassword: secret("p") }, policy: policy([]),
            config: { stack: "prod", values: { "redmine:dbAdminPassword": secretPlaceholder("dbAdminPassword"), "redmine:cutover": "prepare" }, secretKeys: ["redmine:dbAdminPassword"] },
        });
        assert.strictEqual(plan.format, "redmine-offline-plan");
        assert.strictEqual(plan.version, 1);
        assert.deepStrictEqual(plan.config, { "redmine:cutover": "prepare", "redmine:dbAdminPassword": "[secret]" });
        assert.deepStrictEqual(plan.resources[0].inputs, { records: ["[secret]"] });
        assert.deepStrictEqual(plan.outputs, { dbPassword: "[secret]" });
        assert.ok(!JSON.stringify(plan).includes("PLACEHOLDER-SECRET"));
    });
});

describe("plan, report and bench command lines", () => {
    it("parses the plan's flags with dev as the default stack", () => {
        assert.deepStrictEqual(parsePlanArgs([]), { stack: "dev", set: [], out: undefined, diff: undefined, graph: undefined, json: false, policy: true, timings: false, help: false });
        const a = parsePlanArgs(["--stack", "prod", "--set", "cutover=switch", "--set=web.count=3", "--out", "p.json", "--diff=old.json", "--graph", "g.mmd", "--json", "--no-policy"]);
        assert.deepStrictEqual([a.stack, a.set, a.out, a.diff, a.graph, a.json, a.policy], ["prod", ["cutover=switch", "web.count=3"], "p.json", "old.json", "g.mmd", true, false]);
    });

    it("refuses unknown flags, missing values and repeated single flags", () => {
        assert.throws(() => parsePlanArgs(["--stak", "prod"]), (e: Error) => e instanceof UsageError && /unknown argument "--stak"/.test(e.message));
        assert.throws(() => parsePlanArgs(["--out"]), /--out needs a value/);
        assert.throws(() => parsePlanArgs(["--out", "--json"]), /--out needs a value/);
        assert.throws(() => parsePlanArgs(["--stack", "a", "--stack", "b"]), /--stack given twice/);
        assert.throws(() => parsePlanArgs(["--json=yes"]), /--json takes no value/);
        assert.throws(() => parseReportArgs([]), /exactly one of --plan FILE or --outputs FILE/);
        assert.throws(() => parseReportArgs(["--plan", "a", "--outputs", "b"]), /exactly one/);
        assert.throws(() => parseBenchArgs(["--runs", "0"]), /--runs "0" must be a whole number/);
        assert.strictEqual(parseBenchArgs([]).runs, 5);
    });

    it("documents the exit codes in the usage text", () => {
        assert.deepStrictEqual([EXIT_OK, EXIT_POLICY_VIOLATION, EXIT_ERROR], [0, 1, 2]);
        assert.match(PLAN_USAGE, /Exit codes: 0 ok; 1 mandatory policy violation or a secret in plain text; 2 program, config, command-line or file error/);
    });
});
