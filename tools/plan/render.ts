/**
 * The plan's text output: the offline-model header, the resource tree grouped by component,
 * counts by type, the policy report, and the diff in the shape of `pulumi preview --diff`.
 * Everything returned here has passed through redactText, so no secret placeholder can print.
 */
import type { PlanDiff, PropertyChange, ResourceChange } from "./diff";
import { summarize } from "./diff";
import { CREATE_ONLY } from "./createOnly";
import type { PlanFile, PlanResource, PolicyDiagnostic } from "./planFile";
import { joinPath, redactText, showValue } from "./values";

export function renderHeader(plan: Pick<PlanFile, "stack" | "config">, extra: string[] = []): string {
    const phase = plan.config["redmine:cutover"] ?? "prepare";
    return [
        `Offline plan for stack "${plan.stack}" (cutover phase: ${phase})`,
        "",
        "  This is an offline model of `pulumi preview`: the program ran under Pulumi's mock engine with the",
        "  stack's configuration; values that Azure or AWS compute (ids, IP addresses, FQDNs) are placeholders,",
        "  and secrets are placeholders shown as [secret]. No network access and no credentials were used.",
        "  The real `pulumi preview --diff --policy-pack policies` is the final word.",
        ...extra.map((l) => `  ${l}`),
        "",
    ].join("\n");
}

interface TreeNode { r: PlanResource; children: TreeNode[] }

/** Parent/child forest in registration order; resources whose parent is unknown hang at the root. */
export function buildTree(resources: PlanResource[]): TreeNode[] {
    const nodes = new Map(resources.map((r) => [r.urn, { r, children: [] as TreeNode[] }]));
    const roots: TreeNode[] = [];
    for (const node of nodes.values()) {
        const parent = node.r.parent ? nodes.get(node.r.parent) : undefined;
        (parent ? parent.children : roots).push(node);
    }
    return roots;
}

function flags(r: PlanResource): string {
    const f: string[] = [];
    if (r.options.importId) f.push(`import ${r.options.importId}`);
    if (r.options.protect) f.push("protect");
    if (r.options.retainOnDelete) f.push("retain on delete");
    if (r.type === "pulumi:pulumi:StackReference") f.push("read");
    return f.length ? `  [${f.join(", ")}]` : "";
}

export function renderTree(resources: PlanResource[]): string {
    const lines = ["Resources, grouped by component:"];
    const walk = (node: TreeNode, prefix: string, last: boolean, top: boolean) => {
        const branch = top ? "" : last ? "└─ " : "├─ ";
        lines.push(`  ${prefix}${branch}${node.r.type}  ${node.r.name}${flags(node.r)}`);
        const childPrefix = top ? "" : prefix + (last ? "   " : "│  ");
        node.children.forEach((c, i) => walk(c, childPrefix, i === node.children.length - 1, false));
    };
    for (const root of buildTree(resources)) walk(root, "", true, true);
    return lines.join("\n") + "\n";
}

