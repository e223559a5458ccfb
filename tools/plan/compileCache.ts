/**
 * A disk cache for ts-node's transpile step. `npm run plan` starts under `ts-node --transpile-only`,
 * which transpiles the program (stack.ts, config.ts, components/, provision/, tools/: ~250 KB of
 * TypeScript) on every run: about 2 s of CPU, a third of the plan's budget. The output depends only
 * on the source, the file name, the compiler options and the TypeScript version, so it is kept in
 * the OS temp dir under a hash of those and reused; an edited file simply misses the cache.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

interface TsNodeService {
    compile(code: string, fileName: string, lineOffset?: number): string;
    ts: { version: string };
    config: { options: unknown };
}

/** Inside the checkout (gitignored), not a shared temp dir another user could plant code in. */
export const CACHE_DIR = path.join(__dirname, "..", "..", ".tmp", "plan-ts-cache");

/** Wraps the running ts-node service's compile with the cache; does nothing when ts-node is not loaded. */
export function installCompileCache(dir = CACHE_DIR): boolean {
    const service = (process as unknown as Record<symbol, TsNodeService | undefined>)[Symbol.for("ts-node.register.instance")];
    if (!service || (service.compile as { cached?: boolean }).cached) return false;
    const compile = service.compile.bind(service);
    const salt = crypto.createHash("sha256").update(service.ts.version).update(JSON.stringify(service.config.options)).digest("hex");
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch {
        return false; // no writable temp dir: run uncached
    }
    const cached = (code: string, fileName: string, lineOffset = 0): string => {
        const key = crypto.createHash("sha256").update(salt).update(fileName).update(String(lineOffset)).update(code).digest("hex");
        const file = path.join(dir, `${key}.js`);
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            const output = compile(code, fileName, lineOffset);
            const tmp = `${file}.${process.pid}.tmp`;
            try {
                fs.writeFileSync(tmp, output);
                fs.renameSync(tmp, file);
            } catch {
                // a full or read-only temp dir only costs speed
            }
            return output;
        }
    };
    (cached as { cached?: boolean }).cached = true;
    service.compile = cached;
    return true;
}
