import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.join(__dirname, "..", "..", "provision", "azure", "file-share-item-name.sh");

/**
 * The lookup of the vault's name for the share, against a stub `az` that answers like the vault:
 * discovery first, the share appearing after a while, or already protected on a rerun.
 */
describe("provision/azure/file-share-item-name.sh (stub az)", () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "afs-name-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A stub az: logs its URL, answers protectable items after `appearAfter` polls (or never). */
    function stubAz(opts: { appearAfter?: number; protectedName?: string }): string {
        const az = path.join(dir, "az");
        fs.writeFileSync(az, `#!/usr/bin/env bash
url=""; while [ $# -gt 0 ]; do [ "$1" = --url ] && url=$2; shift; done
echo "$url" >> "${dir}/calls"
case "$url" in
  *refreshContainers*) exit 0 ;;
  *backupProtectableItems*)
    n=$(( $(cat "${dir}/polls" 2>/dev/null || echo 0) + 1 )); echo $n > "${dir}/polls"
    ${opts.appearAfter === undefined ? "" : `[ $n -ge ${opts.appearAfter} ] && echo "azurefileshare;5f0e9a7c0b1d"`}
    exit 0 ;;
  *backupProtectedItems*) ${opts.protectedName ? `echo "${opts.protectedName}"` : "echo None"} ;;
esac
`, { mode: 0o755 });
        return az;
    }

    const run = (env: Record<string, string>) => spawnSync("bash", [SCRIPT], {
        encoding: "utf8",
        env: { PATH: process.env.PATH!, SUBSCRIPTION_ID: "sub", VAULT_RESOURCE_GROUP: "rg", VAULT_NAME: "vault", STORAGE_ACCOUNT: "redmineprod1", SHARE_NAME: "redmine-files", WAIT_SECONDS: "0", ...env },
    });
    const calls = () => fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");

    it("asks the vault to discover shares, then prints the share's item name once it appears", () => {
        const r = run({ AZ: stubAz({ appearAfter: 3 }) });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout, "azurefileshare;5f0e9a7c0b1d\n");
        assert.match(calls()[0], /\/vaults\/vault\/backupFabrics\/Azure\/refreshContainers\?api-version=2016-12-01/);
        assert.strictEqual(calls().filter((c) => c.includes("backupProtectableItems")).length, 3);
    });

    it("finds the protected item on a rerun, when the share is no longer protectable", () => {
        const r = run({ AZ: stubAz({ protectedName: "AzureFileShare;5f0e9a7c0b1d" }) });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "AzureFileShare;5f0e9a7c0b1d");
    });

    it("fails naming the share and the vault when it never appears", () => {
        const r = run({ AZ: stubAz({}), ATTEMPTS: "2" });
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /share redmine-files of redmineprod1 is not among the protectable items of vault vault after 2 tries/);
    });

    it("says what is missing: a setting, or the Azure CLI", () => {
        const noShare = run({ AZ: stubAz({}), SHARE_NAME: "" });
        assert.strictEqual(noShare.status, 2);
        assert.match(noShare.stderr, /SHARE_NAME is not set/);
        const noAz = run({ AZ: path.join(dir, "no-such-az") });
        assert.strictEqual(noAz.status, 2);
        assert.match(noAz.stderr, /the Azure CLI .* is required where pulumi up runs/);
    });
});
