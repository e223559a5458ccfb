/**
 * The offline counterpart of `pulumi preview --diff`: compares two plans resource by resource
 * (by URN) and property by property. A resource whose changed property is in its
 * `replaceOnChanges` or in the create-only table is a replacement; one adopted with `import`
 * that the old plan did not have is an import. The provider decides for real at preview.
 */
import { createOnlyPaths } from "./createOnly";
import type { PlanResource } from "./planFile";
import { joinPath } from "./values";

export type ChangeKind = "create" | "delete" | "update" | "replace" | "import";

export interface PropertyChange {
    path: string;
    kind: "add" | "delete" | "update";
    old?: unknown;
    new?: unknown;
}

export interface ResourceChange {
    kind: ChangeKind;
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    /** Input changes (update/replace). */
    properties: PropertyChange[];
    /** For replace: the changed paths that force it. */
    replaceBecause: string[];
    /** Resource options that changed (protect, retainOnDelete, ...), "name: old => new". */
    options: string[];
    deleteBeforeReplace: boolean;
    /** For import: the id it adopts. */
    importId?: string;
}

export interface PlanDiff {
    changes: ResourceChange[];
    unchanged: number;
    /** Changes to the stack outputs. */
    outputs: PropertyChange[];
}

/** Resources that are reads, not managed: never shown as changes (the engine reads them every time). */
const READ_ONLY_TYPES = new Set(["pulumi:pulumi:StackReference"]);

export function diffPlans(oldResources: PlanResource[], newResources: PlanResource[], oldOutputs: Record<string, unknown> = {}, newOutputs: Record<string, unknown> = {}): PlanDiff {
    const before = new Map(oldResources.map((r) => [r.urn, r]));
    const after = new Set(newResources.map((r) => r.urn));
    const changes: ResourceChange[] = [];
    let unchanged = 0;
    for (const r of newResources) {
        if (READ_ONLY_TYPES.has(r.type)) continue;
        const old = before.get(r.urn);
        const change = old ? compare(old, r) : created(r);
        if (change) changes.push(change);
        else unchanged++;
    }
    // The engine deletes after creating and updating, dependents first.
    for (const r of [...oldResources].reverse()) {
        if (after.has(r.urn) || READ_ONLY_TYPES.has(r.type)) continue;
        changes.push({ ...base(r), kind: "delete", deleteBeforeReplace: false });
    }
    return { changes, unchanged, outputs: diffValues(oldOutputs, newOutputs) };
}

function base(r: PlanResource): Omit<ResourceChange, "kind" | "deleteBeforeReplace"> {
    return { urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, properties: [], replaceBecause: [], options: [] };
}

function created(r: PlanResource): ResourceChange {
    if (r.options.importId) return { ...base(r), kind: "import", importId: r.options.importId, deleteBeforeReplace: false };
    return { ...base(r), kind: "create", deleteBeforeReplace: false };
}

/**
 * Options the engine keeps in the state, so a change shows in a preview. The others (ignoreChanges,
 * replaceOnChanges, deleteBeforeReplace, additionalSecretOutputs) only shape the next diff or step.
 */
const DIFFED_OPTIONS = ["protect", "retainOnDelete"] as const;

function compare(old: PlanResource, r: PlanResource): ResourceChange | undefined {
    const properties = r.custom ? diffValues(old.inputs, r.inputs) : [];
    const ignored = r.options.ignoreChanges ?? [];
    const relevant = properties.filter((p) => !ignored.some((pattern) => pathMatches(pattern, p.path)));
    const options = DIFFED_OPTIONS
        .filter((k) => JSON.stringify(old.options[k] ?? null) !== JSON.stringify(r.options[k] ?? null))
        .map((k) => `${k}: ${JSON.stringify(old.options[k] ?? null)} => ${JSON.stringify(r.options[k] ?? null)}`);
    if (relevant.length === 0 && options.length === 0) return undefined;
    const replacePatterns = [...(r.options.replaceOnChanges ?? []), ...createOnlyPaths(r.type, r.inputs)];
    const replaceBecause = relevant.map((p) => p.path).filter((path) => replacePatterns.some((pattern) => pathMatches(pattern, path)));
    return {
        ...base(r),
        kind: replaceBecause.length > 0 ? "replace" : "update",
        properties: relevant,
        replaceBecause,
        options,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
    };
}

/** Property-level differences, with Pulumi-style paths. Missing and null count as absent. */
export function diffValues(a: unknown, b: unknown, path = "", out: PropertyChange[] = []): PropertyChange[] {
    const absentA = a === undefined || a === null;
    const absentB = b === undefined || b === null;
    if (absentA && absentB) return out;
    if (isObject(a) && isObject(b)) {
        const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
        for (const k of keys) diffValues(a[k], b[k], joinPath(path, k), out);
        return out;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(a[i], b[i], joinPath(path, i), out);
        return out;
    }
    if (!absentA && !absentB && JSON.stringify(a) === JSON.stringify(b)) return out;
    if (absentA) out.push({ path, kind: "add", new: b });
    else if (absentB) out.push({ path, kind: "delete", old: a });
    else out.push({ path, kind: "update", old: a, new: b });
    return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `a.b[0]["x:y"]` -> ["a", "b", "0", "x:y"]; `[*]` and `.*` are wildcards. */
export function pathSegments(path: string): string[] {
    const out: string[] = [];
    const re = /([^.[\]"]+)|\[(\*|\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
    for (const m of path.matchAll(re)) out.push(m[1] ?? m[2] ?? JSON.parse(`"${m[3]}"`));
    return out;
}

/**
 * A changed path matches a pattern when one is a prefix of the other, segment by segment, `*`
 * matching anything: `triggers[*]` matches `triggers[2]`; `network` matches `network.delegatedSubnetResourceId`;
 * and a whole `osProfile` appearing matches `osProfile.computerName`.
 */
export function pathMatches(pattern: string, path: string): boolean {
    const p = pathSegments(pattern);
    const q = pathSegments(path);
    if (p.length === 0) return false;
    for (let i = 0; i < Math.min(p.length, q.length); i++) {
        if (p[i] !== "*" && p[i] !== q[i]) return false;
    }
    return true;
}

export interface DiffSummary { create: number; update: number; replace: number; delete: number; import: number; unchanged: number }

export function summarize(diff: PlanDiff): DiffSummary {
    const count = (k: ChangeKind) => diff.changes.filter((c) => c.kind === k).length;
    return { create: count("create"), update: count("update"), replace: count("replace"), delete: count("delete"), import: count("import"), unchanged: diff.unchanged };
}
