import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { preparedPackDir } from "../../tools/plan/policyPack";

const PACK = path.resolve(__dirname, "..", "..", "policies");

describe("the policy pack as the plan serves it (transpiled, cached)", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "pack-cache-spec-"));
    after(() => fs.rmSync(cache, { recursive: true, force: true }));

    it("holds every rule module as JavaScript, the pack's manifest and its dependencies", () => {
        const dir = preparedPackDir(PACK, cache);
        const sources = fs.readdirSync(PACK).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
        for (const f of sources) assert.ok(fs.existsSync(path.join(dir, f.replace(/\.ts$/, ".js"))), f);
        assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main, "index.js");
        assert.ok(fs.existsSync(path.join(dir, "PulumiPolicy.yaml")));
        assert.ok(fs.existsSync(path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack")));
        assert.match(fs.readFileSync(path.join(dir, "index.js"), "utf8"), /new policy_1\.PolicyPack\("redmine-azure"/);
    });

    it("reuses the copy while the sources are unchanged and makes a new one when they change", () => {
        const a = preparedPackDir(PACK, cache);
        assert.strictEqual(preparedPackDir(PACK, cache), a);
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "pack-src-spec-"));
        try {
            for (const f of fs.readdirSync(PACK)) if (f !== "node_modules") fs.cpSync(path.join(PACK, f), path.join(copy, f), { recursive: true });
            fs.symlinkSync(path.join(PACK, "node_modules"), path.join(copy, "node_modules"));
            fs.appendFileSync(path.join(copy, "index.ts"), "\n// edited\n");
            const b = preparedPackDir(copy, cache);
            assert.notStrictEqual(b, a);
            assert.match(fs.readFileSync(path.join(b, "index.js"), "utf8"), /\/\/ edited/);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("names the fix when the pack's dependencies are not installed", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "pack-empty-spec-"));
        try {
            assert.throws(() => preparedPackDir(empty, cache), /dependencies are missing: run `npm ci --prefix .*` \(or plan with --no-policy\)/);
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });
});
