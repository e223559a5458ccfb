import { cutoverTtl, legacySnapshotProtected, rollbackPointDuringCutover } from "../../policies/cutover";
import { runResource, runStack, UNKNOWN } from "../support/policyHarness";
import { clean, notApplicable, readsUnknown, violates } from "./expect";
import { miniStack } from "./fixtures";
import { edit, relink, without } from "./stackCases";

const SNAPSHOT = "aws:ebs/snapshot:Snapshot";

describe("policies/cutover", () => {
    describe("dns-cutover-low-ttl", () => {
        const stack = miniStack("prod");

        it("passes TTL 60 during prepare, freeze and switch", async () => {
            for (const phase of ["prepare", "freeze", "switch"]) {
                clean(await runStack(cutoverTtl, edit(stack, "cutover", "phase", phase)));
            }
        });

        it("reports a TTL above maxCutoverTtl, or none, while a cutover is in progress", async () => {
            violates(await runStack(cutoverTtl, edit(stack, "cutover-record", "ttl", 3600)), /cutover-record: TTL is 3600 s during cutover phase prepare; at most 300/);
            violates(await runStack(cutoverTtl, edit(stack, "cutover-record", "ttl", undefined)), /TTL is unset s/);
            violates(await runStack(cutoverTtl, stack, { maxCutoverTtl: 30 }), /at most 30 s/);
        });

        it("lets the TTL go back up once the cutover is complete", async () => {
            clean(await runStack(cutoverTtl, edit(edit(stack, "cutover", "phase", "complete"), "cutover-record", "ttl", 3600)));
        });

        it("falls back to every Route 53 record when none is under the component, and skips alias records", async () => {
            const detached = relink(edit(stack, "cutover-record", "ttl", 900), "cutover-record", { parent: undefined });
            violates(await runStack(cutoverTtl, detached), /TTL is 900/);
            clean(await runStack(cutoverTtl, edit(edit(stack, "cutover-record", "ttl", undefined), "cutover-record", "aliases", [{ name: "lb", zoneId: "Z", evaluateTargetHealth: true }])));
        });

        it("reads inProgressPhases and excludeFor from config", async () => {
            clean(await runStack(cutoverTtl, edit(edit(stack, "cutover", "phase", "prepare"), "cutover-record", "ttl", 3600), { inProgressPhases: ["freeze", "switch"] }));
            clean(await runStack(cutoverTtl, edit(stack, "cutover-record", "ttl", 3600), { excludeFor: ["^cutover-record$"] }));
        });

        it("is not applicable without a DnsCutover component", async () => {
            notApplicable(await runStack(cutoverTtl, without(stack, "cutover")), /no redmine:cutover:DnsCutover/);
        });

        it("reads the phase (from config, known at preview); an unknown phase is advisory, an unknown target is never read", async () => {
            clean(await runStack(cutoverTtl, stack));
            readsUnknown(await runStack(cutoverTtl, edit(stack, "cutover", "phase", UNKNOWN)), /phase/);
        });
    });

    describe("legacy-snapshot-protected", () => {
        it("passes a protected snapshot and reports an unprotected one", async () => {
            clean(await runResource(legacySnapshotProtected, { type: SNAPSHOT, props: { volumeId: "vol-1" }, opts: { protect: true } }));
            violates(await runResource(legacySnapshotProtected, { type: SNAPSHOT, props: { volumeId: "vol-1" } }), /not protected/);
        });

        it("is not applicable to other types and honours excludeFor", async () => {
            notApplicable(await runResource(legacySnapshotProtected, { type: "aws:ebs/volume:Volume", props: {} }), /ebs\/snapshot/);
            notApplicable(await runResource(legacySnapshotProtected, { type: SNAPSHOT, name: "scratch-snap", props: {} }, { excludeFor: ["^scratch-"] }), /exempted/);
        });

        it("reads only options, so unknown inputs do not matter", async () => {
            clean(await runResource(legacySnapshotProtected, { type: SNAPSHOT, props: { volumeId: UNKNOWN }, opts: { protect: true } }));
        });
    });

    describe("legacy-snapshot-exists-during-cutover", () => {
        const stack = miniStack("prod");

        it("passes with a snapshot, reports a cutover in progress without one", async () => {
            clean(await runStack(rollbackPointDuringCutover, stack));
            violates(await runStack(rollbackPointDuringCutover, without(stack, "legacy-root")), /cutover: phase prepare without any legacy EBS snapshot/);
        });

        it("does not ask for a snapshot once the cutover is complete", async () => {
            clean(await runStack(rollbackPointDuringCutover, edit(without(stack, "legacy-root"), "cutover", "phase", "complete")));
        });

        it("is not applicable without a DnsCutover; an unknown phase is advisory", async () => {
            notApplicable(await runStack(rollbackPointDuringCutover, without(stack, "cutover")), /DnsCutover/);
            readsUnknown(await runStack(rollbackPointDuringCutover, edit(stack, "cutover", "phase", UNKNOWN)), /phase/);
        });
    });
});
