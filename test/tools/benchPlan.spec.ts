import * as assert from "assert";
import * as fs from "fs";
import { measure, summarize, TARGET } from "../../tools/benchPlan";

describe("npm run bench:plan (measuring)", function () {
    this.timeout(60_000);

    it("measures wall time, CPU and peak RSS of a child process tree", async () => {
        // A child that holds ~120 MB for 600 ms, under a shell, as the plan runs under sh -c.
        const s = await measure(`node -e "const b = Buffer.alloc(120 * 1024 * 1024, 1); setTimeout(() => console.log(b[0]), 600)"`);
        assert.strictEqual(s.code, 0, s.stderr);
        assert.ok(s.wallMs >= 600, `wall ${s.wallMs}`);
        assert.ok(s.treeRssMb >= 100 && s.treeRssMb < 400, `tree RSS ${s.treeRssMb}`);
        if (fs.existsSync("/usr/bin/time")) {
            assert.ok(s.maxRssMb! >= 100, `max RSS ${s.maxRssMb}`);
            assert.ok(s.cpuMs! > 0);
        } else {
            assert.strictEqual(s.maxRssMb, undefined, "without /usr/bin/time (Debian package `time`) only the sampled tree RSS is reported");
        }
    });

    it("reports a failing command's exit code", async () => {
        assert.strictEqual((await measure("exit 3")).code, 3);
    });

    it("summarizes runs by median and minimum, peaks by maximum", () => {
        const s = summarize([
            { wallMs: 3000, cpuMs: 4000, maxRssMb: 200, treeRssMb: 300, code: 0, stderr: "" },
            { wallMs: 1000, cpuMs: 2000, maxRssMb: 250, treeRssMb: 320, code: 0, stderr: "" },
            { wallMs: 2000, cpuMs: 3000, maxRssMb: 210, treeRssMb: 310, code: 0, stderr: "" },
        ]);
        assert.deepStrictEqual(s, { medianMs: 2000, minMs: 1000, cpuMs: 3000, maxRssMb: 250, treeRssMb: 320 });
        assert.deepStrictEqual(TARGET, { wallMs: 6000, peakMb: 500 });
    });
});
