/**
 * The order in which `pulumi up` can create the recorded resources, as a DAG of custom
 * resources (the things the engine actually creates; components only group them).
 *
 * How the Node SDK orders registrations (sdk/nodejs/runtime/resource.ts and dependsOn.ts):
 * - A dependency on a component, by `dependsOn` or through an Output, means all of the
 *   custom resources it transitively parents (walking through child components, stopping at
 *   custom resources). The recorder already receives most dependencies expanded this way;
 *   any component URN left in a list is expanded here the same way.
 * - A resource registers only after its parent's URN resolves, and a parent resolves only
 *   after its own dependencies did. So a child implicitly waits for everything its parent
 *   component waits for, up the parent chain; a child of a custom resource waits for that
 *   resource itself.
 * - A resource with an explicit provider waits for the provider to register.
 */
import type { RecordedResource } from "../recording";

export interface GraphNode {
    resource: RecordedResource;
    /** URNs of the custom resources that must finish before this one starts. */
    waitsFor: string[];
}

export interface DeployGraph {
    /** Custom resources only, keyed by URN, in registration order. */
    nodes: Map<string, GraphNode>;
}

export function buildGraph(resources: RecordedResource[]): DeployGraph {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (r.parent === undefined) continue;
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }

    const expanded = new Map<string, string[]>();
    /** What depending on `urn` means: itself if custom, else every custom resource under it. */
    const expand = (urn: string): string[] => {
        const r = byUrn.get(urn);
        if (r === undefined || r.custom) return r === undefined ? [] : [urn];
        const cached = expanded.get(urn);
        if (cached) return cached;
        expanded.set(urn, []); // a malformed parent cycle expands to nothing rather than looping
        const out: string[] = [];
        for (const c of children.get(urn) ?? []) out.push(...expand(c.urn));
        expanded.set(urn, out);
        return out;
    };

    const inherited = new Map<string, Set<string>>();
    /** What a child of `urn` waits for before it can even register. */
    const waitsOfParent = (urn: string | undefined, seen: Set<string> = new Set()): Set<string> => {
        const out = new Set<string>();
        if (urn === undefined || seen.has(urn)) return out;
        const p = byUrn.get(urn);
        if (p === undefined) return out;
        if (p.custom) {
            out.add(urn);
            return out;
        }
        const cached = inherited.get(urn);
        if (cached) return cached;
        seen.add(urn);
        for (const d of directDependencies(p)) for (const e of expand(d)) out.add(e);
        for (const e of waitsOfParent(p.parent, seen)) out.add(e);
        inherited.set(urn, out);
        return out;
    };

    const nodes = new Map<string, GraphNode>();
    for (const r of resources) {
        if (!r.custom) continue;
        const waits = new Set<string>();
        for (const d of directDependencies(r)) for (const e of expand(d)) waits.add(e);
        for (const e of waitsOfParent(r.parent)) waits.add(e);
        if (r.options.provider && byUrn.has(r.options.provider)) waits.add(r.options.provider);
        waits.delete(r.urn);
        nodes.set(r.urn, { resource: r, waitsFor: [...waits] });
    }
    return { nodes };
}

/** Explicit and Output-carried dependencies (the recorder lists both; property lists are a subset). */
function directDependencies(r: RecordedResource): string[] {
    const all = new Set(r.dependencies);
    for (const deps of Object.values(r.propertyDependencies)) for (const d of deps) all.add(d);
    return [...all];
}
