import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    DOWNLOADS, REMOTE, TEMPLATES, TEMPLATE_DIR, UnitLayout, fill, mountUnitName, renderConfigurationYml, renderDatabaseYml,
    renderGemfileLocal, renderMountUnit, renderSecretTokenInitializer, renderThinTarget, renderThinUnit, templateText,
} from "../../provision/render";
import { PROVISION_DIR, planNodeSteps } from "../../provision/steps";
import { nodeValues } from "./support/values";

function tool(bin: string, pkg: string): string {
    const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`${bin} is not installed: apt-get install ${pkg}`);
    }
    return r.stdout.trim();
}

function tmpdir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Evaluates a Redmine ERB/YAML file the way Rails does, with File.read answering `secret`. */
function erb(text: string, secret: string): string {
    const dir = tmpdir("erb-");
    try {
        const src = path.join(dir, "in.erb");
        fs.writeFileSync(src, text);
        const script = `require "erb"; s = File.read(ARGV[0]); class << File; def read(*); ${JSON.stringify(secret)}; end; end; print ERB.new(s).result`;
        const r = spawnSync("ruby", ["-e", script, src], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function scripts(): string[] {
    const out: string[] = [];
    for (const d of ["steps", "lib"]) {
        for (const f of fs.readdirSync(path.join(PROVISION_DIR, d))) {
            if (f.endsWith(".sh")) out.push(path.join(PROVISION_DIR, d, f));
        }
    }
    return out.sort();
}

describe("provision files", function () {
    this.timeout(60_000);

    describe("shell scripts", function () {
        it("pass shellcheck (following the sourced common.sh)", function () {
            tool("shellcheck", "shellcheck");
            const r = spawnSync("shellcheck", ["-x", ...scripts()], { encoding: "utf8", cwd: path.join(PROVISION_DIR, "..") });
            assert.equal(r.status, 0, r.stdout + r.stderr);
        });

        it("also pass shellcheck on the stubs the bats tests put on PATH", function () {
            tool("shellcheck", "shellcheck");
            const stubs = path.join(__dirname, "bats", "stubs");
            const files = fs.readdirSync(stubs).filter(f => !f.startsWith("_")).map(f => path.join(stubs, f));
            const r = spawnSync("shellcheck", ["-x", "-e", "SC1091", ...files, path.join(__dirname, "bats", "helpers.bash")], { encoding: "utf8" });
            assert.equal(r.status, 0, r.stdout + r.stderr);
        });

        it("every step is strict bash and reads the shared helpers", function () {
            for (const f of scripts().filter(s => s.includes(`${path.sep}steps${path.sep}`))) {
                const text = fs.readFileSync(f, "utf8");
                assert.match(text, /^#!\/usr\/bin\/env bash\n/, f);
                assert.match(text, /^set -euo pipefail$/m, f);
                assert.match(text, /source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/\.\.\/lib\/common\.sh"/, f);
            }
        });
    });

    describe("systemd units", function () {
        let dir: string;
        let layout: UnitLayout;
        before(function () {
            tool("systemd-analyze", "systemd");
            dir = tmpdir("units-");
            // systemd-analyze verify checks that ExecStart exists: give it a stand-in ruby prefix
            layout = { redmineDir: path.join(dir, "opt/redmine"), rubyPrefix: path.join(dir, "opt/rubies/2.2.10"), socketDir: path.join(dir, "run/redmine"), attachmentsDir: REMOTE.attachmentsDir };
            fs.mkdirSync(path.join(layout.rubyPrefix, "bin"), { recursive: true });
            fs.mkdirSync(layout.redmineDir, { recursive: true });
            fs.writeFileSync(path.join(layout.rubyPrefix, "bin/bundle"), "#!/bin/sh\n", { mode: 0o755 });
        });
        after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

        function verify(files: Record<string, string>, unitsToCheck: string[]): { status: number | null; out: string } {
            const unitDir = tmpdir("verify-");
            try {
                for (const [n, c] of Object.entries(files)) fs.writeFileSync(path.join(unitDir, n), c);
                const r = spawnSync("systemd-analyze", ["verify", ...unitsToCheck.map(u => path.join(unitDir, u))], { encoding: "utf8" });
                return { status: r.status, out: r.stdout + r.stderr };
            } finally {
                fs.rmSync(unitDir, { recursive: true, force: true });
            }
        }

        it("the thin template unit, its instances and the target pass systemd-analyze verify", function () {
            const r = verify(
                { "redmine-thin@.service": renderThinUnit(layout), "redmine-thin@1.service": renderThinUnit(layout), "redmine-thin.target": renderThinTarget() },
                ["redmine-thin@1.service", "redmine-thin.target"],
            );
            assert.equal(r.status, 0, r.out);
            assert.doesNotMatch(r.out, /Unknown (key|section)|bad-setting/i);
        });

        it("the share's mount unit passes systemd-analyze verify under its escaped name", function () {
            const name = mountUnitName(REMOTE.attachmentsDir);
            assert.equal(name, "srv-redmine\\x2dfiles.mount");
            const r = verify({ [name]: renderMountUnit({ accountName: "redminefiles01", shareName: "redmine-files" }) }, [name]);
            assert.equal(r.status, 0, r.out);
        });

        it("verify does catch a broken unit (so the checks above mean something)", function () {
            const broken = renderThinUnit(layout).replace(/^ExecStart=.*$/m, "ExecStart=not-an-absolute-path");
            const r = verify({ "redmine-thin@.service": broken, "redmine-thin@1.service": broken }, ["redmine-thin@1.service"]);
            assert.notEqual(r.status, 0);
        });

        it("thin runs as redmine on its own unix socket, restarts on failure and needs the share mounted", function () {
            const unit = renderThinUnit();
            assert.match(unit, /^User=redmine$/m);
            assert.match(unit, /--socket \/run\/redmine\/thin\.%i\.sock/);
            assert.match(unit, /^Restart=on-failure$/m);
            assert.match(unit, /^RequiresMountsFor=\/srv\/redmine-files$/m);
            assert.doesNotMatch(unit, /--daemonize|-d /);
            const mount = renderMountUnit({ accountName: "redminefiles01", shareName: "redmine-files" });
            assert.match(mount, /^What=\/\/redminefiles01\.file\.core\.windows\.net\/redmine-files$/m);
            assert.match(mount, /^Options=vers=3\.0,credentials=\/etc\/smbcredentials\/redminefiles01\.cred,uid=redmine,gid=redmine,dir_mode=0770,file_mode=0660,serverino,nofail,_netdev$/m);
            assert.throws(() => renderMountUnit({ accountName: "Bad_Name", shareName: "x" }), /files\.accountName/);
        });
    });

    describe("Redmine's Ruby and YAML files", function () {
        before(() => tool("ruby", "ruby"));

        const rubyFiles: Record<string, () => string> = {
            "config/initializers/abstract_mysql2_adapter.rb": () => templateText("primaryKeyInitializer"),
            "config/initializers/secret_token.rb": () => renderSecretTokenInitializer(),
            "Gemfile.local": () => renderGemfileLocal(),
        };
        for (const [name, render] of Object.entries(rubyFiles)) {
            it(`${name} passes ruby -c`, function () {
                const r = spawnSync("ruby", ["-c"], { input: render(), encoding: "utf8" });
                assert.equal(r.status, 0, r.stderr);
                assert.match(r.stdout, /Syntax OK/);
            });
        }

        it("the primary-key initializer fixes the MySQL 5.7 NOT NULL primary key", function () {
            assert.match(templateText("primaryKeyInitializer"), /NATIVE_DATABASE_TYPES\[:primary_key\] = "int\(11\) auto_increment PRIMARY KEY"/);
        });

        it("database.yml parses, and after ERB carries the password byte for byte (quotes too)", function () {
            const text = renderDatabaseYml({ host: "redmine-db.mysql.database.azure.com", name: "redmine", user: "admin" });
            const raw = YAML.parse(text).production;
            assert.equal(raw.adapter, "mysql2");
            assert.equal(raw.host, "redmine-db.mysql.database.azure.com");
            assert.equal(raw.username, "admin");
            assert.equal(raw.encoding, "utf8");
            assert.equal(raw.sslca, REMOTE.mysqlCaBundle);
            assert.match(raw.init_command, /sql_mode='NO_ENGINE_SUBSTITUTION'/);
            const password = `p@ss'w"o:rd #1 \\n`;
            const evaluated = YAML.parse(erb(text, password)).production;
            assert.equal(evaluated.password, password);
        });

        it("configuration.yml parses with and without SMTP, and puts attachments on the share", function () {
            const withSmtp = renderConfigurationYml({ hostname: "redmine.example.com", smtp: { host: "smtp.example.com", port: 587, user: "mailer", from: "r@example.com" }, smtpPassword: true, cipherKey: true });
            const parsed = YAML.parse(erb(withSmtp, "sm'tp")).production;
            assert.equal(parsed.attachments_storage_path, REMOTE.attachmentsDir);
            assert.equal(parsed.email_delivery.delivery_method, ":smtp");
            assert.equal(parsed.email_delivery.smtp_settings.address, "smtp.example.com");
            assert.equal(parsed.email_delivery.smtp_settings.port, 587);
            assert.equal(parsed.email_delivery.smtp_settings.password, "sm'tp");
            assert.equal(parsed.database_cipher_key, "sm'tp");
            const without = YAML.parse(renderConfigurationYml({ hostname: "redmine.example.com", smtpPassword: false, cipherKey: false })).production;
            assert.deepEqual(Object.keys(without), ["attachments_storage_path"]);
        });

        it("Redmine's own loader reads the YAML files the same way (Ruby's Psych)", function () {
            for (const text of [
                renderDatabaseYml({ host: "h.example.com", name: "redmine", user: "admin" }),
                renderConfigurationYml({ hostname: "redmine.example.com", smtp: { host: "smtp.example.com", port: 587, from: "r@example.com" }, smtpPassword: true, cipherKey: false }),
                templateText("databasePlaceholderYml"),
                templateText("bundleConfig"),
            ]) {
                const r = spawnSync("ruby", ["-ryaml", "-e", "exit(YAML.load(STDIN.read).is_a?(Hash) ? 0 : 1)"], { input: erb(text, "x"), encoding: "utf8" });
                assert.equal(r.status, 0, r.stderr + text);
            }
        });
    });

    describe("templates and pins", function () {
        it("every template file is used, and every placeholder is filled", function () {
            const listed = new Set(Object.values(TEMPLATES));
            const onDisk: string[] = [];
            const walk = (d: string) => {
                for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                    const p = path.join(d, e.name);
                    if (e.isDirectory()) walk(p);
                    else onDisk.push(path.relative(TEMPLATE_DIR, p));
                }
            };
            walk(TEMPLATE_DIR);
            assert.deepEqual(onDisk.sort(), [...listed].sort());
            for (const v of [nodeValues(), nodeValues({ tls: true, cipherKey: true, index: 2 })]) {
                for (const p of planNodeSteps(v)) {
                    for (const [name, content] of Object.entries(p.files)) {
                        assert.doesNotMatch(content, /\{\{|\}\}/, `${p.name}/${name} has an unfilled placeholder`);
                    }
                }
            }
            assert.throws(() => fill("{{nope}}", {}), /nope/);
        });

        it("the MySQL CA bundle holds the three roots Azure chains to, each a valid certificate", function () {
            tool("openssl", "openssl");
            const pem = templateText("mysqlCaBundle");
            const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
            assert.equal(certs.length, 3);
            const subjects = certs.map(c => spawnSync("openssl", ["x509", "-noout", "-subject"], { input: c, encoding: "utf8" }).stdout);
            assert.ok(subjects.some(s => /DigiCert Global Root CA/.test(s)), subjects.join());
            assert.ok(subjects.some(s => /DigiCert Global Root G2/.test(s)), subjects.join());
            assert.ok(subjects.some(s => /Microsoft RSA Root Certificate Authority 2017/.test(s)), subjects.join());
        });

        it("downloads are pinned by checksum to the versions the stack needs", function () {
            assert.equal(DOWNLOADS.ruby.checksum, "sha256:a54204d2728283c9eff0cf81d654f245fa5b3447d0824f1a6bc3b2c5c827381e");
            assert.match(DOWNLOADS.rubyBuild.checksum, /^sha256:[0-9a-f]{64}$/);
            assert.match(DOWNLOADS.redmine.checksum, /^(md5:[0-9a-f]{32}|sha256:[0-9a-f]{64})$/);
            assert.match(DOWNLOADS.redmine.url, /redmine-2\.6\.10\.tar\.gz$/);
            assert.match(DOWNLOADS.ruby.url, /ruby-2\.2\.10\.tar\.bz2$/);
        });

        it("yum points at the vault and the EPEL archive only", function () {
            const base = templateText("yumBase");
            assert.doesNotMatch(base, /^mirrorlist=/m);
            assert.equal((base.match(/^baseurl=http:\/\/vault\.centos\.org\/7\.9\.2009\//gm) ?? []).length, 3);
            assert.match(templateText("yumEpel"), /^baseurl=https:\/\/archives\.fedoraproject\.org\/pub\/archive\/epel\/7\/\$basearch\/$/m);
        });
    });
});
