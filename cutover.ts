/**
 * What each cutover phase means for DNS, and which phase changes are allowed. Pure functions, so
 * the rules are tested directly and used by the program, the plan tool and the docs alike.
 */
import type { CutoverPhase } from "./config";

export interface DnsIntent {
    /** Which address the record holds. */
    target: "legacy" | "azure";
    /** Which TTL it has: the low cutover TTL while a cutover is in progress, the normal one after. */
    ttl: "cutover" | "normal";
}

export function dnsIntent(phase: CutoverPhase): DnsIntent {
    switch (phase) {
        case "prepare":
        case "freeze":
            return { target: "legacy", ttl: "cutover" };
        case "switch":
            return { target: "azure", ttl: "cutover" };
        case "complete":
            return { target: "azure", ttl: "normal" };
    }
}

/** Phases in which users write to Azure: leaving them loses those writes unless they are copied back. */
const AZURE_IS_LIVE: readonly CutoverPhase[] = ["switch", "complete"];

/**
 * Refuses to go back from a phase where Azure took writes to one where legacy serves again,
 * unless the operator says so (redmine:allowRollbackFromSwitch).
 */
export function assertPhaseChangeAllowed(previous: CutoverPhase | undefined, next: CutoverPhase, allowRollbackFromSwitch: boolean): void {
    if (previous === undefined || allowRollbackFromSwitch) return;
    if (AZURE_IS_LIVE.includes(previous) && !AZURE_IS_LIVE.includes(next)) {
        throw new Error(
            `redmine:cutover: going back from "${previous}" to "${next}" would point users at the legacy server and lose every write made on Azure since the switch. ` +
            `Copy those writes back first (docs/cutover.md, "Rollback after the switch"), then set redmine:allowRollbackFromSwitch to true.`,
        );
    }
}
