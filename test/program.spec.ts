import * as assert from "assert";
import { RecordedStack, recordStack } from "../tools/recordStack";
import { MockRunError } from "../tools/mockEngine";
import { ofType, one, plain, plainStrings } from "./support/recorded";
import { isSecretValue } from "../tools/recording";

const VM = "azure-native:compute:VirtualMachine";
const RECORD = "aws:route53/record:Record";

describe("the program, per stack", function () {
    const runs: Record<string, RecordedStack> = {};
    before(async () => {
        for (const stack of ["dev", "prod"]) runs[stack] = await recordStack(stack);
    });

    for (const stack of ["dev", "prod"]) {
        describe(stack, () => {
            it("has two web nodes behind the LB, one SSH NAT rule each, spread over zones", () => {
                const { resources } = runs[stack];
                const vms = ofType(resources, VM).map((r) => plain(r.inputs));
                assert.strictEqual(vms.length, 2);
                assert.strictEqual(new Set(vms.map((v) => v.zones[0])).size, 2, "nodes in different zones");
                const lb = plain(one(resources, "azure-native:network:LoadBalancer").inputs);
                assert.strictEqual(lb.inboundNatRules.length, 2);
                for (const nic of ofType(resources, "azure-native:network:NetworkInterface")) {
                    assert.strictEqual(plain(nic.inputs).ipConfigurations[0].publicIPAddress, undefined);
                }
            });

            it("creates each NIC after the load balancer whose pool and NAT rule it joins", () => {
                const { resources } = runs[stack];
                // The ids are built from names, so the wait comes from the node component's dependsOn,
                // which the SDK resolves before it registers the component and so its NIC.
                const lb = one(resources, "azure-native:network:LoadBalancer");
                for (const node of ofType(resources, "redmine:web:WebNode")) {
                    assert.ok(node.dependencies.includes(lb.urn), `${node.name} waits for the LB`);
                    const nic = resources.find((r) => r.type === "azure-native:network:NetworkInterface" && r.parent === node.urn);
                    assert.ok(nic, `${node.name} has its NIC`);
                }
            });

            it("lets only the configured admin CIDRs reach SSH", () => {
                const { resources, config } = runs[stack];
                const admin = JSON.parse(config.values["redmine:adminCidrs"]);
                const rules = ofType(resources, "azure-native:network:NetworkSecurityGroup").flatMap((n) => plain(n.inputs).securityRules);
                const ssh = rules.filter((r: any) => r.destinationPortRange === "22" && r.access === "Allow");
                assert.deepStrictEqual(ssh.map((r: any) => r.sourceAddressPrefixes), [admin]);
            });

            it("protects the share with the vault and snapshots the legacy server first", () => {
                const { resources } = runs[stack];
                const item = one(resources, "azure-native:recoveryservices:ProtectedItem");
                assert.strictEqual(plain(item.inputs).properties.protectedItemType, "AzureFileShareProtectedItem");
                const snapshot = one(resources, "aws:ebs/snapshot:Snapshot");
                assert.ok(snapshot.options.retainOnDelete && snapshot.options.protect);
            });

            it("never carries a secret value in plain text, in any input or output", () => {
                const { resources, outputs } = runs[stack];
                for (const r of resources) {
                    const leaks = plainStrings(r.inputs).filter((s) => s.includes("PLACEHOLDER-SECRET"));
                    assert.deepStrictEqual(leaks, [], `${r.type} ${r.name} carries a secret in plain text`);
                }
                assert.deepStrictEqual(plainStrings(outputs).filter((s) => s.includes("PLACEHOLDER-SECRET")), []);
            });

            it("installs the nightly dump on node 1 only, its secrets on stdin and nothing logged", () => {
                const { resources } = runs[stack];
                const install = one(resources, "command:remote:Command", "nightly-dump-install");
                assert.strictEqual(plain(install.inputs).connection.port, 50001);
                assert.strictEqual(install.inputs.logging, "none");
                assert.ok(isSecretValue(install.inputs.stdin));
                assert.match(String(install.inputs.create), /steps\/backup\.sh/);
                assert.ok(install.options.additionalSecretOutputs.includes("stdout"));
                const item = one(resources, "azure-native:storage:ManagementPolicy");
                assert.ok(plain(item.inputs).policy.rules[0].definition.actions.baseBlob.delete.daysAfterModificationGreaterThan > 0);
            });

            it("exports what an operator needs", () => {
                const outputs = plain(runs[stack].outputs);
                for (const key of ["loadBalancerIp", "sshEndpoints", "dbHost", "fileShare", "resourceGroupName", "cutoverPhase"]) {
                    assert.ok(outputs[key] !== undefined && outputs[key] !== "", `output ${key}`);
                }
                assert.strictEqual(outputs.sshEndpoints.length, 2);
                assert.match(outputs.sshEndpoints[1].command, /^ssh -p 50002 redmineadmin@/);
            });

            it("parents every resource under a component and names it after the stack", () => {
                for (const r of runs[stack].resources) {
                    if (r.type === "pulumi:pulumi:Stack") continue;
                    assert.ok(r.parent, `${r.type} ${r.name} has a parent`);
                    assert.ok(r.name.startsWith(`redmine-${stack}`), `${r.name} is prefixed`);
                }
            });
        });
    }

    it("prod is zone-redundant where dev saves money", () => {
        const server = (stack: string) => plain(one(runs[stack].resources, "azure-native:dbformysql:Server").inputs);
        assert.strictEqual(server("prod").highAvailability.mode, "ZoneRedundant");
        assert.notStrictEqual(server("prod").highAvailability.standbyAvailabilityZone, server("prod").availabilityZone);
        assert.strictEqual(server("prod").backup.geoRedundantBackup, "Enabled");
        assert.strictEqual(server("dev").highAvailability.mode, "Disabled");
        const account = (stack: string) => plain(one(runs[stack].resources, "azure-native:storage:StorageAccount").inputs);
        assert.strictEqual(account("prod").sku.name, "Standard_ZRS");
        assert.strictEqual(account("dev").sku.name, "Standard_LRS");
    });

    it("adds exactly one node's resources when web.count goes from 2 to 3", async () => {
        const three = await recordStack("prod", { set: ["web.count=3"] });
        const urns = new Set(runs.prod.resources.map((r) => r.urn));
        const added = three.resources.filter((r) => !urns.has(r.urn));
        assert.ok(added.length > 0);
        for (const r of added) assert.match(r.name, /^redmine-prod-web-3|^redmine-prod-rollout-start-3$/, `${r.type} ${r.name} belongs to node 3`);
        assert.strictEqual(ofType(three.resources, VM).length, 3);
    });
});

