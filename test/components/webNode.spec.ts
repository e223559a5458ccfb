import * as assert from "assert";
import { WebNode } from "../../components/webNode";
import { DEFAULTS } from "../../config";
import { one, plain, recordComponent } from "../support/recorded";

describe("WebNode", () => {
    const build = () => recordComponent(() => new WebNode("web-2", {
        index: 2, resourceGroupName: "rg", location: "japaneast", subnetId: "subnet", backendPoolId: "pool", sshNatRuleId: "nat-2",
        zone: "2", vmSize: "Standard_D2s_v5", image: { ...DEFAULTS.web.image }, osDiskType: "Premium_LRS",
        adminUser: "redmineadmin", sshPublicKey: "ssh-rsa AAAAB3Nza test", computerName: "redmine-web-2", tags: { owner: "ops" },
    }));

    it("puts the NIC in the backend pool with its own NAT rule and no public IP", async () => {
        const nic = plain(one(await build(), "azure-native:network:NetworkInterface").inputs);
        const ipc = nic.ipConfigurations[0];
        assert.deepStrictEqual(ipc.loadBalancerBackendAddressPools, [{ id: "pool" }]);
        assert.deepStrictEqual(ipc.loadBalancerInboundNatRules, [{ id: "nat-2" }]);
        assert.strictEqual(ipc.publicIPAddress, undefined);
    });

    it("logs in by SSH key only, in its zone, from the CentOS 7.9 image, tagged stateless", async () => {
        const vm = plain(one(await build(), "azure-native:compute:VirtualMachine").inputs);
        assert.deepStrictEqual(vm.zones, ["2"]);
        assert.strictEqual(vm.osProfile.linuxConfiguration.disablePasswordAuthentication, true);
        assert.strictEqual(vm.osProfile.adminPassword, undefined);
        assert.deepStrictEqual(vm.osProfile.linuxConfiguration.ssh.publicKeys, [{ path: "/home/redmineadmin/.ssh/authorized_keys", keyData: "ssh-rsa AAAAB3Nza test" }]);
        assert.strictEqual(vm.storageProfile.imageReference.sku, "7_9");
        assert.strictEqual(vm.tags["redmine:stateless"], "true");
        assert.strictEqual(vm.tags.owner, "ops");
    });
});
