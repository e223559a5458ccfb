/**
 * Real MariaDB servers for the migration tests, from Debian's `mariadb-server` package:
 * a throwaway data directory per server (`mariadb-install-db`), `mariadbd` on a free
 * loopback port, one SQL user with a password (the scripts connect over TCP like they
 * do to Azure MySQL), stopped and removed by `stop()`.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface MariaDbServer {
    readonly host: string;
    readonly port: number;
    readonly socket: string;
    readonly user: string;
    readonly password: string;
    readonly dataDir: string;
    /** Runs SQL as root over the socket; returns stdout (tab-separated, no column names). */
    sql(statement: string, database?: string): string;
    /** Pipes a file (or text) into the client as root over the socket. */
    source(sqlText: string, database?: string): void;
    stop(): Promise<void>;
}

function which(binary: string): string | undefined {
    for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", ...(process.env.PATH ?? "").split(":")]) {
        const candidate = path.join(dir, binary);
        if (dir && fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

/** Fails with a message naming the Debian package when a binary is missing. */
export function requireBinary(binary: string, debianPackage: string): string {
    const found = which(binary);
    if (!found) {
        throw new Error(`${binary} not found: install the Debian package '${debianPackage}' (apt-get install ${debianPackage})`);
    }
    return found;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const address = srv.address();
            const port = typeof address === "object" && address ? address.port : 0;
            srv.close(() => resolve(port));
        });
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

export interface StartOptions {
    /** Extra mariadbd options, e.g. to make bulk loads faster in the rate test. */
    extraArgs?: string[];
    user?: string;
    password?: string;
}

export async function startMariaDb(label: string, options: StartOptions = {}): Promise<MariaDbServer> {
    const mariadbd = requireBinary("mariadbd", "mariadb-server");
    const installDb = requireBinary("mariadb-install-db", "mariadb-server");
    const client = requireBinary("mariadb", "mariadb-client");
    const admin = requireBinary("mariadb-admin", "mariadb-client");

    const base = fs.mkdtempSync(path.join(os.tmpdir(), `mig-${label}-`));
    const dataDir = path.join(base, "data");
    const socket = path.join(base, "mysqld.sock");
    fs.mkdirSync(dataDir);
    execFileSync(installDb, [`--datadir=${dataDir}`, "--user=root", "--skip-test-db", "--auth-root-authentication-method=socket"], {
        stdio: ["ignore", "ignore", "pipe"],
    });

    const port = await freePort();
    const args = [
        "--no-defaults",
        `--datadir=${dataDir}`,
        `--socket=${socket}`,
        `--port=${port}`,
        "--skip-networking=0",
        "--bind-address=127.0.0.1",
        "--user=root",
        `--pid-file=${path.join(base, "mysqld.pid")}`,
        `--log-error=${path.join(base, "error.log")}`,
        "--skip-log-bin",
        "--character-set-server=utf8",
        "--collation-server=utf8_general_ci",
        "--innodb-buffer-pool-size=256M",
        ...(options.extraArgs ?? []),
    ];
    const proc: ChildProcess = spawn(mariadbd, args, { stdio: "ignore" });
    let exited = false;
    // A crashed test run must not leave servers behind.
    const killOnExit = () => { if (!exited) proc.kill("SIGKILL"); };
    process.on("exit", killOnExit);
    proc.on("exit", () => { exited = true; process.removeListener("exit", killOnExit); });

    const deadline = Date.now() + 30000;
    for (;;) {
        const ping = spawnSync(admin, ["--no-defaults", `--socket=${socket}`, "-uroot", "ping"], { encoding: "utf8" });
        if (ping.status === 0) break;
        if (exited || Date.now() > deadline) {
            const log = fs.existsSync(path.join(base, "error.log")) ? fs.readFileSync(path.join(base, "error.log"), "utf8") : "";
            throw new Error(`mariadbd (${label}) did not become ready on port ${port}:\n${log.slice(-3000)}`);
        }
        await sleep(100);
    }

    const user = options.user ?? "migrator";
    const password = options.password ?? `pw-${label}-${Math.random().toString(36).slice(2)}"'\\$x`;
    const rootArgs = ["--no-defaults", `--socket=${socket}`, "-uroot", "--batch", "--skip-column-names", "--raw"];
    const sql = (statement: string, database?: string): string => {
        const res = spawnSync(client, [...rootArgs, ...(database ? [database] : [])], { input: statement, encoding: "utf8", maxBuffer: 1 << 28 });
        if (res.status !== 0) throw new Error(`SQL failed on ${label}: ${res.stderr}\n${statement.slice(0, 500)}`);
        return res.stdout;
    };
    const quoted = password.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
    sql(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${quoted}'; GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.0.0.1'; FLUSH PRIVILEGES;`);

    return {
        host: "127.0.0.1",
        port,
        socket,
        user,
        password,
        dataDir,
        sql,
        source: (sqlText: string, database?: string) => { sql(sqlText, database); },
        stop: async () => {
            if (!exited) {
                proc.kill("SIGTERM");
                const stopDeadline = Date.now() + 20000;
                while (!exited && Date.now() < stopDeadline) await sleep(50);
                if (!exited) proc.kill("SIGKILL");
            }
            fs.rmSync(base, { recursive: true, force: true });
        },
    };
}
