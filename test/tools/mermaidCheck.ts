/** A structural check of the Mermaid flowcharts the plan writes (no Mermaid parser runs offline). */
import * as assert from "assert";

/**
 * Checks the flowchart against the subset of Mermaid's grammar it uses: a `flowchart` header,
 * nodes `id["label"]`, `subgraph id["label"]` ... `end` balanced, edges `a --> b` between
 * declared ids, unique ids, no raw quotes or angle brackets inside labels except <br/>.
 */
export function assertWellFormedMermaid(text: string): { nodes: Set<string>; subgraphs: Set<string>; edges: [string, string][] } {
    const lines = text.trimEnd().split("\n");
    assert.strictEqual(lines[0], "flowchart LR");
    const nodes = new Set<string>();
    const subgraphs = new Set<string>();
    const edges: [string, string][] = [];
    let depth = 0;
    const label = (l: string) => {
        assert.ok(!/["<>]/.test(l.replace(/<br\/>/g, "")), `label has raw quote or bracket: ${l}`);
    };
    for (const [i, raw] of lines.slice(1).entries()) {
        const line = raw.trim();
        let m: RegExpExecArray | null;
        if (line.startsWith("%%")) continue;
        if ((m = /^subgraph ([A-Za-z][A-Za-z0-9_]*)\["(.*)"\]$/.exec(line))) {
            assert.ok(!nodes.has(m[1]) && !subgraphs.has(m[1]), `duplicate id ${m[1]}`);
            label(m[2]);
            subgraphs.add(m[1]);
            depth++;
        } else if (line === "end") {
            depth--;
            assert.ok(depth >= 0, `unbalanced end at line ${i + 2}`);
        } else if ((m = /^([A-Za-z][A-Za-z0-9_]*)\["(.*)"\]$/.exec(line))) {
            assert.ok(!nodes.has(m[1]) && !subgraphs.has(m[1]), `duplicate id ${m[1]}`);
            label(m[2]);
            nodes.add(m[1]);
        } else if ((m = /^([A-Za-z][A-Za-z0-9_]*) --> ([A-Za-z][A-Za-z0-9_]*)$/.exec(line))) {
            edges.push([m[1], m[2]]);
        } else {
            assert.fail(`line ${i + 2} is not node, subgraph, end or edge: ${raw}`);
        }
    }
    assert.strictEqual(depth, 0, "every subgraph is closed");
    for (const [a, b] of edges) assert.ok((nodes.has(a) || subgraphs.has(a)) && (nodes.has(b) || subgraphs.has(b)), `edge ${a} --> ${b} uses an undeclared id`);
    return { nodes, subgraphs, edges };
}

