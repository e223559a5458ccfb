import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeStepFixtures } from "./support/values";

/**
 * Runs every step script under bats with stubbed system tools in a temporary root
 * (test/provision/bats/*.bats): the right calls on a first run, only read-only checks on a
 * second, a clear failure on a bad checksum or a missing secret.
 */
describe("provision step scripts under bats (stubbed yum, curl, systemctl, mount...)", function () {
    this.timeout(300_000);
    const batsDir = path.join(__dirname, "bats");
    let fixtures: string;

    before(function () {
        const probe = spawnSync("bats", ["--version"], { encoding: "utf8" });
        if (probe.error || probe.status !== 0) {
            throw new Error("bats is not installed: apt-get install bats (Debian package 'bats')");
        }
        fixtures = fs.mkdtempSync(path.join(os.tmpdir(), "provision-fixtures-"));
        writeStepFixtures(fixtures);
    });

    after(function () {
        if (fixtures) fs.rmSync(fixtures, { recursive: true, force: true });
    });

    const files = fs.readdirSync(path.join(__dirname, "bats")).filter(f => f.endsWith(".bats")).sort();
    for (const file of files) {
        it(`bats ${file}`, function () {
            const r = spawnSync("bats", ["--tap", path.join(batsDir, file)], {
                encoding: "utf8",
                env: { ...process.env, PROVISION_FIXTURES: fixtures },
                stdio: ["ignore", "pipe", "pipe"],
            });
            const failed = r.stdout.split("\n").filter(l => l.startsWith("not ok"));
            assert.equal(r.status, 0, `bats ${file} failed:\n${failed.join("\n")}\n\n${r.stdout}\n${r.stderr}`);
            assert.match(r.stdout, /^ok /m, `bats ${file} ran no test`);
        });
    }
});
