import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../tools/stackConfig";

/** The README is the front door: its commands and rule table must stay true. */
describe("README", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

    it("starts with the two set-up commands: the offline plan and the test suite", () => {
        const block = /^# .*\n+```bash\n([^\n]+)\n([^\n]+)\n```/m.exec(readme);
        assert.ok(block, "a bash block right under the title");
        assert.match(block![1], /npm ci && npm ci --prefix policies && npm run plan$/);
        assert.match(block![2], /apt-get install -y .*nginx.*mariadb-server.*shellcheck.*bats.* && npm ci && npm ci --prefix policies && npm test$/);
        assert.match(fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8"), /^\s*npm test/m, ".ci/run calls npm test");
    });

    it("lists every policy of the pack with its level in dev and prod", () => {
        const levels = (stack: string) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policies", "config", `${stack}.json`), "utf8"));
        const dev = levels("dev"), prod = levels("prod");
        const level = (cfg: Record<string, any>, name: string) => {
            const own = typeof cfg[name] === "string" ? cfg[name] : cfg[name]?.enforcementLevel;
            return (own ?? cfg.all) === "advisory" ? "A" : "M";
        };
        const names = fs.readdirSync(path.join(REPO_ROOT, "policies"))
            .filter((f) => f.endsWith(".ts") && f !== "index.ts")
            .flatMap((f) => [...fs.readFileSync(path.join(REPO_ROOT, "policies", f), "utf8").matchAll(/^\s+name: "([a-z0-9-]+)",$/gm)].map((m) => m[1]));
        assert.ok(names.length >= 25, `found ${names.length} policies`);
        for (const name of names) {
            const row = readme.split("\n").find((l) => l.includes(`| \`${name}\``));
            assert.ok(row, `README lists ${name}`);
            const cells = row!.split("|").map((c) => c.trim());
            assert.deepStrictEqual(cells.slice(-3, -1), [level(dev, name), level(prod, name)], `${name} levels`);
        }
    });
});
