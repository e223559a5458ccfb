/**
 * The dependency graph as a Mermaid flowchart: each component is a subgraph holding its children,
 * each custom resource a node labelled with its type and name, and an arrow from every
 * dependency to its dependent (a dependency on a component points from the component's subgraph).
 */
import type { PlanResource } from "./planFile";

/** Mermaid labels are quoted strings; quotes and angle brackets need its entity codes. */
function labelText(s: string): string {
    return s.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function shortType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    return name ? `${pkg}:${mod}:${name}` : type;
}

export function renderMermaid(resources: PlanResource[]): string {
    const ids = new Map<string, string>();
    resources.forEach((r, i) => ids.set(r.urn, `${r.custom ? "r" : "c"}${i}`));
    const children = new Map<string, PlanResource[]>();
    const roots: PlanResource[] = [];
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    for (const r of resources) {
        if (r === stack) continue;
        const parent = r.parent && r.parent !== stack?.urn && ids.has(r.parent) ? r.parent : undefined;
        if (parent) children.set(parent, [...(children.get(parent) ?? []), r]);
        else roots.push(r);
    }
    const lines = ["flowchart LR"];
    if (stack) lines.push(`  %% stack ${labelText(stack.name)}: ${resources.length - 1} resources`);
    const emit = (r: PlanResource, indent: string) => {
        const id = ids.get(r.urn)!;
        const text = `"${labelText(shortType(r.type))}<br/>${labelText(r.name)}"`;
        if (r.custom) {
            lines.push(`${indent}${id}[${text}]`);
            return;
        }
        lines.push(`${indent}subgraph ${id}[${text}]`);
        for (const c of children.get(r.urn) ?? []) emit(c, indent + "  ");
        lines.push(`${indent}end`);
    };
    for (const r of roots) emit(r, "  ");
    // Mermaid cannot draw an edge between a subgraph and something inside it: those are implied by nesting.
    const parentOf = new Map(resources.map((r) => [r.urn, r.parent]));
    const isAncestor = (a: string, b: string) => {
        for (let p = parentOf.get(b); p; p = parentOf.get(p)) if (p === a) return true;
        return false;
    };
    const edges = new Set<string>();
    for (const r of resources) {
        if (r === stack) continue;
        for (const d of r.dependencies) {
            if (!ids.has(d) || d === stack?.urn || d === r.urn || isAncestor(d, r.urn) || isAncestor(r.urn, d)) continue;
            edges.add(`  ${ids.get(d)} --> ${ids.get(r.urn)}`);
        }
    }
    lines.push(...edges);
    return lines.join("\n") + "\n";
}
