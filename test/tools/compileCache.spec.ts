import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installCompileCache } from "../../tools/plan/compileCache";

const KEY = Symbol.for("ts-node.register.instance");

describe("the plan's transpile cache", () => {
    const registry = process as unknown as Record<symbol, unknown>;
    const real = registry[KEY];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-spec-"));
    after(() => {
        registry[KEY] = real;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("transpiles each source once and serves the same output after", () => {
        const calls: string[] = [];
        const service = {
            ts: { version: "5.9.3" }, config: { options: { target: 9 } },
            compile: (code: string, fileName: string) => { calls.push(fileName); return `/* ${fileName} */ ${code.toUpperCase()}`; },
        };
        registry[KEY] = service;
        assert.strictEqual(installCompileCache(dir), true);
        assert.strictEqual(installCompileCache(dir), false, "installed once");
        const a = service.compile("const a = 1;", "/x/a.ts");
        assert.strictEqual(service.compile("const a = 1;", "/x/a.ts"), a);
        assert.strictEqual(service.compile("const a = 2;", "/x/a.ts"), "/* /x/a.ts */ CONST A = 2;", "an edit misses the cache");
        assert.deepStrictEqual(calls, ["/x/a.ts", "/x/a.ts"]);
        assert.strictEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".js")).length, 2);
    });

    it("does nothing without ts-node", () => {
        registry[KEY] = undefined;
        assert.strictEqual(installCompileCache(dir), false);
    });
});
