/**
 * Longest path through the deploy graph, weighting each resource by its estimated create
 * time: with unlimited parallelism (the engine's default), `pulumi up` takes this long.
 */
import type { DeployGraph } from "./graph";

export interface CriticalPath {
    /** Sum of durations along the longest chain. */
    minutes: number;
    /** URNs on that chain, first created first. */
    path: string[];
    /** Sum of every resource's duration: the time a strictly serial deploy would take. */
    totalWorkMinutes: number;
    /** Earliest finish of each resource, minutes from the start. */
    finishAt: Map<string, number>;
}

export function criticalPath(graph: DeployGraph, minutesOf: (urn: string) => number): CriticalPath {
    const order = topologicalOrder(graph);
    const registered = new Map([...graph.nodes.keys()].map((u, i) => [u, i]));
    const finishAt = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    let totalWorkMinutes = 0;
    for (const urn of order) {
        const node = graph.nodes.get(urn)!;
        let start = 0;
        let from: string | undefined;
        // Ties go to the predecessor registered first, so the path is stable run to run.
        const preds = [...node.waitsFor].sort((a, b) => registered.get(a)! - registered.get(b)!);
        for (const d of preds) {
            const f = finishAt.get(d)!;
            if (f > start || from === undefined) { start = Math.max(start, f); from = d; }
        }
        const own = minutesOf(urn);
        totalWorkMinutes += own;
        finishAt.set(urn, start + own);
        via.set(urn, from);
    }

    let end: string | undefined;
    let minutes = 0;
    for (const urn of order) {
        const f = finishAt.get(urn)!;
        if (end === undefined || f > minutes) { end = urn; minutes = f; }
    }
    const path: string[] = [];
    for (let u = end; u !== undefined; u = via.get(u)) path.unshift(u);
    // A leading run of zero-time resources (resource group, providers) says nothing about time.
    while (path.length > 1 && minutesOf(path[0]) === 0) path.shift();
    return { minutes, path, totalWorkMinutes, finishAt };
}

/** Kahn's algorithm in registration order; throws on a cycle, naming resources in it. */
export function topologicalOrder(graph: DeployGraph): string[] {
    const pending = new Map<string, number>();
    const dependents = new Map<string, string[]>();
    for (const [urn, node] of graph.nodes) {
        const known = node.waitsFor.filter((d) => {
            if (!graph.nodes.has(d)) throw new Error(`deploy graph: ${urn} waits for ${d}, which is not in the graph`);
            return true;
        });
        pending.set(urn, known.length);
        for (const d of known) {
            const list = dependents.get(d) ?? [];
            list.push(urn);
            dependents.set(d, list);
        }
    }
    const ready = [...graph.nodes.keys()].filter((u) => pending.get(u) === 0);
    const order: string[] = [];
    while (ready.length > 0) {
        const u = ready.shift()!;
        order.push(u);
        for (const v of dependents.get(u) ?? []) {
            const left = pending.get(v)! - 1;
            pending.set(v, left);
            if (left === 0) ready.push(v);
        }
    }
    if (order.length !== graph.nodes.size) {
        const stuck = [...pending].filter(([, n]) => n > 0).map(([u]) => u);
        throw new Error(`deploy graph has a cycle among: ${stuck.slice(0, 5).join(", ")}${stuck.length > 5 ? ", ..." : ""}`);
    }
    return order;
}
