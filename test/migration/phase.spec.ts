/**
 * The cutover orchestrator end to end on this machine: two real MariaDB servers stand in for
 * legacy MySQL 5.1 and Azure MySQL, two directories for legacy files/ and the share, and
 * SSH=fake-ssh runs each "remote" command locally while recording how ssh was called.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { MariaDbServer, requireBinary, startMariaDb } from "../support/mariadb";
import { tempDir } from "./helpers";
import { schemaSql, seedSql, smallSeed } from "./redmineSeed";

const fakeSsh = path.resolve(__dirname, "fixtures/fake-ssh");
const phaseScript = path.resolve(__dirname, "../../provision/migration/phase.sh");

describe("migration: phase.sh prepare and freeze, run locally through an SSH stand-in", function () {
    this.timeout(180000);
    let legacyDb: MariaDbServer;
    let azureDb: MariaDbServer;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let stdin: string;
    let secrets: string[];
    const token = "5ec2e7t0ken".repeat(6);
    const cipher = "legacy-cipher-key-do-not-print";

    before(async () => {
        requireBinary("ssh-keygen", "openssh-client");
        requireBinary("ssh-agent", "openssh-client");
        requireBinary("rsync", "rsync");
        [legacyDb, azureDb] = await Promise.all([startMariaDb("legacy"), startMariaDb("azure")]);
        dir = tempDir("phase");
        legacyDb.sql("CREATE DATABASE redmine CHARACTER SET utf8");
        legacyDb.sql(schemaSql, "redmine");
        legacyDb.sql(seedSql(smallSeed).sql, "redmine");

        const root = path.join(dir, "legacy/var/www/redmine");
        for (const d of ["config/initializers", "public", "files/2013/01", "files/2013/02"]) fs.mkdirSync(path.join(root, d), { recursive: true });
        fs.writeFileSync(path.join(root, "config/configuration.yml"), `production:\n  database_cipher_key: ${cipher}\n`);
        fs.writeFileSync(path.join(root, "config/initializers/secret_token.rb"), `RedmineApp::Application.config.secret_token = '${token}'\n`);
        fs.writeFileSync(path.join(root, "files/2013/01/130101000000_spec.pdf"), Buffer.alloc(5000, 3));
        fs.writeFileSync(path.join(root, "files/2013/02/130201000000_仕様.txt"), "v1\n");
        fs.writeFileSync(path.join(root, "files/2013/02/130202000000_gone.txt"), "deleted before the freeze\n");
        fs.mkdirSync(path.join(dir, "legacy/etc/httpd/conf.d"), { recursive: true });
        const apachectl = path.join(dir, "apachectl");
        fs.writeFileSync(apachectl, `#!/bin/sh\necho "$1" >> '${dir}/apachectl.calls'\n`, { mode: 0o755 });

        for (const who of ["legacy", "node1"]) {
            execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", who, "-f", path.join(dir, `${who}_key`)]);
        }
        const legacyKey = fs.readFileSync(path.join(dir, "legacy_key"), "utf8");
        const node1Key = fs.readFileSync(path.join(dir, "node1_key"), "utf8");
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        stdin = [`LEGACY_SSH_KEY=${b64(legacyKey)}`, `TARGET_SSH_KEY=${b64(node1Key)}`,
            `LEGACY_DB_PASSWORD=${b64(legacyDb.password)}`, `TARGET_DB_PASSWORD=${b64(azureDb.password)}`].join("\n") + "\n";
        secrets = [legacyDb.password, azureDb.password, token, cipher,
            legacyKey.split("\n")[1], node1Key.split("\n")[1], b64(legacyDb.password), b64(azureDb.password)];

        env = {
            SSH: fakeSsh, NODE1_SSH: fakeSsh, FAKE_SSH_LOG: path.join(dir, "ssh.log"),
            LEGACY_SSH_HOST: "legacy.example.jp", LEGACY_SSH_USER: "root", LEGACY_REDMINE_ROOT: root,
            LEGACY_DB_HOST: legacyDb.host, LEGACY_DB_PORT: String(legacyDb.port), LEGACY_DB_NAME: "redmine", LEGACY_DB_USER: legacyDb.user,
            LEGACY_WORK_DIR: path.join(dir, "legacy/var/tmp/redmine-migration"),
            LEGACY_APACHE_CONF_DIR: path.join(dir, "legacy/etc/httpd/conf.d"), LEGACY_APACHECTL: apachectl,
            TARGET_SSH_HOST: "20.1.2.3", TARGET_SSH_PORT: "50001", TARGET_SSH_USER: "azureuser",
            TARGET_DB_HOST: azureDb.host, TARGET_DB_PORT: String(azureDb.port), TARGET_DB_NAME: "redmine", TARGET_DB_USER: azureDb.user,
            TARGET_DB_SSL_CA: "", TARGET_FILES_PATH: path.join(dir, "node1/srv/redmine-files"),
            // a plain directory stands in for the share's mount point here
            TARGET_FILES_REQUIRE_MOUNT: "0",
            TARGET_WORK_DIR: path.join(dir, "node1/var/lib/redmine-migration"),
            TARGET_LEGACY_KEYS_FILE: path.join(dir, "node1/etc/redmine/legacy-secrets.yml"),
            MIGRATION_LOG: path.join(dir, "cutover.log"),
        };
    });

    after(async () => {
        await Promise.all([legacyDb?.stop(), azureDb?.stop()]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const runPhase = (phase: string, extraEnv: NodeJS.ProcessEnv = {}, input = stdin) => {
        fs.writeFileSync(env.FAKE_SSH_LOG as string, "");
        const started = Date.now();
        const res = spawnSync("bash", [phaseScript, phase], { env: { ...process.env, ...env, ...extraEnv }, input, encoding: "utf8" });
        const output = res.stdout + res.stderr;
        const log = fs.readFileSync(env.MIGRATION_LOG as string, "utf8");
        for (const s of secrets) {
            assert.ok(!output.includes(s) && !log.includes(s), `a secret leaked into the output of ${phase}`);
        }
        return { status: res.status, output, seconds: (Date.now() - started) / 1000, sshCalls: fs.readFileSync(env.FAKE_SSH_LOG as string, "utf8").trim().split("\n") };
    };
    const maintenanceConf = () => path.join(env.LEGACY_APACHE_CONF_DIR as string, "zz-redmine-maintenance.conf");
    const share = () => env.TARGET_FILES_PATH as string;

    it("prepare: pre-syncs files/ and rehearses dump → restore → verify while legacy stays writable", () => {
        const res = runPhase("prepare");
        assert.strictEqual(res.status, 0, res.output);
        assert.match(res.output, /verify: 23 tables in the source, 23 compared \(20 with content checksums\), 0 mismatches/);
        assert.match(res.output, /files check \(informational\)\s+\d+s ok/);
        assert.ok(!fs.existsSync(maintenanceConf()), "prepare never stops legacy writes");
        assert.strictEqual(azureDb.sql("SELECT subject FROM issues WHERE id = 14", "redmine").trim(), "日本語の課題 14: 文字化けしないこと");
        assert.strictEqual(fs.readFileSync(path.join(share(), "2013/02/130201000000_仕様.txt"), "utf8"), "v1\n");

        // how ssh was called: legacy with the SHA-1 era options, node 1 on its NAT port
        const legacyCalls = res.sshCalls.filter((c) => c.includes("root@legacy.example.jp"));
        const nodeCalls = res.sshCalls.filter((c) => c.includes("azureuser@20.1.2.3"));
        assert.ok(legacyCalls.length >= 3 && nodeCalls.length >= 3);
        for (const c of legacyCalls) {
            assert.match(c, /-oKexAlgorithms=\+diffie-hellman-group14-sha1 -oHostKeyAlgorithms=\+ssh-rsa -oPubkeyAcceptedAlgorithms=\+ssh-rsa/);
            assert.match(c, /-p 22 /);
        }
        for (const c of nodeCalls) assert.match(c, /-p 50001 /);
        const rsyncCall = nodeCalls.find((c) => c.includes("files-sync.sh"));
        assert.ok(rsyncCall, "files go through node 1");
        assert.match(rsyncCall!, /-A -R 127\.0\.0\.1:52222:legacy\.example\.jp:22 -oExitOnForwardFailure=yes/);
        assert.match(rsyncCall!, /presync/);
        // node 1's rsync reached "legacy" through the tunnel port, with the legacy options
        assert.ok(res.sshCalls.some((c) => /^-p 52222 .*-oKexAlgorithms=\+diffie-hellman-group14-sha1.* -l root 127\.0\.0\.1 rsync --server --sender/.test(c)), res.sshCalls.join("\n"));
        // the private keys were temp files, gone now
        const keyArg = legacyCalls[0].match(/-i (\S+)/)![1];
        assert.ok(!fs.existsSync(keyArg), "temp key removed on exit");
    });

    it("freeze: maintenance on, final dump → restore → verify, files delta with deletes, secrets copied", () => {
        // legacy was used after the rehearsal
        legacyDb.sql("INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on) VALUES (1, 'Issue', 1, '凍結前の最後のコメント', NOW())", "redmine");
        const root = env.LEGACY_REDMINE_ROOT as string;
        fs.writeFileSync(path.join(root, "files/2013/02/130201000000_仕様.txt"), "v2 after the rehearsal\n");
        fs.writeFileSync(path.join(root, "files/2013/02/130203000000_new.txt"), "new\n");
        fs.rmSync(path.join(root, "files/2013/02/130202000000_gone.txt"));

        const res = runPhase("freeze");
        assert.strictEqual(res.status, 0, res.output);
        assert.ok(fs.existsSync(maintenanceConf()), "legacy shows the maintenance page");
        assert.match(res.output, /final verify database\s+\d+s ok/);
        assert.match(res.output, /verify files: 3 on the source, 3 on the target, 0 mismatches/);
        assert.strictEqual(azureDb.sql("SELECT notes FROM journals ORDER BY id DESC LIMIT 1", "redmine").trim(), "凍結前の最後のコメント");
        assert.ok(!fs.existsSync(path.join(share(), "2013/02/130202000000_gone.txt")));
        assert.strictEqual(fs.readFileSync(path.join(share(), "2013/02/130201000000_仕様.txt"), "utf8"), "v2 after the rehearsal\n");
        const secretsFile = env.TARGET_LEGACY_KEYS_FILE as string;
        assert.strictEqual(fs.statSync(secretsFile).mode & 0o777, 0o600);
        assert.match(fs.readFileSync(secretsFile, "utf8"), new RegExp(`secret_token: "${token}"`));
        assert.ok(!fs.existsSync(path.join(env.LEGACY_WORK_DIR as string, "legacy-secrets.yml")), "no copy left on legacy");
        assert.ok(res.sshCalls.find((c) => c.includes("files-sync.sh"))!.includes("delta"));
        console.log(`      freeze on the small seed took ${res.seconds.toFixed(1)} s`);
    });

    it("freeze rerun resumes safely and changes nothing", () => {
        const before = azureDb.sql("SELECT COUNT(*) FROM journals", "redmine");
        const res = runPhase("freeze");
        assert.strictEqual(res.status, 0, res.output);
        assert.match(res.output, /maintenance page already on/);
        assert.strictEqual(azureDb.sql("SELECT COUNT(*) FROM journals", "redmine"), before);
    });

    it("freeze stops at the failing step (a wrong legacy DB password) and never prints the password it was given", () => {
        const wrongPw = `LEGACY_DB_PASSWORD=${Buffer.from("wrong-password-xyz").toString("base64")}`;
        const input = stdin.split("\n").map((l) => (l.startsWith("LEGACY_DB_PASSWORD=") ? wrongPw : l)).join("\n");
        const res = runPhase("freeze", {}, input);
        assert.notStrictEqual(res.status, 0);
        assert.match(res.output, /freeze failed at step 'final dump'/);
        assert.ok(!res.output.includes("wrong-password-xyz"));
    });

    it("unfreeze (back to prepare) turns the maintenance page off", () => {
        const res = runPhase("unfreeze", {}, stdin.split("\n").filter((l) => l.startsWith("LEGACY_SSH_KEY=")).join("\n") + "\n");
        assert.strictEqual(res.status, 0, res.output);
        assert.ok(!fs.existsSync(maintenanceConf()));
    });

    it("refuses to run without its secrets or its settings", () => {
        const noKey = runPhase("prepare", {}, "");
        assert.notStrictEqual(noKey.status, 0);
        assert.match(noKey.output, /stdin: LEGACY_SSH_KEY is missing/);
        const noHost = runPhase("prepare", { TARGET_SSH_HOST: "" });
        assert.match(noHost.output, /environment variable TARGET_SSH_HOST is required/);
    });
});
