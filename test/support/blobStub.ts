/**
 * A tiny stand-in for Azure Blob Storage, for the nightly backup tests: Put Blob (needs
 * x-ms-blob-type: BlockBlob), Get Blob and List Blobs on one container, each request
 * refused without a SAS signature. Blobs are kept in memory.
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface BlobStub {
    readonly url: string;              // http://127.0.0.1:<port>/<container>
    readonly blobs: Map<string, Buffer>;
    readonly requests: { method: string; path: string; blobType?: string; hasSignature: boolean }[];
    close(): Promise<void>;
}

export function startBlobStub(container = "backups", signature = "stub-signature"): Promise<BlobStub> {
    const blobs = new Map<string, Buffer>();
    const requests: BlobStub["requests"] = [];
    const server = http.createServer((req, res) => {
        const u = new URL(req.url ?? "/", "http://stub");
        const blobType = req.headers["x-ms-blob-type"] as string | undefined;
        const hasSignature = u.searchParams.get("sig") === signature;
        requests.push({ method: req.method ?? "", path: u.pathname, blobType, hasSignature });
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            if (!hasSignature) { res.writeHead(403); res.end("AuthenticationFailed"); return; }
            const prefix = `/${container}`;
            if (u.pathname === prefix && req.method === "GET" && u.searchParams.get("comp") === "list") {
                const p = u.searchParams.get("prefix") ?? "";
                const names = [...blobs.keys()].filter((n) => n.startsWith(p)).sort();
                res.writeHead(200, { "Content-Type": "application/xml" });
                res.end(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${names.map((n) => `<Blob><Name>${n}</Name></Blob>`).join("")}</Blobs></EnumerationResults>`);
                return;
            }
            if (!u.pathname.startsWith(`${prefix}/`)) { res.writeHead(404); res.end(); return; }
            const name = decodeURIComponent(u.pathname.slice(prefix.length + 1));
            if (req.method === "PUT") {
                if (blobType !== "BlockBlob") { res.writeHead(400); res.end("MissingRequiredHeader x-ms-blob-type"); return; }
                blobs.set(name, Buffer.concat(chunks));
                res.writeHead(201); res.end();
            } else if (req.method === "GET") {
                const body = blobs.get(name);
                if (!body) { res.writeHead(404); res.end("BlobNotFound"); return; }
                res.writeHead(200, { "Content-Length": body.length }); res.end(body);
            } else {
                res.writeHead(405); res.end();
            }
        });
    });
    return new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as AddressInfo).port;
            resolve({
                url: `http://127.0.0.1:${port}/${container}`, blobs, requests,
                close: () => new Promise((r) => server.close(() => r())),
            });
        });
    });
}
