/**
 * Measures the data path on a few hundred thousand Redmine-shaped rows: dump.sh (with its two
 * manifests), restore.sh and verify.sh, as MB/s and rows/s. The deploy-time model uses the
 * figures (written to .tmp/migration-rates.json) to estimate the freeze's read-only window.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { MariaDbServer, startMariaDb } from "../support/mariadb";
import { dbEnv, expectOk, runScript, tempDir } from "./helpers";
import { schemaSql, SeedSize, seedSql } from "./redmineSeed";

const rateSeed: SeedSize = { projects: 20, users: 400, issues: 30000, journalsPerIssue: 3, detailsPerJournal: 2, attachmentsEvery: 4 };

describe("migration: dump / restore / verify rates", function () {
    this.timeout(180000);
    let source: MariaDbServer;
    let target: MariaDbServer;
    let dir: string;

    before(async () => {
        [source, target] = await Promise.all([startMariaDb("rate-src"), startMariaDb("rate-tgt")]);
        dir = tempDir("rates");
    });
    after(async () => {
        await Promise.all([source?.stop(), target?.stop()]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("moves ~360k rows and reports the rates", () => {
        source.sql("CREATE DATABASE redmine CHARACTER SET utf8");
        source.sql(schemaSql, "redmine");
        const seed = seedSql(rateSeed);
        source.sql(seed.sql, "redmine");
        const rows = Object.values(seed.counts).reduce((a, b) => a + b, 0);
        assert.ok(rows > 300000, `seeded ${rows} rows`);

        const srcEnv = dbEnv(source, "redmine", dir);
        const tgtEnv = dbEnv(target, "redmine", dir);
        const dumpFile = path.join(dir, "rates.sql.gz");
        const manifestFile = path.join(dir, "rates.manifest");

        const manifest = runScript("verify.sh", ["manifest", "--out", path.join(dir, "one.manifest")], srcEnv);
        expectOk(manifest, "manifest");
        const dump = runScript("dump.sh", ["--dump", dumpFile, "--manifest", manifestFile, "--require-quiescent"], srcEnv);
        expectOk(dump, "dump");
        const restore = runScript("restore.sh", ["--dump", dumpFile, "--replace-existing"], tgtEnv);
        expectOk(restore, "restore");
        const verify = runScript("verify.sh", ["db", "--source-manifest", manifestFile], tgtEnv);
        expectOk(verify, "verify");
        assert.match(verify.stdout, /0 mismatches/);

        const gzBytes = fs.statSync(dumpFile).size;
        const sqlBytes = zlib.gunzipSync(fs.readFileSync(dumpFile)).length;
        const mb = sqlBytes / 1e6;
        const round = (n: number) => Math.round(n * 10) / 10;
        const mysqldumpSeconds = Number(/mysqldump finished in ([\d.]+) s/.exec(dump.stderr)![1]);
        const importSeconds = Number(/import finished in ([\d.]+) s/.exec(restore.stderr)![1]);
        const rates = {
            measuredAt: new Date().toISOString(),
            environment: `MariaDB ${source.sql("SELECT VERSION()").trim()} on this machine (source and target local, ${require("os").cpus().length} cores); Azure MySQL over TLS will be slower`,
            rows,
            sqlMegabytes: round(mb),
            gzipMegabytes: round(gzBytes / 1e6),
            manifestSeconds: round(manifest.seconds),
            dump: {
                seconds: round(dump.seconds), mbPerSecond: round(mb / dump.seconds), rowsPerSecond: Math.round(rows / dump.seconds), includes: "two manifests + mysqldump + gzip",
                mysqldumpOnly: { seconds: mysqldumpSeconds, mbPerSecond: round(mb / mysqldumpSeconds), rowsPerSecond: Math.round(rows / mysqldumpSeconds) },
            },
            restore: {
                seconds: round(restore.seconds), mbPerSecond: round(mb / restore.seconds), rowsPerSecond: Math.round(rows / restore.seconds), includes: "gzip check + drop + import",
                importOnly: { seconds: importSeconds, mbPerSecond: round(mb / importSeconds), rowsPerSecond: Math.round(rows / importSeconds) },
            },
            verify: { seconds: round(verify.seconds), rowsPerSecond: Math.round(rows / verify.seconds) },
            databaseWindowSeconds: round(dump.seconds + restore.seconds + verify.seconds),
        };
        const out = path.resolve(__dirname, "../../.tmp/migration-rates.json");
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, JSON.stringify(rates, null, 2) + "\n");
        console.log(`      ${JSON.stringify(rates)}`);
    });
});
