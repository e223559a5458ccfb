import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DnsCutover } from "../../components/dnsCutover";
import type { CutoverPhase } from "../../config";
import { one, plain, recordComponent } from "../support/recorded";
import { isSecretValue } from "../../tools/recording";

describe("DnsCutover", () => {
    const build = (phase: CutoverPhase) => recordComponent(() => new DnsCutover("dns", {
        phase, zoneId: "Z0123456789EXAMPLE", recordName: "redmine.example.com", roleArn: "arn:aws:iam::123456789012:role/cutover",
        externalId: pulumi.secret("PLACEHOLDER-SECRET-external"), region: "us-east-1", cutoverTtl: 60, normalTtl: 3600,
        legacyAddress: "198.51.100.20", azureAddress: "192.0.2.10", approvedPhase: phase,
    }));

    const expected: Record<CutoverPhase, [string, number]> = {
        prepare: ["198.51.100.20", 60], freeze: ["198.51.100.20", 60], switch: ["192.0.2.10", 60], complete: ["192.0.2.10", 3600],
    };
    for (const [phase, [address, ttl]] of Object.entries(expected) as [CutoverPhase, [string, number]][]) {
        it(`${phase}: the record holds ${address} with TTL ${ttl}`, async () => {
            const record = one(await build(phase), "aws:route53/record:Record");
            assert.deepStrictEqual(plain(record.inputs).records, [address]);
            assert.strictEqual(record.inputs.ttl, ttl);
        });
    }

    it("adopts the existing record by import and keeps it on delete", async () => {
        const record = one(await build("prepare"), "aws:route53/record:Record");
        assert.strictEqual(record.options.importId, "Z0123456789EXAMPLE_redmine.example.com_A");
        assert.ok(record.options.retainOnDelete);
        assert.ok(record.options.protect);
    });

    it("changes the record through a provider that assumes the customer's role", async () => {
        const resources = await build("switch");
        const provider = one(resources, "pulumi:providers:aws");
        const role = plain(provider.inputs).assumeRoles;
        assert.match(JSON.stringify(role), /arn:aws:iam::123456789012:role\/cutover/);
        assert.ok(JSON.stringify(provider.inputs).includes("4dabf18193072939515e22adb298388d"), "externalId stays secret");
        assert.strictEqual(one(resources, "aws:route53/record:Record").options.provider, provider.urn);
        void isSecretValue;
    });
});
