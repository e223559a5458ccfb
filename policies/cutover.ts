/**
 * Cutover: users should barely notice the switch, and there must be a way back. The phase is
 * what the DnsCutover component registers as its outputs (from stack config, so known at preview).
 */
import { PolicyResource } from "@pulumi/policy";
import { ancestors, asArray, has, oneOf, resourceRule, stackRule, T } from "./common";

interface CutoverConfig {
    maxCutoverTtl: number;
    inProgressPhases: string[];
}

const phaseSchema = {
    type: "array" as const,
    items: { type: "string" as const, enum: ["prepare", "freeze", "switch", "complete"] },
    default: ["prepare", "freeze", "switch"],
    description: "Cutover phases during which DNS must change fast.",
};

/** Records the cutover manages: those under the component, else every Route 53 record in the stack. */
function recordsOf(cutover: PolicyResource, records: PolicyResource[]): PolicyResource[] {
    const mine = records.filter((r) => ancestors(r).includes(cutover));
    return mine.length > 0 ? mine : records;
}

export const cutoverTtl = stackRule<CutoverConfig>({
    name: "dns-cutover-low-ttl",
    description:
        "While a cutover is in progress (phase prepare, freeze or switch), the Route 53 record for Redmine has a TTL of at " +
        "most `maxCutoverTtl` seconds, so resolvers follow the switch (and a rollback) within minutes instead of hours. " +
        "Lower it in prepare, at least one old TTL before the freeze. No anchor (awsguard and compliance-policies have no " +
        "Route 53 rules); custom. Phase and TTL come from stack config and are known at preview.",
    appliesTo: [T.dnsCutover],
    schema: {
        maxCutoverTtl: { type: "integer", minimum: 1, maximum: 86400, default: 300, description: "Highest TTL (seconds) allowed during a cutover." },
        inProgressPhases: phaseSchema,
    },
    validate: ({ cfg, ofType, report, all }) => {
        const records = ofType(T.route53Record);
        for (const cutover of all.filter((r) => r.type === T.dnsCutover)) {
            const phase = cutover.props.phase;
            if (!oneOf(phase, cfg.inProgressPhases)) {
                continue;
            }
            for (const rec of recordsOf(cutover, records)) {
                if (asArray(rec.props.aliases).length > 0) {
                    continue;
                }
                const ttl = has(rec.props, "ttl") ? rec.props.ttl : undefined;
                if (typeof ttl !== "number" || ttl > cfg.maxCutoverTtl) {
                    report(rec, `TTL is ${ttl ?? "unset"} s during cutover phase ${phase}; at most ${cfg.maxCutoverTtl} s is allowed.`);
                }
            }
        }
    },
});

export const legacySnapshotProtected = resourceRule({
    name: "legacy-snapshot-protected",
    description:
        "The EBS snapshots of the legacy server are the rollback point and must outlive any `pulumi destroy` or refactor: " +
        "they are created with `protect: true` (and `retainOnDelete`, which the analyzer protocol does not carry, so " +
        "`protect` is what is checked). No anchor; custom. Known at preview.",
    types: [T.ebsSnapshot],
    validate: (_props, args, _cfg, report) => {
        if (!args.opts.protect) {
            report("the snapshot is not protected (protect: true); a destroy or a rename would delete the rollback point.");
        }
    },
});

export const rollbackPointDuringCutover = stackRule<Pick<CutoverConfig, "inProgressPhases">>({
    name: "legacy-snapshot-exists-during-cutover",
    description:
        "While a cutover is in progress the stack holds at least one EBS snapshot of the legacy server, so there is a way " +
        "back if the migrated data turns out wrong. No anchor; custom. Known at preview.",
    appliesTo: [T.dnsCutover],
    schema: { inProgressPhases: phaseSchema },
    validate: ({ cfg, ofType, report, all }) => {
        const snapshots = ofType(T.ebsSnapshot);
        for (const cutover of all.filter((r) => r.type === T.dnsCutover)) {
            if (oneOf(cutover.props.phase, cfg.inProgressPhases) && snapshots.length === 0) {
                report(cutover, `phase ${cutover.props.phase} without any legacy EBS snapshot; take it before anything moves.`);
            }
        }
    },
});

export const cutoverPolicies = [cutoverTtl, legacySnapshotProtected, rollbackPointDuringCutover];
