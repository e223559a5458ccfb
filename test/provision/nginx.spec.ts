import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { NODE_NGINX_LAYOUT, NginxLayout, renderNginxMain, renderNginxSite } from "../../provision/render";

const NGINX = "/usr/sbin/nginx";

function requireTool(bin: string, pkg: string): void {
    if (!fs.existsSync(bin)) {
        throw new Error(`${bin} is missing: apt-get install ${pkg}`);
    }
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

interface Reply { status: number; body: string; headers: http.IncomingHttpHeaders }

function request(opts: { port: number; path: string; method?: string; body?: Buffer; tls?: boolean; host?: string }): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const mod = opts.tls ? https : http;
        const req = mod.request(
            {
                host: "127.0.0.1",
                port: opts.port,
                path: opts.path,
                method: opts.method ?? "GET",
                headers: { Host: opts.host ?? "redmine.example.com", ...(opts.body ? { "Content-Length": opts.body.length, "Content-Type": "application/octet-stream" } : {}) },
                rejectUnauthorized: false,
                agent: false,
            },
            res => {
                const chunks: Buffer[] = [];
                res.on("data", c => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
            },
        );
        req.on("error", reject);
        if (opts.body) req.write(opts.body);
        req.end();
    });
}

/** A stand-in for thin: answers on the unix socket nginx proxies to, recording what it saw. */
class StubThin {
    readonly seen: { method: string; url: string; headers: http.IncomingHttpHeaders; bytes: number }[] = [];
    private servers: http.Server[] = [];
    constructor(private sockets: string[]) {}
    async up(): Promise<void> {
        for (const sock of this.sockets) {
            fs.rmSync(sock, { force: true });
            const server = http.createServer((req, res) => {
                let bytes = 0;
                req.on("data", c => (bytes += c.length));
                req.on("end", () => {
                    this.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, bytes });
                    res.writeHead(200, { "Content-Type": "text/plain" });
                    res.end(`thin ${path.basename(sock)} ${req.method} ${req.url} ${bytes}`);
                });
            });
            await new Promise<void>(resolve => server.listen(sock, () => resolve()));
            // like thin, which creates its socket with umask 0
            fs.chmodSync(sock, 0o777);
            this.servers.push(server);
        }
    }
    async down(): Promise<void> {
        await Promise.all(this.servers.map(s => new Promise<void>(resolve => s.close(() => resolve()))));
        this.servers = [];
        for (const sock of this.sockets) fs.rmSync(sock, { force: true });
    }
}

/** nginx skips a failed upstream for its fail_timeout (5 s): poll until it is back. */
async function eventually(port: number, urlPath: string, status: number, seconds = 10): Promise<void> {
    let last = 0;
    for (let i = 0; i < seconds * 4; i++) {
        last = (await request({ port, path: urlPath })).status;
        if (last === status) return;
        await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`${urlPath} stayed at ${last}, expected ${status}`);
}