describe("the cutover phases", () => {
    const record = async (phase: string, previous?: string, extra: string[] = []) => {
        const run = await recordStack("prod", { set: [`cutover=${phase}`, ...extra], previousOutputs: previous ? { cutoverPhase: previous } : undefined });
        return { run, record: plain(one(run.resources, RECORD).inputs), lbIp: plain(run.outputs).loadBalancerIp as string };
    };

    it("keeps DNS on legacy with the low TTL in prepare and freeze, points it at the LB in switch", async () => {
        for (const phase of ["prepare", "freeze"]) {
            const { record: r, lbIp } = await record(phase);
            assert.deepStrictEqual(r.records, ["198.51.100.20"], phase);
            assert.notDeepStrictEqual(r.records, [lbIp]);
            assert.strictEqual(r.ttl, 60);
        }
        const sw = await record("switch", "freeze");
        assert.deepStrictEqual(sw.record.records, [sw.lbIp]);
        assert.strictEqual(sw.record.ttl, 60);
        const done = await record("complete", "switch");
        assert.strictEqual(done.record.ttl, 3600);
    });

    it("lifts an old maintenance page before a replaced freeze puts up the new one", async () => {
        const { run } = await record("freeze");
        const freeze = one(run.resources, "command:local:Command", "migration-freeze");
        assert.ok(freeze.options.deleteBeforeReplace, "deleteBeforeReplace on the freeze step");
        assert.match(String(freeze.inputs.delete), /phase\.sh unfreeze/);
    });

    it("assumes the customer's role for Route 53 and adopts the record by import", async () => {
        const { run } = await record("switch", "freeze");
        const provider = ofType(run.resources, "pulumi:providers:aws").find((p) => JSON.stringify(p.inputs).includes("assumeRoles"));
        assert.ok(provider, "a provider with assumeRoles");
        const rec = one(run.resources, RECORD);
        assert.strictEqual(rec.options.provider, provider!.urn);
        assert.strictEqual(rec.options.importId, "Z0123456789EXAMPLE_redmine.example.com_A");
    });

    it("refuses to go back from switch without allowRollbackFromSwitch, and allows it with", async () => {
        await assert.rejects(record("prepare", "switch"), (e: MockRunError) => /allowRollbackFromSwitch/.test(e.message) && /lose every write/.test(e.message));
        await assert.rejects(record("freeze", "complete"), /allowRollbackFromSwitch/);
        const back = await record("prepare", "switch", ["allowRollbackFromSwitch=true"]);
        assert.deepStrictEqual(back.record.records, ["198.51.100.20"]);
    });
});
