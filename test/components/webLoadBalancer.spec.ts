import * as assert from "assert";
import { WebLoadBalancer } from "../../components/webLoadBalancer";
import { one, plain, recordComponent } from "../support/recorded";

describe("WebLoadBalancer", () => {
    const build = (nodeCount: number) => recordComponent(() => new WebLoadBalancer("web", {
        resourceGroupName: "rg", location: "japaneast", subscriptionId: "sub", loadBalancerName: "redmine-lb",
        nodeCount, sshPortBase: 50001, domainNameLabel: "redmine-test",
    }));

    it("uses a zone-redundant Standard static public IP", async () => {
        const ip = plain(one(await build(2), "azure-native:network:PublicIPAddress").inputs);
        assert.strictEqual(ip.sku.name, "Standard");
        assert.strictEqual(ip.publicIPAllocationMethod, "Static");
        assert.deepStrictEqual(ip.zones, ["1", "2", "3"]);
    });

    it("probes /healthz over HTTP and uses that probe in the 80 and 443 rules", async () => {
        const lb = plain(one(await build(2), "azure-native:network:LoadBalancer").inputs);
        assert.strictEqual(lb.sku.name, "Standard");
        assert.deepStrictEqual(lb.probes.map((p: any) => [p.protocol, p.port, p.requestPath]), [["Http", 80, "/healthz"]]);
        assert.deepStrictEqual(lb.loadBalancingRules.map((r: any) => r.frontendPort), [80, 443]);
        for (const rule of lb.loadBalancingRules) {
            assert.strictEqual(rule.probe.id, "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/redmine-lb/probes/healthz");
        }
    });

    it("has one SSH NAT rule per node on consecutive ports", async () => {
        for (const count of [2, 5]) {
            const lb = plain(one(await build(count), "azure-native:network:LoadBalancer").inputs);
            assert.deepStrictEqual(lb.inboundNatRules.map((r: any) => [r.name, r.frontendPort, r.backendPort]),
                Array.from({ length: count }, (_, i) => [`ssh-node-${i + 1}`, 50001 + i, 22]));
        }
    });
});
