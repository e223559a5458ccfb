/**
 * files/ through the real rsync binary (pre-sync, then the final delta), the attachments
 * manifest check, the legacy maintenance page switch and the secrets copy.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { requireBinary } from "../support/mariadb";
import { expectOk, runScript, tempDir } from "./helpers";

function write(file: string, content: string | Buffer, mtime?: Date): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    if (mtime) fs.utimesSync(file, mtime, mtime);
}

describe("migration: files/ sync and verification with rsync", () => {
    let dir: string;
    let legacy: string;
    let share: string;
    before(() => {
        requireBinary("rsync", "rsync");
        dir = tempDir("files");
        legacy = path.join(dir, "legacy", "files");
        share = path.join(dir, "share");
        const old = new Date("2013-06-01T00:00:00Z");
        write(path.join(legacy, "2013/01/130101000000_report.pdf"), Buffer.alloc(40000, 7), old);
        write(path.join(legacy, "2013/01/130102000000_設計書.txt"), "日本語の添付ファイル\n", old);
        write(path.join(legacy, "2013/02/130201000000_changes.txt"), "version 1\n", old);
        write(path.join(legacy, "2013/02/130202000000_obsolete.txt"), "to be deleted\n", old);
        write(path.join(legacy, "120101000000_root-level-from-2.2.txt"), "old layout\n", old);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const manifest = (root: string, name: string) => {
        const out = path.join(dir, name);
        expectOk(runScript("verify.sh", ["files-manifest", root, "--out", out]), "files-manifest");
        return out;
    };
    const compare = (extra: string[] = []) =>
        runScript("verify.sh", ["files-compare", manifest(legacy, "src.files"), manifest(share, "dst.files"), ...extra]);

    it("pre-syncs everything, then the final delta brings new, changed and deleted files in line", () => {
        expectOk(runScript("files-sync.sh", ["--mode", "presync", "--source", legacy, "--dest", share]), "presync");
        expectOk(compare(), "compare after presync");
        assert.strictEqual(fs.readFileSync(path.join(share, "2013/01/130102000000_設計書.txt"), "utf8"), "日本語の添付ファイル\n");

        // legacy keeps living until the freeze
        write(path.join(legacy, "2013/03/130301000000_new.png"), Buffer.alloc(1234, 1));
        write(path.join(legacy, "2013/02/130201000000_changes.txt"), "version 2, longer\n");
        fs.rmSync(path.join(legacy, "2013/02/130202000000_obsolete.txt"));

        const again = runScript("files-sync.sh", ["--mode", "presync", "--source", legacy, "--dest", share]);
        expectOk(again, "second presync");
        assert.ok(fs.existsSync(path.join(share, "2013/02/130202000000_obsolete.txt")), "a pre-sync never deletes");
        const stale = compare();
        assert.strictEqual(stale.status, 1);
        assert.match(stale.stdout, /MISMATCH file 2013\/02\/130202000000_obsolete.txt: on target but not on the source/);

        const delta = runScript("files-sync.sh", ["--mode", "delta", "--source", legacy, "--dest", share]);
        expectOk(delta, "delta");
        assert.ok(!fs.existsSync(path.join(share, "2013/02/130202000000_obsolete.txt")), "the delta deletes");
        assert.strictEqual(fs.readFileSync(path.join(share, "2013/02/130201000000_changes.txt"), "utf8"), "version 2, longer\n");
        assert.ok(fs.existsSync(path.join(share, "2013/03/130301000000_new.png")));
        const ok = compare();
        expectOk(ok, "compare after delta");
        assert.match(ok.stdout, /verify files: 5 on the source, 5 on the target, 0 mismatches/);

        const idle = runScript("files-sync.sh", ["--mode", "delta", "--source", legacy, "--dest", share]);
        expectOk(idle, "rerun of the delta");
        assert.match(idle.stdout, /Number of regular files transferred: 0/);
    });

    it("catches a missing attachment and a size mismatch, naming the file", () => {
        fs.rmSync(path.join(share, "2013/03/130301000000_new.png"));
        fs.writeFileSync(path.join(share, "2013/01/130101000000_report.pdf"), Buffer.alloc(100));
        const res = compare();
        assert.strictEqual(res.status, 1, res.output);
        assert.match(res.stdout, /MISMATCH file 2013\/03\/130301000000_new.png: missing on target/);
        assert.match(res.stdout, /MISMATCH file 2013\/01\/130101000000_report.pdf: size source=40000 target=100/);
        const informational = compare(["--report-only"]);
        assert.strictEqual(informational.status, 0);
        assert.match(informational.stdout, /2 mismatches/);
    });

    it("keeps rsync's partial-transfer directory out of the attachments manifest", () => {
        write(path.join(share, ".rsync-partial/130401000000_half.bin"), Buffer.alloc(10));
        expectOk(runScript("files-sync.sh", ["--mode", "delta", "--source", legacy, "--dest", share]), "delta");
        expectOk(compare(), "compare with a partial dir present");
    });

    it("with --require-mount, refuses a share that is not mounted instead of filling the node's disk", () => {
        const res = runScript("files-sync.sh", ["--mode", "delta", "--source", legacy, "--dest", share, "--require-mount"]);
        assert.notStrictEqual(res.status, 0);
        assert.match(res.stderr, /is not mounted: the attachments share must be mounted before files are copied/);
    });

    it("refuses a bad mode and a missing source", () => {
        assert.match(runScript("files-sync.sh", ["--mode", "all", "--source", legacy, "--dest", share]).stderr, /--mode must be presync or delta/);
        const missing = runScript("files-sync.sh", ["--mode", "delta", "--source", path.join(dir, "nope"), "--dest", share]);
        assert.notStrictEqual(missing.status, 0);
        assert.match(missing.stderr, /rsync delta failed/);
    });
});

describe("migration: legacy maintenance page", () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let calls: string;
    before(() => {
        dir = tempDir("maint");
        fs.mkdirSync(path.join(dir, "redmine/public"), { recursive: true });
        fs.mkdirSync(path.join(dir, "conf.d"));
        calls = path.join(dir, "apachectl.calls");
        const stub = path.join(dir, "apachectl");
        // stands in for Apache 2.0's apachectl: records calls, configtest fails on demand
        fs.writeFileSync(stub, `#!/bin/sh\necho "$1" >> '${calls}'\n[ "$1" = configtest ] && [ -f '${dir}/broken' ] && { echo "Syntax error" >&2; exit 1; }\nexit 0\n`, { mode: 0o755 });
        env = { REDMINE_ROOT: path.join(dir, "redmine"), APACHE_CONF_DIR: path.join(dir, "conf.d"), APACHECTL: stub };
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const reloads = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n").filter((l) => l === "graceful").length : 0);

    it("turns on once, stays on without reloading, turns off once", () => {
        expectOk(runScript("maintenance.sh", ["on"], env), "on");
        const conf = fs.readFileSync(path.join(dir, "conf.d/zz-redmine-maintenance.conf"), "utf8");
        assert.match(conf, /<Location \/>\s+Order allow,deny\s+Deny from all\s+ErrorDocument 403 \/redmine-maintenance.html/);
        assert.match(fs.readFileSync(path.join(dir, "redmine/public/redmine-maintenance.html"), "utf8"), /メンテナンス中/);
        assert.strictEqual(reloads(), 1);
        const again = runScript("maintenance.sh", ["on"], env);
        expectOk(again, "on again");
        assert.match(again.stderr, /already on/);
        assert.strictEqual(reloads(), 1, "no reload when nothing changed");
        expectOk(runScript("maintenance.sh", ["off"], env), "off");
        assert.ok(!fs.existsSync(path.join(dir, "conf.d/zz-redmine-maintenance.conf")));
        assert.strictEqual(reloads(), 2);
        assert.match(runScript("maintenance.sh", ["off"], env).stderr, /already off/);
        assert.strictEqual(reloads(), 2);
    });

    it("removes its file again when Apache rejects it, so legacy keeps serving", () => {
        fs.writeFileSync(path.join(dir, "broken"), "");
        const res = runScript("maintenance.sh", ["on"], env);
        fs.rmSync(path.join(dir, "broken"));
        assert.notStrictEqual(res.status, 0);
        assert.match(res.stderr, /Apache rejected the maintenance configuration; removed it/);
        assert.ok(!fs.existsSync(path.join(dir, "conf.d/zz-redmine-maintenance.conf")));
    });
});

describe("migration: legacy secrets copy", () => {
    let dir: string;
    before(() => { dir = tempDir("secrets"); });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const cipher = 'c1ph3r-"key"\\with-odd chars';
    const token = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

    it("copies database_cipher_key (production over default) and the secret token into a 600 file, never to the output", () => {
        const root = path.join(dir, "redmine");
        write(path.join(root, "config/configuration.yml"),
            `default:\n  database_cipher_key: not-this-one\n  email_delivery:\n    delivery_method: :smtp\nproduction:\n  database_cipher_key: '${cipher.replace(/'/g, "''")}'\n`);
        write(path.join(root, "config/initializers/secret_token.rb"),
            `# Redmine 2.3\n# RedmineApp::Application.config.secret_token = 'commented-out'\nRedmineApp::Application.config.secret_token = '${token}'\n`);
        const out = path.join(dir, "node1/etc/redmine/legacy-secrets.yml");
        const res = runScript("secrets-copy.sh", ["--redmine-root", root, "--out", out]);
        expectOk(res, "secrets-copy");
        assert.strictEqual(fs.statSync(out).mode & 0o777, 0o600);
        const text = fs.readFileSync(out, "utf8");
        assert.ok(text.includes(`database_cipher_key: "c1ph3r-\\"key\\"\\\\with-odd chars"`), text);
        assert.ok(text.includes(`secret_token: "${token}"`));
        assert.ok(!res.output.includes(token) && !res.output.includes("c1ph3r"), "no secret in the output");
        assert.match(res.stderr, /database_cipher_key: present; secret token: present/);
        // YAML readers get the exact values back
        const parsed = require("yaml").parse(text);
        assert.strictEqual(parsed.database_cipher_key, cipher);
        assert.strictEqual(parsed.secret_token, token);
    });

    it("writes an empty file when legacy has neither", () => {
        const root = path.join(dir, "bare");
        fs.mkdirSync(path.join(root, "config"), { recursive: true });
        const out = path.join(dir, "bare.yml");
        const res = runScript("secrets-copy.sh", ["--redmine-root", root, "--out", out]);
        expectOk(res, "secrets-copy");
        assert.match(res.stderr, /database_cipher_key: absent; secret token: absent/);
        assert.doesNotMatch(fs.readFileSync(out, "utf8"), /database_cipher_key|secret_token:/);
    });
});
