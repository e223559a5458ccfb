/** Assertions shared by the policy specs: they print the whole outcome when they fail. */
import * as assert from "assert";
import { Outcome, messages } from "../support/policyHarness";

export function clean(o: Outcome): void {
    assert.deepStrictEqual({ violations: messages(o), notApplicable: o.notApplicable, unknown: o.unknown }, { violations: [], notApplicable: undefined, unknown: undefined });
}

/** Exactly one violation per pattern, in any order, and nothing else. */
export function violates(o: Outcome, ...patterns: RegExp[]): void {
    const ms = messages(o);
    assert.strictEqual(o.notApplicable, undefined, `unexpectedly not applicable: ${o.notApplicable}`);
    assert.strictEqual(o.unknown, undefined, `unexpected unknown read: ${o.unknown}`);
    assert.strictEqual(ms.length, patterns.length, `expected ${patterns.length} violation(s), got:\n${ms.join("\n")}`);
    for (const p of patterns) {
        assert.ok(ms.some((m) => p.test(m)), `no violation matches ${p}; got:\n${ms.join("\n")}`);
    }
}

export function notApplicable(o: Outcome, reason: RegExp): void {
    assert.ok(o.notApplicable !== undefined && reason.test(o.notApplicable), `expected not applicable (${reason}), got ${JSON.stringify(o)}`);
    assert.deepStrictEqual(messages(o), []);
}

/** The rule read an unknown value: the engine reports "can't run policy … during preview" as advisory. */
export function readsUnknown(o: Outcome, path: RegExp): void {
    assert.ok(o.unknown !== undefined && path.test(o.unknown), `expected an unknown read of ${path}, got ${JSON.stringify(o)}`);
}
