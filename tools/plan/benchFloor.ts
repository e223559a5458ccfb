/**
 * The floor for `npm run bench:plan`: a bare program that only loads @pulumi/pulumi and runs an
 * empty stack under its mocks, started the same way as the plan (ts-node --transpile-only).
 * Whatever the plan costs above this is the program, the providers' SDKs and the policy pack.
 */
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";

/** waitForRPCs is exported by the SDK's settings module but stripped from its typings (as in tools/mockEngine.ts). */
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

async function floor(): Promise<void> {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "floor", "floor", true);
    await runInPulumiStack(async () => ({}));
    await settings.waitForRPCs();
}

floor().then(() => process.exit(0), (e) => { console.error(e); process.exit(2); });
