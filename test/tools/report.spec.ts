import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as plan } from "../../tools/plan";
import { main as report } from "../../tools/report";
import { EXIT_ERROR, EXIT_OK } from "../../tools/plan/exitCodes";

interface Result { code: number; out: string; err: string }

async function run(fn: typeof report, ...argv: string[]): Promise<Result> {
    let out = "";
    let err = "";
    const code = await fn(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

/** What `pulumi stack output --json` prints for a deployed prod stack (secrets as the CLI masks them). */
const DEPLOYED = {
    resourceGroupName: "rg-redmine-prod",
    siteUrl: "https://redmine.example.com/",
    loadBalancerIp: "20.48.1.7",
    loadBalancerFqdn: "redmine-prod-c15750.japaneast.cloudapp.azure.com",
    sshEndpoints: [
        { node: 1, host: "20.48.1.7", port: 50001, command: "ssh -p 50001 redmineadmin@20.48.1.7" },
        { node: 2, host: "20.48.1.7", port: 50002, command: "ssh -p 50002 redmineadmin@20.48.1.7" },
    ],
    webNodes: [
        { name: "redmine-prod-web-1", zone: "1", vmSize: "Standard_D2s_v5", image: "OpenLogic:CentOS:7_9:latest", privateIp: "10.20.1.4" },
        { name: "redmine-prod-web-2", zone: "2", vmSize: "Standard_D2s_v5", image: "OpenLogic:CentOS:7_9:latest", privateIp: "10.20.1.5" },
    ],
    dbHost: "redmine-prod-db-mysql.mysql.database.azure.com",
    databaseName: "redmine",
    database: { version: "5.7", sku: "Standard_D2ds_v4", tier: "GeneralPurpose", haMode: "ZoneRedundant", zone: "1", standbyZone: "2", backupRetentionDays: 35, geoRedundantBackup: true },
    storageAccountName: "redmineprodc15750",
    fileShare: "//redmineprodc15750.file.core.windows.net/redmine-files",
    filesMountPath: "/srv/redmine-files",
    backup: { vaultName: "redmine-prod-backup-vault", policyName: "redmine-files-daily", fileShareRetentionDays: 30, dailyAtUtc: "17:00", dumpContainer: "db-dumps", dumpRetentionDays: 35 },
    adminCidrs: ["198.51.100.0/24", "203.0.113.16/28"],
    cutoverPhase: "switch",
    dnsRecord: { name: "redmine.example.com", target: "20.48.1.7", ttl: 60 },
    legacySnapshotIds: ["snap-0123456789abcdef0"],
    software: { os: "CentOS 7.9", nginx: "EPEL 7", ruby: "2.2.10", redmine: "2.6.10", bundler: "1.17.3", thin: "1.7.2", mysql: "5.7" },
    someSecretOutput: "[secret]",
};

describe("npm run report", function () {
    this.timeout(300_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-spec-"));
    const file = (name: string) => path.join(dir, name);
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("from a saved plan (prod, offline)", () => {
        let md: string;
        before(async () => {
            const p = await run(plan, "--stack", "prod", "--out", file("prod.json"));
            assert.strictEqual(p.code, EXIT_OK, p.err);
            const r = await run(report, "--plan", file("prod.json"), "--out", file("prod.md"));
            assert.strictEqual(r.code, EXIT_OK, r.err);
            assert.match(r.out, /Report written to .*prod\.md/);
            md = fs.readFileSync(file("prod.md"), "utf8");
        });

        it("lists every machine with zone, size, image and OS, private IP and SSH endpoint", () => {
            assert.match(md, /^# Redmine on Azure: server inventory and handover report \(stack `prod`\)/);
            assert.match(md, /offline plan .*placeholders/s);
            assert.match(md, /^\| redmine-prod-web-1 \| 1 \| Standard_D2s_v5 \| (?=[^|]*OpenLogic:CentOS:7_9:latest)(?=[^|]*CentOS 7\.9)[^|]+ \| 10\.20\.1\.\d+ \| `ssh -p 50001 redmineadmin@192\.0\.2\.\d+` \|$/m);
            assert.match(md, /^\| redmine-prod-web-2 \| 2 \| Standard_D2s_v5 \| .* \| `ssh -p 50002 redmineadmin@192\.0\.2\.\d+` \|$/m);
        });

        it("covers software, database, share, backups, DNS and who may SSH", () => {
            for (const row of ["| ruby | 2.2.10 |", "| redmine | 2.6.10 |", "| thin | 1.7.2 |", "| High availability | ZoneRedundant |", "| Zones | primary 1, standby 2 |",
                "| Point-in-time backups | 35 days |", "| Geo-redundant backup | yes |", "| Mounted on every node at | /srv/redmine-files |"]) {
                assert.ok(md.includes(row), row);
            }
            assert.match(md, /\| Attachments share \| Recovery Services vault redmine-prod-backup-vault, policy redmine-files-daily, daily at 17:00 UTC \| 30 daily recovery points \|/);
            assert.match(md, /\| Nightly logical dump \| mysqldump to container db-dumps .* \| 35 days/);
            assert.match(md, /\| Points at \| 198\.51\.100\.20 \(the legacy server\) \|/);
            assert.match(md, /\| TTL \| 60 s \(lowered for the cutover\) \|/);
            assert.match(md, /`198\.51\.100\.0\/24`, `203\.0\.113\.16\/28`/);
            assert.match(md, /extended support/);
        });

        it("says where each secret lives by key name, and never shows a value", () => {
            for (const key of ["sshPrivateKey", "dbAdminPassword", "secretToken", "legacyDbPassword", "dnsExternalId"]) assert.match(md, new RegExp(`^\\| \`${key}\` \\|.*\\| used \\|$`, "m"));
            assert.match(md, /^\| `smtpPassword` \|.*\| not used \|$/m);
            assert.ok(!md.includes("PLACEHOLDER-SECRET"));
            assert.ok(!md.includes("-----BEGIN"));
        });

        it("reports the policy status of the plan", () => {
            assert.match(md, /## Policy status\n\nPolicy pack redmine-azure [\d.]+ with policies\/config\/prod\.json: \*\*passed\*\* \(no mandatory violations\), 0 advisory\./);
            assert.match(md, /Secret check: passed/);
        });
    });

    describe("from pulumi stack output --json (the real deployment)", () => {
        let md: string;
        before(async () => {
            fs.writeFileSync(file("outputs.json"), JSON.stringify(DEPLOYED, null, 2));
            const r = await run(report, "--outputs", file("outputs.json"), "--stack", "prod");
            assert.strictEqual(r.code, EXIT_OK, r.err);
            md = r.out;
        });

        it("reports the deployed addresses and the phase", () => {
            assert.match(md, /Source: stack outputs .*outputs\.json` of the deployed stack/);
            assert.match(md, /^\| redmine-prod-web-1 \| 1 \| Standard_D2s_v5 \| OpenLogic:CentOS:7_9:latest \(CentOS 7\.9\) \| 10\.20\.1\.4 \| `ssh -p 50001 redmineadmin@20\.48\.1\.7` \|$/m);
            assert.match(md, /\| Load balancer \| 20\.48\.1\.7 \(redmine-prod-c15750\.japaneast\.cloudapp\.azure\.com\) \|/);
            assert.match(md, /\| Cutover phase \| switch: the DNS record points at the Azure load balancer/);
            assert.match(md, /\| Points at \| 20\.48\.1\.7 \(the Azure load balancer\) \|/);
            assert.match(md, /snap-0123456789abcdef0/);
        });

        it("says the policy status is not available and lists secret keys without a usage column", () => {
            assert.match(md, /## Policy status\n\nNot available: stack outputs carry no policy results/);
            assert.match(md, /^\| config key \| what \| where it lives \| needed when \|$/m);
            assert.ok(!md.includes("Secret check"));
        });

        it("marks what the outputs lack instead of inventing it", async () => {
            const partial = { siteUrl: "https://redmine.example.com/", webNodes: [{ name: "redmine-prod-web-1", zone: "1" }] };
            fs.writeFileSync(file("partial.json"), JSON.stringify(partial));
            const r = await run(report, "--outputs", file("partial.json"));
            assert.strictEqual(r.code, EXIT_OK, r.err);
            assert.match(r.out, /^\| redmine-prod-web-1 \| 1 \| _not in the outputs_ \|/m);
            assert.match(r.out, /\| Host \| _not in the outputs_ \|/);
            assert.match(r.out, /DNS is not managed by this stack/);
        });
    });

    it("never prints a secret placeholder, even one that reached an output", async () => {
        fs.writeFileSync(file("leaky.json"), JSON.stringify({ ...DEPLOYED, siteUrl: "https://x/PLACEHOLDER-SECRET-dbAdminPassword-do-not-leak" }));
        const r = await run(report, "--outputs", file("leaky.json"));
        assert.strictEqual(r.code, EXIT_OK);
        assert.ok(!r.out.includes("PLACEHOLDER-SECRET"));
        assert.match(r.out, /\| Site \| https:\/\/x\/\[secret\] \|/);
    });

    it("exits 2 naming the file when the input is missing or of the wrong kind", async () => {
        const missing = await run(report, "--outputs", file("nope.json"));
        assert.strictEqual(missing.code, EXIT_ERROR);
        assert.match(missing.err, /nope\.json: cannot be read/);
        fs.writeFileSync(file("plan-as-outputs.json"), JSON.stringify({ format: "redmine-offline-plan", version: 1 }));
        assert.match((await run(report, "--outputs", file("plan-as-outputs.json"))).err, /this is a saved plan; use --plan/);
        fs.writeFileSync(file("foreign.json"), JSON.stringify({ bucketName: "x" }));
        assert.match((await run(report, "--outputs", file("foreign.json"))).err, /none of this stack's outputs/);
        assert.match((await run(report, "--plan", file("foreign.json"))).err, /not a plan file written by npm run plan -- --out/);
        const usage = await run(report);
        assert.strictEqual(usage.code, EXIT_ERROR);
        assert.match(usage.err, /exactly one of --plan FILE or --outputs FILE[\s\S]*Usage: npm run report/);
    });
});
