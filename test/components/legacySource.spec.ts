import * as assert from "assert";
import { LegacySource } from "../../components/legacySource";
import { ofType, recordComponent } from "../support/recorded";

describe("LegacySource", () => {
    it("snapshots the legacy root volume, tagged, protected and retained on delete", async () => {
        const snaps = ofType(await recordComponent(() => new LegacySource("legacy", { instanceId: "i-0a1b2c3d4e5f60718" })), "aws:ebs/snapshot:Snapshot");
        assert.strictEqual(snaps.length, 1);
        assert.match(String(snaps[0].inputs.volumeId), /^vol-/);
        assert.strictEqual((snaps[0].inputs.tags as Record<string, string>)["redmine:role"], "legacy-rollback");
        assert.ok(snaps[0].options.protect);
        assert.ok(snaps[0].options.retainOnDelete);
    });

    it("refuses a volume list that does not match what is attached", async () => {
        await assert.rejects(recordComponent(() => new LegacySource("legacy", { instanceId: "i-0a1b2c3d4e5f60718", volumeIds: ["vol-0123456789abcdef0"] })), /legacy\.volumeIds: must be exactly the volumes attached/);
    });
});
