/**
 * The policy pack as the plan runs it: the same sources and dependencies, served by the same
 * `run-policy-pack` over the same Analyzer protocol, but transpiled once to JavaScript (cached by
 * content hash) instead of type-checked by ts-node on every start, which costs ~10 s of the
 * 6 s budget. Type errors in the pack are caught by `npm run lint` (tsc -p policies), as before.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Files of the pack that are copied as they are. */
const COPIED = ["PulumiPolicy.yaml", "package.json"];

/** Returns a directory that `PolicyAnalyzer.start({ packDir })` can serve: transpiled JS, linked node_modules. */
export function preparedPackDir(packDir: string, cacheRoot = path.join(__dirname, "..", "..", ".tmp")): string {
    const src = path.resolve(packDir);
    if (!fs.existsSync(path.join(src, "node_modules", "@pulumi", "policy"))) {
        throw new Error(`the policy pack's dependencies are missing: run \`npm ci --prefix ${path.relative(process.cwd(), src) || "."}\` (or plan with --no-policy)`);
    }
    const sources = fs.readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
    const ts = require("typescript") as typeof import("typescript");
    const hash = crypto.createHash("sha256").update(ts.version).update(src);
    for (const f of [...sources, ...COPIED]) hash.update(f).update(fs.readFileSync(path.join(src, f)));
    // In the checkout's gitignored .tmp/, not a shared temp dir another user could plant code in.
    fs.mkdirSync(cacheRoot, { recursive: true });
    const dir = path.join(cacheRoot, `redmine-policy-pack-${hash.digest("hex").slice(0, 16)}`);
    if (fs.existsSync(path.join(dir, "index.js"))) return dir;

    const tmp = fs.mkdtempSync(`${dir}.tmp-`);
    for (const f of sources) {
        const out = ts.transpileModule(fs.readFileSync(path.join(src, f), "utf8"), {
            fileName: f,
            compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true, sourceMap: false },
        });
        fs.writeFileSync(path.join(tmp, f.replace(/\.ts$/, ".js")), out.outputText);
    }
    fs.copyFileSync(path.join(src, "PulumiPolicy.yaml"), path.join(tmp, "PulumiPolicy.yaml"));
    const pkg = JSON.parse(fs.readFileSync(path.join(src, "package.json"), "utf8"));
    fs.writeFileSync(path.join(tmp, "package.json"), JSON.stringify({ ...pkg, main: "index.js" }, null, 2));
    fs.symlinkSync(path.join(src, "node_modules"), path.join(tmp, "node_modules"), "dir");
    try {
        fs.renameSync(tmp, dir);
    } catch {
        fs.rmSync(tmp, { recursive: true, force: true }); // another run won the race; its copy is identical
    }
    return dir;
}
