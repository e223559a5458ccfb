/**
 * Nightly logical backup to "blob storage" (a local HTTP stand-in) and the restore drill:
 * download → sha256 → restore.sh → verify.sh against the saved manifest.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BlobStub, startBlobStub } from "../support/blobStub";
import { MariaDbServer, requireBinary, startMariaDb } from "../support/mariadb";
import { dbEnv, expectOk, runScriptAsync, tempDir } from "./helpers";
import { schemaSql, seedSql, smallSeed } from "./redmineSeed";

describe("migration: nightly backup to blob storage and its restore drill", function () {
    this.timeout(120000);
    let azure: MariaDbServer;
    let stub: BlobStub;
    let dir: string;
    let config: string;
    let blobName: string;
    const sas = "sv=2021-08-06&ss=b&srt=co&sp=rwlc&se=2030-01-01T00%3A00%3A00Z&sig=stub-signature";

    before(async () => {
        requireBinary("curl", "curl");
        requireBinary("flock", "util-linux");
        [azure, stub] = await Promise.all([startMariaDb("azure"), startBlobStub()]);
        dir = tempDir("backup");
        azure.sql("CREATE DATABASE redmine CHARACTER SET utf8");
        azure.sql(schemaSql.replace("ENGINE=MyISAM", "ENGINE=InnoDB"), "redmine");
        azure.sql(seedSql(smallSeed).sql, "redmine");
        const env = dbEnv(azure, "redmine", dir);
        const sasFile = path.join(dir, "backup.sas");
        fs.writeFileSync(sasFile, `?${sas}\n`, { mode: 0o600 });
        config = path.join(dir, "nightly-backup.env");
        fs.writeFileSync(config, [
            `DB_HOST=${env.DB_HOST}`, `DB_PORT=${env.DB_PORT}`, `DB_USER=${env.DB_USER}`, "DB_NAME=redmine", "DB_SSL_CA=",
            `DB_PASSWORD_FILE=${env.DB_PASSWORD_FILE}`, `BACKUP_CONTAINER_URL=${stub.url}`, `BACKUP_SAS_FILE=${sasFile}`,
            `BACKUP_WORK_DIR=${path.join(dir, "work")}`, "BACKUP_PREFIX=redmine",
        ].join("\n") + "\n");
    });
    after(async () => {
        await Promise.all([azure?.stop(), stub?.close()]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("dumps, writes the manifest with the dump's sha256, and PUTs both as block blobs with the SAS", async () => {
        const res = await runScriptAsync("nightly-backup.sh", ["--config", config]);
        expectOk(res, "nightly-backup");
        blobName = res.stdout.trim();
        assert.match(blobName, /^redmine\/\d{4}\/\d{2}\/redmine-\d{8}T\d{6}Z$/);
        assert.ok(stub.blobs.has(`${blobName}.sql.gz`) && stub.blobs.has(`${blobName}.manifest`));
        const puts = stub.requests.filter((r) => r.method === "PUT");
        assert.strictEqual(puts.length, 2);
        assert.ok(puts.every((r) => r.blobType === "BlockBlob" && r.hasSignature));
        assert.ok(puts[1].path.endsWith(".manifest"), "the manifest goes last");
        assert.match(stub.blobs.get(`${blobName}.manifest`)!.toString(), /^# dump_sha256=[0-9a-f]{64}$/m);
        assert.ok(!res.output.includes("stub-signature"), "the SAS is never printed");
    });

    it("lists the backups and restores one into a drill database, verified against its manifest", async () => {
        const list = await runScriptAsync("restore-backup.sh", ["--list", "--config", config]);
        expectOk(list, "list");
        assert.strictEqual(list.stdout.trim(), blobName);

        const drill = await runScriptAsync("restore-backup.sh", [blobName, "--config", config, "--database", "redmine_drill"]);
        expectOk(drill, "restore drill");
        assert.match(drill.stderr, /sha256 ok/);
        assert.match(drill.stdout, /verify: 23 tables in the source, 23 compared \(20 with content checksums\), 0 mismatches/);
        assert.strictEqual(azure.sql("SELECT COUNT(*) FROM issues", "redmine_drill").trim(), "240");
        assert.strictEqual(azure.sql("SELECT subject FROM issues WHERE id = 7", "redmine_drill").trim(), "日本語の課題 7: 文字化けしないこと");
    });

    it("will not overwrite production unless told so, and says how", async () => {
        const none = await runScriptAsync("restore-backup.sh", [blobName, "--config", config]);
        assert.notStrictEqual(none.status, 0);
        assert.match(none.stderr, /name the target: --database redmine_drill for a drill, or --database \S+ --production/);
        const prodName = /^DB_NAME=(.*)$/m.exec(fs.readFileSync(config, "utf8"))![1];
        const prod = await runScriptAsync("restore-backup.sh", [blobName, "--config", config, "--database", prodName]);
        assert.notStrictEqual(prod.status, 0);
        assert.match(prod.stderr, /is production's database: add --production/);
    });

    it("refuses a damaged download before touching the database", async () => {
        const gz = stub.blobs.get(`${blobName}.sql.gz`)!;
        const damaged = Buffer.from(gz);
        damaged[damaged.length - 20] ^= 0xff;
        stub.blobs.set(`${blobName}.sql.gz`, damaged);
        try {
            azure.sql("DROP DATABASE IF EXISTS redmine_drill2");
            const res = await runScriptAsync("restore-backup.sh", [blobName, "--config", config, "--database", "redmine_drill2"]);
            assert.notStrictEqual(res.status, 0);
            assert.match(res.stderr, /is damaged: sha256/);
            assert.strictEqual(azure.sql("SHOW DATABASES LIKE 'redmine_drill2'"), "");
        } finally {
            stub.blobs.set(`${blobName}.sql.gz`, gz);
        }
    });

    it("fails loudly when the storage refuses the upload (bad SAS)", async () => {
        const badSas = path.join(dir, "bad.sas");
        fs.writeFileSync(badSas, sas.replace("stub-signature", "wrong"), { mode: 0o600 });
        const badConfig = path.join(dir, "bad.env");
        fs.writeFileSync(badConfig, fs.readFileSync(config, "utf8") + `BACKUP_SAS_FILE=${badSas}\n`);
        const res = await runScriptAsync("nightly-backup.sh", ["--config", badConfig]);
        assert.notStrictEqual(res.status, 0);
        assert.match(res.stderr, /upload of redmine\/.*\.sql\.gz failed/);
        assert.ok(!res.output.includes("sig=wrong"));
    });
});
