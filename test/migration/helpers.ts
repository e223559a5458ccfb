import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MariaDbServer } from "../support/mariadb";

export const scriptsDir = path.resolve(__dirname, "../../provision/migration");

export interface RunResult { status: number | null; stdout: string; stderr: string; output: string; seconds: number }

/** Runs provision/migration/<script> with bash, as the machines do. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string | Buffer): RunResult {
    const started = process.hrtime.bigint();
    const res = spawnSync("bash", [path.join(scriptsDir, script), ...args], {
        env: { ...process.env, ...env },
        input,
        encoding: "utf8",
        maxBuffer: 1 << 28,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (res.error) throw res.error;
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, output: res.stdout + res.stderr, seconds };
}

export function tempDir(label: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `mig-${label}-`));
}

/** DB_* environment for a server; the password goes in a 600 file, as on the machines. */
export function dbEnv(server: MariaDbServer, database: string, dir: string): NodeJS.ProcessEnv {
    const pwFile = path.join(dir, `pw-${server.port}`);
    fs.writeFileSync(pwFile, server.password, { mode: 0o600 });
    return { DB_HOST: server.host, DB_PORT: String(server.port), DB_USER: server.user, DB_NAME: database, DB_PASSWORD_FILE: pwFile };
}

export function expectOk(res: RunResult, what: string): void {
    if (res.status !== 0) throw new Error(`${what} failed (exit ${res.status}):\n${res.output}`);
}

/** Like runScript, without blocking the event loop (an in-process HTTP server must answer). */
export function runScriptAsync(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const { spawn } = require("child_process") as typeof import("child_process");
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
        const child = spawn("bash", [path.join(scriptsDir, script), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => { stdout += d.toString("utf8"); });
        child.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
        child.on("error", reject);
        child.on("close", (status: number | null) => {
            resolve({ status, stdout, stderr, output: stdout + stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
        });
    });
}
