import * as assert from "assert";
import { diffPlans, diffValues, pathMatches, summarize } from "../../tools/plan/diff";
import { renderDiff } from "../../tools/plan/render";
import { options, res, stack } from "./fixtures";

const DNS = "redmine:cutover:DnsCutover";
const RECORD = "aws:route53/record:Record";
const CMD = "command:remote:Command";
const LB = "azure-native:network:LoadBalancer";

function kinds(d: ReturnType<typeof diffPlans>): Record<string, string> {
    return Object.fromEntries(d.changes.map((c) => [c.name, c.kind]));
}

describe("plan diff (hand-made resources)", () => {
    const component = res(DNS, "dns");
    const record = res(RECORD, "dns-record", { zoneId: "Z1", name: "redmine.example.com", type: "A", ttl: 60, records: ["198.51.100.20"] },
        { parent: component.urn, options: options({ importId: "Z1_redmine.example.com_A", protect: true }) });
    const before = [stack(), component, record,
        res(CMD, "web-1-base", { create: "bash base.sh", triggers: ["aaa"] }),
        res(LB, "lb", { location: "japaneast", resourceGroupName: "rg", inboundNatRules: [{ name: "ssh-node-1", frontendPort: 50001 }], tags: { "redmine:role": "web" } }),
        res("azure-native:storage:BlobContainer", "dumps", { accountName: "acct", containerName: "db-dumps" }),
    ];

    it("finds nothing when nothing moved", () => {
        const d = diffPlans(before, before);
        assert.deepStrictEqual(d.changes, []);
        assert.strictEqual(d.unchanged, before.length);
    });

    it("classifies create, delete, update, replace and import", () => {
        const after = [stack(),
            { ...record, inputs: { ...record.inputs, records: ["192.0.2.10"] } },                      // update (and no import: it existed)
            res(CMD, "web-1-base", { create: "bash base.sh", triggers: ["bbb"] }),                      // replace: triggers[*]
            res(LB, "lb", { location: "westeurope", resourceGroupName: "rg", inboundNatRules: [{ name: "ssh-node-1", frontendPort: 50001 }], tags: { "redmine:role": "web" } }), // replace: location
            res(CMD, "web-3-base", { create: "bash base.sh" }),                                         // create
            res(RECORD, "other-record", { name: "x" }, { options: options({ importId: "Z1_x_A" }) }),  // import
            component,
        ];
        const d = diffPlans(before, after);
        assert.deepStrictEqual(kinds(d), {
            "dns-record": "update", "web-1-base": "replace", lb: "replace", "web-3-base": "create", "other-record": "import", dumps: "delete",
        });
        const rec = d.changes.find((c) => c.name === "dns-record")!;
        assert.deepStrictEqual(rec.properties, [{ path: "records[0]", kind: "update", old: "198.51.100.20", new: "192.0.2.10" }]);
        assert.deepStrictEqual(d.changes.find((c) => c.name === "web-1-base")!.replaceBecause, ["triggers[0]"]);
        assert.deepStrictEqual(d.changes.find((c) => c.name === "lb")!.replaceBecause, ["location"]);
        assert.deepStrictEqual(summarize(d), { create: 1, update: 1, replace: 2, delete: 1, import: 1, unchanged: 2 });
        assert.strictEqual(d.changes.at(-1)!.kind, "delete", "deletes come last, as the engine runs them");
    });

    it("uses the resource's own replaceOnChanges and honours ignoreChanges", () => {
        const a = res("azure-native:network:NetworkSecurityGroup", "nsg", { securityRules: [{ priority: 100 }], tags: { a: "1" } },
            { options: options({ replaceOnChanges: ["securityRules[*].priority"], ignoreChanges: ["tags"] }) });
        const b = { ...a, inputs: { securityRules: [{ priority: 110 }], tags: { a: "2" } } };
        const d = diffPlans([a], [b]);
        assert.strictEqual(d.changes[0].kind, "replace");
        assert.deepStrictEqual(d.changes[0].properties.map((p) => p.path), ["securityRules[0].priority"], "tags are ignored");
        const onlyTags = diffPlans([a], [{ ...a, inputs: { ...a.inputs, tags: { a: "3" } } }]);
        assert.deepStrictEqual(onlyTags.changes, []);
    });

    it("shows option changes (protect) as updates and nested paths with quoted keys", () => {
        const a = res("azure-native:storage:StorageAccount", "acct", { accountName: "acct", tags: { "redmine:role": "files" } });
        const b = { ...a, inputs: { accountName: "acct", tags: { "redmine:role": "dumps" } }, options: options({ protect: true }) };
        const c = diffPlans([a], [b]).changes[0];
        assert.strictEqual(c.kind, "update");
        assert.deepStrictEqual(c.properties.map((p) => p.path), ['tags["redmine:role"]']);
        assert.deepStrictEqual(c.options, ["protect: false => true"]);
    });

    it("diffs values by path, treating null and missing alike", () => {
        assert.deepStrictEqual(diffValues({ a: { b: [1, 2] }, c: null }, { a: { b: [1, 3, 4] } }), [
            { path: "a.b[1]", kind: "update", old: 2, new: 3 },
            { path: "a.b[2]", kind: "add", new: 4 },
        ]);
        assert.deepStrictEqual(diffValues({ x: "[secret]" }, { x: "[secret]" }), []);
    });

    it("matches replaceOnChanges paths like the engine: wildcards and prefixes", () => {
        assert.ok(pathMatches("triggers[*]", "triggers[3]"));
        assert.ok(pathMatches("network", "network.delegatedSubnetResourceId"));
        assert.ok(pathMatches("osProfile.computerName", "osProfile"));
        assert.ok(pathMatches("*", "anything.at.all"));
        assert.ok(!pathMatches("triggers[*]", "create"));
        assert.ok(!pathMatches("network", "networkProfile"));
        assert.ok(!pathMatches("", "x"));
    });

    it("renders in the shape of pulumi preview --diff", () => {
        const after = [stack(), component, { ...record, inputs: { ...record.inputs, records: ["192.0.2.10"] } },
            res(CMD, "web-1-base", { create: "bash base.sh", triggers: ["bbb"] }, { options: options({ deleteBeforeReplace: true }) }),
            res(CMD, "web-3-base", { create: "bash base.sh" }), res(RECORD, "other-record", { name: "x" }, { options: options({ importId: "Z1_x_A" }) }),
            before[4]];
        const d = diffPlans(before, after, { cutoverPhase: "freeze" }, { cutoverPhase: "switch" });
        const text = renderDiff(d, { file: "old.json", stack: "prod", generatedAt: "t" }, after, before);
        assert.match(text, /^ {4}redmine:cutover:DnsCutover dns$/m, "changes are grouped under their component");
        assert.match(text, /^ {6}~ aws:route53\/record:Record {2}dns-record {2}\(update\)\n {10}~ records\[0\]: "198\.51\.100\.20" => "192\.0\.2\.10"$/m);
        assert.match(text, /^ {6}\+- command:remote:Command {2}web-1-base {2}\(replace, delete before replace\)\n {10}~ triggers\[0\]: "aaa" => "bbb" {2}\[forces replacement\]$/m);
        assert.match(text, /^ {6}\+ command:remote:Command {2}web-3-base {2}\(create\)$/m);
        assert.match(text, /^ {6}= aws:route53\/record:Record {2}other-record {2}\(import\)$/m);
        assert.match(text, /^ {6}- azure-native:storage:BlobContainer {2}dumps {2}\(delete\)$/m);
        assert.match(text, /Outputs:\n {6}~ cutoverPhase: "freeze" => "switch"/);
        assert.match(text, /Resources:\n {6}\+ 1 to create\n {6}= 1 to import\n {6}~ 1 to update\n {6}\+-1 to replace\n {6}- 1 to delete\n {6}5 changes\. 3 unchanged/);
        assert.match(text, /the provider decides for real/);
    });
});
