import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { ConfigError, ConfigSource, DEFAULTS, loadConfig, PROJECT } from "../config";
import { loadStackConfig, REPO_ROOT, secretPlaceholder } from "../tools/stackConfig";
import { MockRunError } from "../tools/mockEngine";
import { recordStack } from "../tools/recordStack";

/** A ConfigSource over the engine-style values that loadStackConfig produces. */
function sourceFor(stack: string, set: string[] = []): ConfigSource {
    const { values } = loadStackConfig(stack, { set });
    return {
        get: (key) => values[`${PROJECT}:${key}`],
        getSecret: (key) => (values[`${PROJECT}:${key}`] === undefined ? undefined : pulumi.secret(values[`${PROJECT}:${key}`])),
        getProvider: (key) => values[key],
    };
}

function problemsFor(set: string[], stack = "prod"): string[] {
    try {
        loadConfig(sourceFor(stack, set), stack);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems;
    }
    return [];
}

function assertRejected(set: string[], key: string, allowed: RegExp): void {
    const problems = problemsFor(set);
    const mine = problems.filter((p) => p.startsWith(`${key}:`) || p.startsWith(`${key} `));
    assert.ok(mine.length > 0, `expected a problem naming ${key} for ${set.join(" ")}; got ${JSON.stringify(problems)}`);
    assert.match(mine.join("\n"), allowed);
}

