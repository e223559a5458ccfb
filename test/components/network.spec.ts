import * as assert from "assert";
import { Network } from "../../components/network";
import { one, plain, recordComponent } from "../support/recorded";

describe("Network", () => {
    const build = () => recordComponent(() => new Network("net", { resourceGroupName: "rg", location: "japaneast", adminCidrs: ["198.51.100.0/24", "203.0.113.16/28"] }));

    it("allows SSH only from the admin CIDRs, and HTTP/HTTPS from the Internet", async () => {
        const nsg = plain(one(await build(), "azure-native:network:NetworkSecurityGroup", "web-nsg").inputs);
        const ssh = nsg.securityRules.filter((r: any) => r.destinationPortRange === "22");
        assert.strictEqual(ssh.length, 1);
        assert.deepStrictEqual(ssh[0].sourceAddressPrefixes, ["198.51.100.0/24", "203.0.113.16/28"]);
        assert.strictEqual(ssh[0].sourceAddressPrefix, undefined);
        for (const port of ["80", "443"]) {
            const rule = nsg.securityRules.find((r: any) => r.destinationPortRange === port && r.sourceAddressPrefix === "Internet");
            assert.strictEqual(rule?.access, "Allow", `port ${port}`);
        }
        assert.ok(nsg.securityRules.some((r: any) => r.sourceAddressPrefix === "AzureLoadBalancer"), "LB probe allowed");
    });

    it("delegates the db subnet to MySQL Flexible Server and opens 3306 only from the web subnet", async () => {
        const resources = await build();
        const db = plain(one(resources, "azure-native:network:Subnet", "net-db").inputs);
        assert.deepStrictEqual(db.delegations, [{ name: "mysql-flexible", serviceName: "Microsoft.DBforMySQL/flexibleServers" }]);
        const dbNsg = plain(one(resources, "azure-native:network:NetworkSecurityGroup", "db-nsg").inputs);
        const mysql = dbNsg.securityRules.find((r: any) => r.destinationPortRange === "3306");
        assert.strictEqual(mysql.sourceAddressPrefix, "10.20.1.0/24");
        const internal = dbNsg.securityRules.find((r: any) => r.access === "Allow" && r.sourceAddressPrefix === "10.20.2.0/24" && r.destinationAddressPrefix === "10.20.2.0/24");
        assert.ok(internal && internal.priority < 4000, "primary and standby may talk inside the db subnet, above the deny");
    });

    it("gives the web subnet explicit outbound through a NAT gateway, not default outbound access", async () => {
        const resources = await build();
        const web = one(resources, "azure-native:network:Subnet", "net-web");
        assert.strictEqual(web.inputs.defaultOutboundAccess, false);
        const nat = one(resources, "azure-native:network:NatGateway");
        assert.ok(web.propertyDependencies.natGateway.includes(nat.urn));
    });

    it("refuses an empty admin list", async () => {
        await assert.rejects(recordComponent(() => new Network("net", { resourceGroupName: "rg", location: "x", adminCidrs: [] })), /adminCidrs/);
    });
});
