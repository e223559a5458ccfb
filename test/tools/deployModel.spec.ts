import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { criticalPath } from "../../tools/deployModel/criticalPath";
import { DURATIONS, durationKey, minutesFor } from "../../tools/deployModel/durations";
import { buildGraph } from "../../tools/deployModel/graph";
import { modelDeploy } from "../../tools/deployModel/measure";
import { runOne } from "../../tools/deployModel/runner";
import type { RecordedResource } from "../../tools/recording";

const STACK = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t";

/** A hand-made recorded resource; `deps` are names of other resources in the same graph. */
function res(name: string, opts: { custom?: boolean; parent?: string; deps?: string[]; propDeps?: Record<string, string[]>; type?: string } = {}): RecordedResource {
    return {
        urn: urn(name), type: opts.type ?? (opts.custom === false ? "test:index:Component" : "test:index:Thing"), name,
        custom: opts.custom ?? true, parent: opts.parent ? urn(opts.parent) : STACK,
        inputs: {}, dependencies: (opts.deps ?? []).map(urn),
        propertyDependencies: Object.fromEntries(Object.entries(opts.propDeps ?? {}).map(([k, v]) => [k, v.map(urn)])),
        options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [] },
    };
}
function urn(name: string): string {
    return `urn:pulumi:t::p::test:index:X::${name}`;
}
const stackResource: RecordedResource = { ...res("p-t", { custom: false }), urn: STACK, parent: undefined, type: "pulumi:pulumi:Stack" };

function solve(resources: RecordedResource[], minutes: Record<string, number>) {
    const graph = buildGraph([stackResource, ...resources]);
    const cp = criticalPath(graph, (u) => minutes[u.split("::").pop()!] ?? 0);
    return { graph, cp, names: cp.path.map((u) => u.split("::").pop()) };
}
function waitsOf(graph: ReturnType<typeof buildGraph>, name: string): string[] {
    return graph.nodes.get(urn(name))!.waitsFor.map((u) => u.split("::").pop()!).sort();
}

describe("deploy model: graph and critical path", () => {
    it("a chain takes the sum of its steps", () => {
        const { cp, names } = solve([res("a"), res("b", { deps: ["a"] }), res("c", { deps: ["b"] })], { a: 1, b: 2, c: 3 });
        assert.strictEqual(cp.minutes, 6);
        assert.deepStrictEqual(names, ["a", "b", "c"]);
        assert.strictEqual(cp.totalWorkMinutes, 6);
    });

    it("a diamond takes its slower arm, and the path names that arm", () => {
        const { cp, names } = solve([
            res("top"), res("slow", { deps: ["top"] }), res("fast", { propDeps: { id: ["top"] } }),
            res("bottom", { deps: ["slow", "fast"] }),
        ], { top: 1, slow: 5, fast: 2, bottom: 1 });
        assert.strictEqual(cp.minutes, 7);
        assert.deepStrictEqual(names, ["top", "slow", "bottom"]);
        assert.strictEqual(cp.totalWorkMinutes, 9);
    });

    it("parallel branches take the longest one, while total work adds them all", () => {
        const { cp, names } = solve([
            res("a1"), res("a2", { deps: ["a1"] }),
            res("b1"), res("b2", { deps: ["b1"] }), res("b3", { deps: ["b2"] }),
        ], { a1: 4, a2: 4, b1: 1, b2: 1, b3: 1 });
        assert.strictEqual(cp.minutes, 8);
        assert.deepStrictEqual(names, ["a1", "a2"]);
        assert.strictEqual(cp.totalWorkMinutes, 11);
    });

    it("depending on a component means waiting for every custom resource under it, through child components", () => {
        const { graph, cp, names } = solve([
            res("comp", { custom: false }),
            res("c1", { parent: "comp" }),
            res("inner", { custom: false, parent: "comp" }),
            res("c2", { parent: "inner" }),
            res("c2-child", { parent: "c2" }), // child of a custom resource: not part of the component's set
            res("user", { deps: ["comp"] }),
        ], { c1: 3, c2: 4, "c2-child": 10, user: 1 });
        assert.deepStrictEqual(waitsOf(graph, "user"), ["c1", "c2"]);
        assert.deepStrictEqual(waitsOf(graph, "c2-child"), ["c2"], "a child of a custom resource waits for it");
        assert.strictEqual(cp.minutes, 14);
        assert.deepStrictEqual(names, ["c2", "c2-child"]);
        assert.ok(!graph.nodes.has(urn("comp")), "components are not graph nodes");
    });

    it("a child waits for what its parent component (and that one's parent) waits for", () => {
        const { graph, cp, names } = solve([
            res("db"),
            res("net"),
            res("outer", { custom: false, deps: ["net"] }),
            res("comp", { custom: false, parent: "outer", deps: ["db"] }),
            res("step1", { parent: "comp" }),
            res("step2", { parent: "comp", deps: ["step1"] }),
        ], { db: 16, net: 1, step1: 2, step2: 3 });
        assert.deepStrictEqual(waitsOf(graph, "step1"), ["db", "net"]);
        assert.strictEqual(cp.minutes, 21);
        assert.deepStrictEqual(names, ["db", "step1", "step2"]);
    });

    it("a resource waits for its explicit provider", () => {
        const provider = { ...res("prov", { type: "pulumi:providers:aws" }) };
        const user = res("rec");
        user.options.provider = provider.urn;
        const { graph } = solve([provider, user], {});
        assert.deepStrictEqual(waitsOf(graph, "rec"), ["prov"]);
    });

    it("a dependency cycle is an error naming the resources in it", () => {
        assert.throws(() => solve([res("a", { deps: ["b"] }), res("b", { deps: ["a"] })], {}), /cycle among: .*::a/);
    });
});

