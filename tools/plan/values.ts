/**
 * Turns values as the engine receives them (wire form, secrets under a marker) into what a person
 * may see: every secret becomes "[secret]", unknowns "[unknown]", assets a short content id.
 * A secret placeholder found OUTSIDE a marker means the program put a secret in plain text: it is
 * masked too, and reported as a leak (key name and where, never the value).
 */
import * as crypto from "crypto";
import { isSecretValue, SPECIAL_SIG_KEY } from "../recording";

export const SECRET_TEXT = "[secret]";
export const UNKNOWN_TEXT = "[unknown]";

/** The engine's marker for a value not known during preview (sdk/nodejs/runtime/rpc.ts unknownValue). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** What tools/stackConfig.ts and tools/mockEngine.ts put where a secret would be. */
export const PLACEHOLDER_PATTERN = /PLACEHOLDER-SECRET-([A-Za-z0-9_]+)-do-not-leak/g;

export interface SecretLeak {
    /** The secret's key (e.g. dbAdminPassword), from its placeholder. */
    key: string;
    /** Where: a resource URN or "stack outputs" / "config". */
    where: string;
    /** Property path inside it. */
    path: string;
}

/** Replaces any placeholder left in free text (error messages, policy messages) by [secret]. */
export function redactText(text: string): string {
    return text.replace(PLACEHOLDER_PATTERN, SECRET_TEXT);
}

/**
 * Display form of a wire value. `leaks` collects placeholders found outside secret markers;
 * `where` names the value's owner for those findings.
 */
export function toDisplay(v: unknown, where: string, leaks: SecretLeak[] = [], path = ""): unknown {
    if (isSecretValue(v)) return SECRET_TEXT;
    if (typeof v === "string") {
        if (v === UNKNOWN_VALUE) return UNKNOWN_TEXT;
        const keys = [...v.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1]);
        if (keys.length > 0) {
            for (const key of new Set(keys)) leaks.push({ key, where, path: path || "(value)" });
            return SECRET_TEXT;
        }
        return v;
    }
    if (Array.isArray(v)) return v.map((e, i) => toDisplay(e, where, leaks, `${path}[${i}]`));
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        switch (o[SPECIAL_SIG_KEY]) {
            case ASSET_SIG:
            case ARCHIVE_SIG: {
                const kind = o[SPECIAL_SIG_KEY] === ASSET_SIG ? "asset" : "archive";
                if (typeof o.text === "string") {
                    toDisplay(o.text, where, leaks, `${path}.text`);
                    return `${kind}(sha256:${crypto.createHash("sha256").update(o.text).digest("hex").slice(0, 12)}, ${o.text.length} bytes)`;
                }
                if (typeof o.path === "string") return `${kind}(file ${o.path})`;
                if (typeof o.uri === "string") return `${kind}(${o.uri})`;
                if (o.assets && typeof o.assets === "object") return `${kind}(${Object.keys(o.assets as object).sort().join(", ")})`;
                return `${kind}()`;
            }
            case RESOURCE_SIG:
                return `ref(${String(o.urn ?? "")})`;
            case OUTPUT_VALUE_SIG:
                if (o.secret) return SECRET_TEXT;
                return "value" in o ? toDisplay(o.value, where, leaks, path) : UNKNOWN_TEXT;
        }
        const out: Record<string, unknown> = {};
        for (const [k, e] of Object.entries(o)) out[k] = toDisplay(e, where, leaks, joinPath(path, k));
        return out;
    }
    return v;
}

/** Property paths as Pulumi prints them: `a.b`, `a[0]`, `tags["redmine:role"]`. */
export function joinPath(base: string, key: string | number): string {
    if (typeof key === "number") return `${base}[${key}]`;
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return base ? `${base}.${key}` : key;
    return `${base}[${JSON.stringify(key)}]`;
}

/** A value on one line, for tree and diff output; long strings shortened. */
export function showValue(v: unknown, max = 200): string {
    const text = v === undefined ? "undefined" : JSON.stringify(v);
    return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
