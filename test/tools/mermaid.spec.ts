import * as assert from "assert";
import { renderMermaid } from "../../tools/plan/mermaid";
import { res, stack } from "./fixtures";
import { assertWellFormedMermaid } from "./mermaidCheck";

describe("dependency graph as Mermaid (hand-made resources)", () => {
    it("nests components as subgraphs and draws dependency arrows", () => {
        const net = res("redmine:network:Network", "net");
        const vnet = res("azure-native:network:VirtualNetwork", "net-vnet", {}, { parent: net.urn });
        const subnet = res("azure-native:network:Subnet", "net-web", {}, { parent: net.urn, dependencies: [vnet.urn] });
        const web = res("redmine:web:WebNode", "web-1");
        const vm = res("azure-native:compute:VirtualMachine", 'web-1-vm "quoted" <b>', {}, { parent: web.urn, dependencies: [subnet.urn, net.urn, web.urn] });
        const text = renderMermaid([stack(), net, vnet, subnet, web, vm]);
        const g = assertWellFormedMermaid(text);
        assert.strictEqual(g.subgraphs.size, 2);
        assert.strictEqual(g.nodes.size, 3);
        assert.match(text, /subgraph c1\["redmine:network:Network<br\/>net"\]\n {4}r2\["azure-native:network:VirtualNetwork<br\/>net-vnet"\]/);
        assert.match(text, /#quot;quoted#quot; #lt;b#gt;/);
        // vnet -> subnet, subnet -> vm, net (component) -> vm; never the vm's own parent
        assert.deepStrictEqual(g.edges, [["r2", "r3"], ["r3", "r5"], ["c1", "r5"]]);
    });
});