describe("stack configuration", () => {
    for (const stack of ["dev", "prod"]) {
        it(`loads Pulumi.${stack}.yaml over the Pulumi.yaml defaults`, () => {
            const cfg = loadConfig(sourceFor(stack), stack);
            assert.strictEqual(cfg.location, "japaneast");
            assert.ok(cfg.web.count >= 2);
            assert.ok(cfg.adminCidrs.length > 0);
            assert.strictEqual(cfg.cutover, "prepare");
        });
    }

    it("gives dev a cheaper but still two-node setup and prod the redundant one", () => {
        const dev = loadConfig(sourceFor("dev"), "dev");
        const prod = loadConfig(sourceFor("prod"), "prod");
        assert.strictEqual(dev.web.count, 2);
        assert.notStrictEqual(dev.db.haMode, "ZoneRedundant");
        assert.strictEqual(dev.files.sku, "Standard_LRS");
        assert.strictEqual(prod.db.haMode, "ZoneRedundant");
        assert.notStrictEqual(prod.db.zone, prod.db.standbyZone);
        assert.strictEqual(prod.files.sku, "Standard_ZRS");
        assert.strictEqual(prod.backup.vaultRedundancy, "GeoRedundant");
        assert.strictEqual(prod.protectData, true);
        assert.strictEqual(dev.protectData, false);
    });

    it("declares in Pulumi.yaml the same defaults config.ts applies", () => {
        const project = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")).config;
        for (const key of ["web", "db", "files", "backup", "app"] as const) {
            assert.deepStrictEqual(project[key].default, DEFAULTS[key], `Pulumi.yaml ${key} default`);
        }
        assert.strictEqual(project.cutover.default, DEFAULTS.cutover);
        assert.strictEqual(project.protectData.default, DEFAULTS.protectData);
        for (const secret of ["sshPrivateKey", "dbAdminPassword", "secretToken"]) assert.strictEqual(project[secret].secret, true, secret);
    });

    it("keeps every other field's default when one field of an object is set", () => {
        const cfg = loadConfig(sourceFor("prod", ["web.count=3"]), "prod");
        assert.strictEqual(cfg.web.count, 3);
        assert.deepStrictEqual(cfg.web.zones, ["1", "2", "3"]);
        assert.strictEqual(cfg.web.image.sku, "7_9");
    });

    it("defaults the image to CentOS 7.9 from OpenLogic", () => {
        assert.deepStrictEqual(loadConfig(sourceFor("prod"), "prod").web.image, { publisher: "OpenLogic", offer: "CentOS", sku: "7_9", version: "latest" });
    });

    describe("rejects bad values with the key and what is allowed", () => {
        it("web.count 1", () => assertRejected(["web.count=1"], "web.count", /at least 2/));
        it('web.count "two"', () => assertRejected(["web.count=two"], "web.count", /"two".*whole number/));
        it("an invalid admin CIDR", () => assertRejected(["adminCidrs=[\"10.0.0.300/24\"]"], "adminCidrs", /not a valid IPv4 CIDR/));
        it("0.0.0.0/0 as admin CIDR", () => assertRejected(["adminCidrs=[\"0.0.0.0/0\"]"], "adminCidrs", /whole Internet/));
        it("an unknown HA mode", () => assertRejected(["db.haMode=Geo"], "db.haMode", /one of ZoneRedundant, SameZone, Disabled/));
        it("HA on Burstable", () => assertRejected(["db.tier=Burstable"], "db.haMode", /Burstable has no high availability/));
        it("standby in the primary's zone", () => assertRejected(["db.standbyZone=\"1\""], "db.standbyZone", /must differ/));
        it("retention 0", () => assertRejected(["db.backupRetentionDays=0"], "db.backupRetentionDays", /1 to 35/));
        it("retention 40", () => assertRejected(["db.backupRetentionDays=40"], "db.backupRetentionDays", /1 to 35/));
        it("file-share backup retention 0", () => assertRejected(["backup.retentionDays=0"], "backup.retentionDays", /1 to 200/));
        it("a storage SKU Azure Files cannot use", () => assertRejected(["files.sku=Premium_LRS"], "files.sku", /Standard_LRS, Standard_ZRS, Standard_GRS, Standard_GZRS/));
        it("a read-access geo SKU", () => assertRejected(["files.sku=Standard_RAGRS"], "files.sku", /Azure Files/));
        it("an unknown cutover phase", () => assertRejected(["cutover=go"], "cutover", /prepare, freeze, switch, complete/));
        it("a bad zone", () => assertRejected(["web.zones=[\"4\"]"], "web.zones", /"1", "2", "3"/));
        it("a time zone that is not an IANA name", () => assertRejected(["app.timeZone=JST+9"], "app.timeZone", /IANA time zone/));
        it("a bad hostname", () => assertRejected(["hostname=Not_A_Host"], "hostname", /DNS name/));
        it("a bad role ARN", () => assertRejected(["dns.roleArn=role/x"], "dns.roleArn", /IAM role ARN/));
        it("a cutover TTL above 300", () => assertRejected(["dns.cutoverTtl=3600"], "dns.cutoverTtl", /30 to 300/));
        it("a DNS record without the address it holds today", () => assertRejected(["dns.legacyAddress=\"\""], "dns.legacyAddress", /dig \+short/));
        it("a record that is not the hostname", () => assertRejected(["dns.recordName=other.example.com"], "dns.recordName", /must be the Redmine hostname/));
        it("an object given as a string", () => assertRejected(["db=small"], "db", /must be an object/));
    });

    it("names a missing secret and how to set it", () => {
        const source = sourceFor("prod");
        const withoutPassword: ConfigSource = { ...source, getSecret: (k) => (k === "dbAdminPassword" ? undefined : source.getSecret(k)) };
        assert.throws(() => loadConfig(withoutPassword, "prod"), (e: ConfigError) => e.problems.some((p) => p === "dbAdminPassword: secret is missing; set it with: pulumi config set --secret dbAdminPassword <value>"));
    });

    it("wants the TLS certificate and its key together", () => {
        const source = sourceFor("prod", ["tlsCertificate=-----BEGIN CERTIFICATE-----x"]);
        const withoutKey: ConfigSource = { ...source, getSecret: (k) => (k === "tlsPrivateKey" ? undefined : source.getSecret(k)) };
        assert.throws(() => loadConfig(withoutKey, "prod"), (e: ConfigError) => e.problems.some((p) => /^tlsCertificate and tlsPrivateKey: set both/.test(p)));
        assert.doesNotThrow(() => loadConfig(source, "prod"));
    });

    it("reports every problem at once", () => {
        assert.ok(problemsFor(["web.count=1", "db.haMode=Geo", "files.sku=Premium_LRS"]).length >= 3);
    });

    it("registers no resource when the config is invalid", async () => {
        await assert.rejects(recordStack("prod", { set: ["web.count=1"] }), (e: MockRunError) => {
            assert.match(e.message, /web\.count/);
            // Only the root stack resource, which the engine registers before the program runs.
            assert.deepStrictEqual(e.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
            return true;
        });
    });

    it("replaces secrets by placeholders and never reads encrypted values", () => {
        const cfg = loadStackConfig("prod");
        assert.strictEqual(cfg.values["redmine:dbAdminPassword"], secretPlaceholder("dbAdminPassword"));
        assert.ok(cfg.secretKeys.includes("redmine:dbAdminPassword"));
        assert.throws(() => loadStackConfig("prod", { set: ["dbAdminPassword=hunter2"] }), /secrets are placeholders/);
        assert.throws(() => loadStackConfig("staging"), /Pulumi\.staging\.yaml: no such stack file; known stacks: dev, prod/);
    });
});