function testLayout(dir: string, httpPort: number, httpsPort: number): NginxLayout {
    for (const d of ["public/javascripts", "run", "tls", "logs", "temp"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    return {
        user: os.userInfo().username,
        httpPort,
        httpsPort,
        publicDir: path.join(dir, "public"),
        socketDir: path.join(dir, "run"),
        tlsDir: path.join(dir, "tls"),
        siteInclude: path.join(dir, "redmine.conf"),
        pidFile: path.join(dir, "nginx.pid"),
        errorLog: path.join(dir, "logs/error.log"),
        accessLog: path.join(dir, "logs/access.log"),
        mimeTypes: "/etc/nginx/mime.types",
        modulesInclude: "",
        tempDir: path.join(dir, "temp"),
    };
}

async function startNginx(conf: string, dir: string, port: number): Promise<ChildProcess> {
    const child = spawn(NGINX, ["-c", conf, "-p", dir, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", d => (stderr += d));
    for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
        const ok = await new Promise<boolean>(resolve => {
            const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
            s.on("error", () => resolve(false));
        });
        if (ok) return child;
        await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`nginx did not listen on ${port}: ${stderr}`);
}

async function stopNginx(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null) return;
    await new Promise<void>(resolve => {
        child.once("exit", () => resolve());
        child.kill("SIGQUIT");
    });
}

describe("nginx site config, checked and served by the real nginx", function () {
    this.timeout(60_000);
    before(() => requireTool(NGINX, "nginx"));

    it("the node's own nginx.conf and site pass nginx -t (paths as on the node, checked with a stand-in root)", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-t-"));
        try {
            const site = renderNginxSite({ hostname: "redmine.example.com", thinWorkers: 2, maxUploadMb: 20, tls: false });
            const layout: NginxLayout = { ...NODE_NGINX_LAYOUT, user: os.userInfo().username, siteInclude: path.join(dir, "redmine.conf"), pidFile: path.join(dir, "nginx.pid"), errorLog: path.join(dir, "error.log"), accessLog: path.join(dir, "access.log"), tempDir: dir };
            fs.writeFileSync(path.join(dir, "redmine.conf"), site);
            fs.writeFileSync(path.join(dir, "nginx.conf"), renderNginxMain(layout));
            const r = spawnSync(NGINX, ["-t", "-c", path.join(dir, "nginx.conf"), "-p", dir, "-e", path.join(dir, "error.log")], { encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stderr, /syntax is ok/);
            // and the file the node gets really is what we just checked, port 80 and all
            assert.match(site, /listen 80 default_server;/);
            assert.doesNotMatch(site, /listen 443/);
            assert.match(site, /root \/opt\/redmine\/public;/);
            assert.match(site, /server unix:\/run\/redmine\/thin\.1\.sock/);
            assert.match(site, /server unix:\/run\/redmine\/thin\.2\.sock/);
            assert.match(renderNginxMain(), /^user nginx;$/m);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("serving on loopback in front of a stub thin (HTTP only)", function () {
        let dir: string;
        let port: number;
        let nginx: ChildProcess | undefined;
        let thin: StubThin;

        before(async function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-serve-"));
            port = await freePort();
            const layout = testLayout(dir, port, await freePort());
            fs.writeFileSync(path.join(dir, "public/javascripts/application.js"), "// static from public/\n");
            fs.writeFileSync(path.join(dir, "redmine.conf"), renderNginxSite({ hostname: "redmine.example.com", thinWorkers: 2, maxUploadMb: 2, tls: false }, layout));
            fs.writeFileSync(path.join(dir, "nginx.conf"), renderNginxMain(layout));
            const check = spawnSync(NGINX, ["-t", "-c", path.join(dir, "nginx.conf"), "-p", dir], { encoding: "utf8" });
            assert.equal(check.status, 0, check.stderr);
            thin = new StubThin([path.join(dir, "run/thin.1.sock"), path.join(dir, "run/thin.2.sock")]);
            nginx = await startNginx(path.join(dir, "nginx.conf"), dir, port);
        });

        after(async function () {
            await stopNginx(nginx);
            await thin?.down();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("/healthz is 502 while no thin worker answers", async function () {
            const r = await request({ port, path: "/healthz" });
            assert.ok(r.status === 502 || r.status === 503, `status ${r.status}`);
        });

        it("/healthz is 200 once thin answers, and asks thin for a real page", async function () {
            await thin.up();
            const r = await request({ port, path: "/healthz" });
            assert.equal(r.status, 200);
            assert.match(r.body, /^thin thin\.[12]\.sock GET \/login 0$/);
        });

        it("/healthz follows thin going down again", async function () {
            await thin.down();
            const r = await request({ port, path: "/healthz" });
            assert.ok(r.status === 502 || r.status === 503, `status ${r.status}`);
            await thin.up();
            // back within nginx's fail_timeout, as the load balancer probe would see it
            await eventually(port, "/healthz", 200);
        });

        it("static files come from public/ without reaching thin", async function () {
            const before = thin.seen.length;
            const r = await request({ port, path: "/javascripts/application.js" });
            assert.equal(r.status, 200);
            assert.equal(r.body, "// static from public/\n");
            assert.equal(thin.seen.length, before);
        });

        it("everything else goes to thin with Host, X-Forwarded-For and X-Forwarded-Proto", async function () {
            const r = await request({ port, path: "/projects/x/issues?a=1" });
            assert.equal(r.status, 200);
            const last = thin.seen[thin.seen.length - 1];
            assert.equal(last.url, "/projects/x/issues?a=1");
            assert.equal(last.headers.host, "redmine.example.com");
            assert.equal(last.headers["x-forwarded-for"], "127.0.0.1");
            assert.equal(last.headers["x-forwarded-proto"], "http");
        });

        it("dotfiles are refused", async function () {
            assert.equal((await request({ port, path: "/.git/config" })).status, 403);
        });

        it("an upload above 1 MB and below maxUploadMb (2) passes to thin whole", async function () {
            const body = Buffer.alloc(1_800_000, 7);
            const r = await request({ port, path: "/uploads.js", method: "POST", body });
            assert.equal(r.status, 200);
            assert.match(r.body, / POST \/uploads\.js 1800000$/);
        });

        it("an upload above maxUploadMb gets 413 from nginx", async function () {
            const before = thin.seen.length;
            const r = await request({ port, path: "/uploads.js", method: "POST", body: Buffer.alloc(2 * 1024 * 1024 + 1, 7) });
            assert.equal(r.status, 413);
            assert.equal(thin.seen.length, before);
        });
    });

    describe("with a TLS certificate", function () {
        let dir: string;
        let httpPort: number;
        let httpsPort: number;
        let nginx: ChildProcess | undefined;
        let thin: StubThin;

        before(async function () {
            requireTool("/usr/bin/openssl", "openssl");
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-tls-"));
            httpPort = await freePort();
            httpsPort = await freePort();
            const layout = testLayout(dir, httpPort, httpsPort);
            const gen = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=redmine.example.com",
                "-keyout", path.join(dir, "tls/redmine.key"), "-out", path.join(dir, "tls/redmine.crt")], { encoding: "utf8" });
            assert.equal(gen.status, 0, gen.stderr);
            fs.writeFileSync(path.join(dir, "redmine.conf"), renderNginxSite({ hostname: "redmine.example.com", thinWorkers: 1, maxUploadMb: 5, tls: true }, layout));
            fs.writeFileSync(path.join(dir, "nginx.conf"), renderNginxMain(layout));
            thin = new StubThin([path.join(dir, "run/thin.1.sock")]);
            await thin.up();
            nginx = await startNginx(path.join(dir, "nginx.conf"), dir, httpsPort);
        });

        after(async function () {
            await stopNginx(nginx);
            await thin?.down();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("serves Redmine on 443 with X-Forwarded-Proto https", async function () {
            const r = await request({ port: httpsPort, path: "/my/page", tls: true });
            assert.equal(r.status, 200);
            assert.equal(thin.seen[thin.seen.length - 1].headers["x-forwarded-proto"], "https");
        });

        it("port 80 redirects to https but still answers the load balancer's /healthz", async function () {
            const r = await request({ port: httpPort, path: "/projects" });
            assert.equal(r.status, 301);
            assert.equal(r.headers.location, "https://redmine.example.com/projects");
            assert.equal((await request({ port: httpPort, path: "/healthz" })).status, 200);
        });
    });
});
