/**
 * dump.sh → restore.sh → verify.sh between two real MariaDB servers: nothing lost, MyISAM
 * reported and converted, and every kind of damage caught by verification.
 */
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { MariaDbServer, startMariaDb } from "../support/mariadb";
import { dbEnv, expectOk, RunResult, runScript, tempDir } from "./helpers";
import { schemaSql, seedSql, smallSeed } from "./redmineSeed";

describe("migration: dump → restore → verify against real MariaDB servers", function () {
    this.timeout(120000);
    let source: MariaDbServer;
    let target: MariaDbServer;
    let dir: string;
    let srcEnv: NodeJS.ProcessEnv;
    let tgtEnv: NodeJS.ProcessEnv;
    let counts: Record<string, number>;
    let dump: RunResult;
    const dumpFile = () => path.join(dir, "redmine.sql.gz");
    const manifestFile = () => path.join(dir, "redmine.manifest");

    before(async () => {
        [source, target] = await Promise.all([startMariaDb("legacy"), startMariaDb("azure")]);
        dir = tempDir("drv");
        source.sql("CREATE DATABASE redmine CHARACTER SET utf8 COLLATE utf8_general_ci");
        source.sql(schemaSql, "redmine");
        const seed = seedSql(smallSeed);
        counts = seed.counts;
        source.sql(seed.sql, "redmine");
        srcEnv = dbEnv(source, "redmine", dir);
        tgtEnv = dbEnv(target, "redmine", dir);
        dump = runScript("dump.sh", ["--dump", dumpFile(), "--manifest", manifestFile(), "--require-quiescent"], srcEnv);
        expectOk(dump, "dump");
    });

    after(async () => {
        await Promise.all([source?.stop(), target?.stop()]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const restore = (file = dumpFile()) => runScript("restore.sh", ["--dump", file, "--replace-existing"], tgtEnv);
    const verify = (env: NodeJS.ProcessEnv = {}) => runScript("verify.sh", ["db", "--source-manifest", manifestFile()], { ...tgtEnv, ...env });
    const freshRestore = () => { expectOk(restore(), "restore"); expectOk(verify(), "verify"); };

    it("moves the whole database with nothing lost, reporting and converting MyISAM", () => {
        assert.match(dump.stderr, /MyISAM tables .*: plugin_legacy_notes/);
        assert.match(dump.stderr, /--lock-tables/);
        const sql = zlib.gunzipSync(fs.readFileSync(dumpFile())).toString("utf8");
        assert.match(sql, /ENGINE=MyISAM/, "the dump keeps the source engine; restore converts it");
        assert.match(sql, /-- Dump completed/);

        const first = runScript("restore.sh", ["--dump", dumpFile()], tgtEnv);
        expectOk(first, "restore");
        assert.match(first.stderr, /restored 23 tables into redmine, all InnoDB/);

        const res = verify();
        expectOk(res, "verify");
        assert.match(res.stdout, /INFO table plugin_legacy_notes: MyISAM on the source, InnoDB on the target/);
        assert.match(res.stdout, /verify: 23 tables in the source, 23 compared \(20 with content checksums\), 0 mismatches/);

        // every table checksummed, the converted MyISAM one included
        const allDir = path.join(dir, "all");
        fs.mkdirSync(allDir);
        expectOk(runScript("verify.sh", ["manifest", "--out", path.join(allDir, "src.manifest")], { ...srcEnv, CHECKSUM_TABLES: "all" }), "manifest all");
        const all = runScript("verify.sh", ["db", "--source-manifest", path.join(allDir, "src.manifest")], tgtEnv);
        expectOk(all, "verify all");
        assert.match(all.stdout, /23 compared \(23 with content checksums\), 0 mismatches/);

        // what a user would look at, byte for byte
        for (const [table, n] of Object.entries(counts)) {
            assert.strictEqual(target.sql(`SELECT COUNT(*) FROM \`${table}\``, "redmine").trim(), String(n), `rows in ${table}`);
        }
        const subject = target.sql("SELECT subject FROM issues WHERE id = 7", "redmine").trim();
        assert.strictEqual(subject, "日本語の課題 7: 文字化けしないこと");
        assert.strictEqual(target.sql("SELECT HEX(data) FROM wiki_content_versions WHERE id = 1", "redmine"),
            source.sql("SELECT HEX(data) FROM wiki_content_versions WHERE id = 1", "redmine"));
        assert.strictEqual(target.sql("SELECT closed_on FROM issues WHERE id = 11", "redmine").trim(), "0000-00-00 00:00:00");
        assert.strictEqual(target.sql("SELECT description IS NULL, description = '' FROM issues WHERE id IN (5, 6) ORDER BY id", "redmine"), "1\tNULL\n0\t1\n");
        const engines = target.sql("SELECT DISTINCT engine FROM information_schema.tables WHERE table_schema = 'redmine'").trim();
        assert.strictEqual(engines, "InnoDB");
        assert.strictEqual(target.sql("SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = 'redmine'").trim(), "1");
        assert.strictEqual(target.sql("SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = 'redmine'").trim(), "utf8mb3");
    });

    it("refuses to overwrite a database that has tables unless told to", () => {
        const res = runScript("restore.sh", ["--dump", dumpFile()], tgtEnv);
        assert.notStrictEqual(res.status, 0);
        assert.match(res.stderr, /already has tables; pass --replace-existing/);
    });

    it("catches a truncated dump: restore refuses it, and a partial import fails verification naming the table", () => {
        const gz = fs.readFileSync(dumpFile());
        const truncatedGz = path.join(dir, "truncated.sql.gz");
        fs.writeFileSync(truncatedGz, gz.subarray(0, Math.floor(gz.length / 2)));
        const refused = restore(truncatedGz);
        assert.notStrictEqual(refused.status, 0);
        assert.match(refused.stderr, /truncated or corrupt .*nothing was changed on the target/);
        expectOk(verify(), "target untouched by the refused restore");

        // cut at a statement boundary inside journal_details: valid gzip, no trailer
        const lines = zlib.gunzipSync(gz).toString("utf8").split("\n");
        const cutAt = lines.findIndex((l) => l.startsWith("INSERT INTO `journal_details`"));
        assert.ok(cutAt > 0);
        // MariaDB's dump puts one row a line: keep 100 rows and close the statement there
        const cutSql = lines.slice(0, cutAt + 101).join("\n").replace(/,$/, ";") + "\n";
        const cutGz = path.join(dir, "cut.sql.gz");
        fs.writeFileSync(cutGz, zlib.gzipSync(cutSql));
        const incomplete = restore(cutGz);
        assert.notStrictEqual(incomplete.status, 0);
        assert.match(incomplete.stderr, /incomplete \(no '-- Dump completed' trailer\)/);

        // someone imports it by hand anyway: verification names what is short
        target.sql("DROP DATABASE redmine; CREATE DATABASE redmine CHARACTER SET utf8");
        execFileSync("mariadb", ["--no-defaults", `--socket=${target.socket}`, "-uroot", "redmine"], { input: cutSql });
        const res = verify();
        assert.strictEqual(res.status, 1, res.output);
        assert.match(res.stdout, /MISMATCH table journal_details: rows source=960 target=100/);
        assert.match(res.stdout, /MISMATCH table journals: missing on target/);
        assert.match(res.stdout, /MISMATCH table wiki_pages: missing on target/);
    });

    it("catches a dropped row, naming the table", () => {
        freshRestore();
        target.sql("DELETE FROM journals WHERE id = 5", "redmine");
        const res = verify();
        assert.strictEqual(res.status, 1, res.output);
        assert.match(res.stdout, /MISMATCH table journals: rows source=480 target=479/);
        assert.doesNotMatch(res.stdout, /MISMATCH table issues/);
    });

    it("catches a changed row, including NULL turned into an empty string", () => {
        freshRestore();
        target.sql("UPDATE issues SET subject = '日本語の課題 7: 文字化け' WHERE id = 7", "redmine");
        const res = verify();
        assert.strictEqual(res.status, 1, res.output);
        assert.match(res.stdout, /MISMATCH table issues: content checksum source=\d+ target=\d+ \(rows=240\)/);

        freshRestore();
        target.sql("UPDATE journal_details SET old_value = '' WHERE id = 1 AND old_value IS NULL", "redmine");
        const nulls = verify();
        assert.strictEqual(nulls.status, 1, nulls.output);
        assert.match(nulls.stdout, /MISMATCH table journal_details: content checksum/);

        freshRestore();
        target.sql("UPDATE time_entries SET hours = hours + 0.0001 WHERE id = 3", "redmine");
        const floats = verify();
        assert.strictEqual(floats.status, 1, floats.output);
        assert.match(floats.stdout, /MISMATCH table time_entries: content checksum/);
    });

    it("completes on a rerun after a failed, partial import (and drops tables a rehearsal's db:migrate added)", () => {
        const lines = zlib.gunzipSync(fs.readFileSync(dumpFile())).toString("utf8").split("\n");
        const at = lines.findIndex((l) => l.startsWith("INSERT INTO `members`"));
        lines.splice(at, 0, "INSERT INTO `members` VALUES (this is not sql);");
        const broken = path.join(dir, "broken.sql.gz");
        fs.writeFileSync(broken, zlib.gzipSync(lines.join("\n")));
        const failed = restore(broken);
        assert.notStrictEqual(failed.status, 0, "the import must fail");
        const partial = verify();
        assert.strictEqual(partial.status, 1);
        assert.match(partial.stdout, /MISMATCH table members/);

        target.sql("CREATE TABLE queries_roles (query_id int NOT NULL, role_id int NOT NULL) ENGINE=InnoDB", "redmine");
        expectOk(restore(), "rerun of the restore");
        const res = verify();
        expectOk(res, "verify after the rerun");
        assert.match(res.stdout, /0 mismatches/);
        assert.strictEqual(target.sql("SHOW TABLES LIKE 'queries_roles'", "redmine"), "");
    });

    it("fails the freeze dump when the source is still being written; a rehearsal dump marks the table live", async () => {
        const before = Number(source.sql("SELECT COUNT(*) FROM journals", "redmine"));
        const writer = spawn("bash", ["-c",
            `while true; do mariadb --no-defaults --socket='${source.socket}' -uroot redmine -e "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on) VALUES (1, 'Issue', 1, 'late write', NOW())"; done`],
            { stdio: "ignore" });
        try {
            while (Number(source.sql("SELECT COUNT(*) FROM journals", "redmine")) === before) await new Promise((r) => setTimeout(r, 20));
            const strict = runScript("dump.sh", ["--dump", path.join(dir, "live.sql.gz"), "--manifest", path.join(dir, "live.manifest"), "--require-quiescent"], srcEnv);
            assert.notStrictEqual(strict.status, 0, strict.output);
            assert.match(strict.stderr, /tables changed while the dump ran: journals - writes still reach the database/);

            const relaxed = runScript("dump.sh", ["--dump", path.join(dir, "live2.sql.gz"), "--manifest", path.join(dir, "live2.manifest")], srcEnv);
            expectOk(relaxed, "rehearsal dump of a live source");
            assert.match(relaxed.stderr, /live writes, not verifiable in this dump\): journals/);
            assert.match(fs.readFileSync(path.join(dir, "live2.manifest"), "utf8"), /^journals\tInnoDB\t\d+\t\d+\tlive\t/m);
        } finally {
            writer.kill("SIGKILL");
        }
    });
});