export function renderCounts(resources: PlanResource[]): string {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const rows = [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const width = Math.max(...rows.map(([t]) => t.length));
    const custom = resources.filter((r) => r.custom).length;
    return [
        `Counts by type (${resources.length} resources: ${custom} custom, ${resources.length - custom} components/stack):`,
        ...rows.map(([t, n]) => `  ${t.padEnd(width)}  ${String(n).padStart(3)}`),
        "",
    ].join("\n");
}

const label = (urn: string, byUrn: Map<string, PlanResource>) => {
    const r = byUrn.get(urn);
    return r ? `${r.type} ${r.name}` : urn || "(stack)";
};

export function renderPolicy(plan: Pick<PlanFile, "policy" | "secretLeaks" | "resources">): string {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const p = plan.policy;
    const lines: string[] = [];
    if (p.status === "skipped") {
        lines.push("Policy report: not run (--no-policy). `pulumi preview --policy-pack policies` runs it for real.");
    } else {
        const verdict = p.mandatory > 0 ? `FAILED: ${p.mandatory} mandatory violation(s)` : "passed: no mandatory violations";
        lines.push(`Policy report (${p.pack?.name} ${p.pack?.version}, config ${p.pack?.configFile}): ${verdict}, ${p.advisory} advisory.`);
        const order = (d: PolicyDiagnostic) => (d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate" ? 0 : 1);
        for (const d of [...p.diagnostics].sort((a, b) => order(a) - order(b))) {
            lines.push(`  [${d.enforcementLevel}] ${d.policyName}  (${label(d.urn, byUrn)})`);
            for (const l of d.message.trim().split("\n")) lines.push(`      ${l}`);
        }
    }
    if (plan.secretLeaks.length > 0) {
        lines.push(`Secret check: FAILED: ${plan.secretLeaks.length} secret value(s) in plain text (they would be stored unencrypted in state):`);
        for (const l of plan.secretLeaks) lines.push(`  [mandatory] secret ${l.key} unmarked at ${label(l.where, byUrn)} ${l.path}`);
    } else {
        lines.push("Secret check: passed: every secret reaches the engine marked secret.");
    }
    return lines.join("\n") + "\n";
}

const SYMBOL: Record<ResourceChange["kind"], string> = { create: "+", delete: "-", update: "~", replace: "+-", import: "=" };

/** Leaves of a value with their paths, so an added object reads one property per line like the CLI. */
function leaves(v: unknown, path: string, out: [string, unknown][] = []): [string, unknown][] {
    if (Array.isArray(v) && v.length > 0) v.forEach((e, i) => leaves(e, joinPath(path, i), out));
    else if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
        for (const [k, e] of Object.entries(v)) leaves(e, joinPath(path, k), out);
    } else out.push([path, v]);
    return out;
}

function renderProperty(p: PropertyChange, indent: string): string {
    switch (p.kind) {
        case "add": return leaves(p.new, p.path).map(([path, v]) => `${indent}+ ${path}: ${showValue(v)}`).join("\n");
        case "delete": return leaves(p.old, p.path).map(([path, v]) => `${indent}- ${path}: ${showValue(v)}`).join("\n");
        case "update": return `${indent}~ ${p.path}: ${showValue(p.old)} => ${showValue(p.new)}`;
    }
}

export function renderDiff(diff: PlanDiff, against: { file: string; stack: string; generatedAt: string }, resources: PlanResource[], oldResources: PlanResource[]): string {
    const byUrn = new Map([...oldResources, ...resources].map((r) => [r.urn, r]));
    const lines = [`Changes against ${against.file} (stack ${against.stack}, planned ${against.generatedAt}), in the shape of pulumi preview --diff:`];
    let group: string | undefined;
    for (const c of diff.changes) {
        const parent = c.parent && byUrn.get(c.parent)?.type !== "pulumi:pulumi:Stack" ? c.parent : "";
        if (parent !== group) {
            group = parent;
            lines.push(parent ? `    ${label(parent, byUrn)}` : "    (top level)");
        }
        const how = c.kind === "replace" ? `replace${c.deleteBeforeReplace ? ", delete before replace" : ""}` : c.kind;
        lines.push(`      ${SYMBOL[c.kind]} ${c.type}  ${c.name}  (${how})`);
        if (c.kind === "import") lines.push(`          = adopts ${c.importId}; the provider compares these inputs with the live resource at preview`);
        for (const p of c.properties) {
            const forces = c.replaceBecause.includes(p.path) ? "  [forces replacement]" : "";
            lines.push(renderProperty(p, "          ") + forces);
        }
        for (const o of c.options) lines.push(`          ~ [option] ${o}`);
    }
    if (diff.changes.length === 0) lines.push("    no resource changes");
    if (diff.outputs.length > 0) {
        lines.push("  Outputs:");
        for (const p of diff.outputs) lines.push(renderProperty(p, "      "));
    }
    const s = summarize(diff);
    const total = s.create + s.update + s.replace + s.delete + s.import;
    lines.push("  Resources:");
    if (s.create) lines.push(`      + ${s.create} to create`);
    if (s.import) lines.push(`      = ${s.import} to import`);
    if (s.update) lines.push(`      ~ ${s.update} to update`);
    if (s.replace) lines.push(`      +-${s.replace} to replace`);
    if (s.delete) lines.push(`      - ${s.delete} to delete`);
    lines.push(`      ${total} change${total === 1 ? "" : "s"}. ${s.unchanged} unchanged`);
    if (s.replace) lines.push("  Replacements follow the create-only table in tools/plan/createOnly.ts and replaceOnChanges; the provider decides for real.");
    return lines.join("\n") + "\n";
}

/** The create-only table as text (for `--help`). */
export function renderCreateOnlyTable(): string {
    return Object.entries(CREATE_ONLY).map(([t, r]) => `  ${t}: ${r.paths.join(", ")}`).join("\n");
}

/** Every line that leaves the tool goes through here. */
export function safe(text: string): string {
    return redactText(text);
}