describe("deploy model: duration table", () => {
    it("finds a command's step at the end of its name, per node and per rollout", () => {
        const cmd = (name: string) => ({ type: "command:remote:Command", name, custom: true });
        assert.strictEqual(durationKey(cmd("redmine-prod-web-12-wait-ssh")), "command:wait-ssh");
        assert.strictEqual(durationKey(cmd("redmine-prod-web-3-ruby")), "command:ruby");
        assert.strictEqual(durationKey(cmd("redmine-prod-rollout-start-7")), "command:start");
        assert.strictEqual(durationKey(cmd("redmine-prod-rollout-migrate")), "command:migrate");
        assert.strictEqual(durationKey(cmd("redmine-prod-web-1-something-new")), undefined);
        assert.strictEqual(minutesFor({ type: "redmine:web:WebNode", name: "x", custom: false }), 0, "components take no time");
    });

    it("matches the table in docs/performance.md, row for row", () => {
        const doc = fs.readFileSync(path.join(__dirname, "../../docs/performance.md"), "utf8");
        const rows = [...doc.matchAll(/^\|\s*`([^`]+)`\s*\|\s*([0-9.]+)\s*\|(.+)\|\s*$/gm)].map((m) => ({ key: m[1], minutes: Number(m[2]), source: m[3].trim() }));
        assert.deepStrictEqual(rows.map((r) => ({ key: r.key, minutes: r.minutes })), DURATIONS.map((d) => ({ key: d.key, minutes: d.minutes })));
        for (const r of rows) assert.ok(r.source.length > 10, `docs/performance.md: the row for ${r.key} needs a source`);
    });
});

describe("deploy model: the prod program", function () {
    this.timeout(240_000);

    it("has a critical path that does not grow with the web tier (2 vs 8 nodes, within 5%), with every resource priced", async () => {
        const two = await runOne(2);
        const eight = await runOne(8);
        assert.ok(eight.resources > two.resources, "8 nodes register more resources than 2");
        assert.deepStrictEqual(two.unpriced, [], "every custom resource of the program has a row in the duration table");
        assert.deepStrictEqual(eight.unpriced, []);
        const drift = Math.abs(eight.criticalPathMin - two.criticalPathMin) / two.criticalPathMin;
        assert.ok(drift <= 0.05, `critical path 2 nodes ${two.criticalPathMin} min, 8 nodes ${eight.criticalPathMin} min (${(drift * 100).toFixed(1)}%)`);
        assert.ok(eight.totalWorkMin > two.totalWorkMin * 2, "total work grows with the nodes, the path does not");
        // The path is real work: it includes a web node's Ruby build.
        assert.ok(two.path.some((u) => /-web-\d+-ruby$/.test(u)), `path: ${two.path.join(" -> ")}`);
    });

    it("models a recorded program without a process of its own (pure function over resources)", () => {
        const m = modelDeploy([stackResource, res("a"), res("b", { deps: ["a"] })]);
        assert.deepStrictEqual(m.unpriced.map((u) => u.split("::").pop()), ["a", "b"], "types outside the table are reported, not guessed");
        assert.strictEqual(m.criticalPathMin, 0);
    });
});
