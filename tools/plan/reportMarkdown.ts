/**
 * The server inventory and handover report (Markdown) from the stack outputs that stack.ts
 * exports: from a saved offline plan (placeholders for what Azure computes, plus the policy
 * status and the config), or from `pulumi stack output --json` (the real deployment).
 * Secrets are named by key and place, never shown.
 */
import { dnsIntent } from "../../cutover";
import type { CutoverPhase } from "../../config";
import { REMOTE } from "../../provision/render";
import type { PlanFile } from "./planFile";
import { redactText } from "./values";

export interface ReportSource {
    kind: "plan" | "outputs";
    /** File the data came from, for the report's header. */
    file: string;
    stack: string;
    outputs: Record<string, unknown>;
    plan?: PlanFile;
}

const NOT_IN_OUTPUTS = "_not in the outputs_";

/** Reads `a.b[0].c` out of a JSON value; undefined when any step is missing. */
function at(v: unknown, path: string): any {
    let cur: any = v;
    for (const key of path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "")) {
        if (cur === null || cur === undefined) return undefined;
        cur = cur[key];
    }
    return cur;
}

function cell(v: unknown): string {
    if (v === undefined || v === null || v === "") return NOT_IN_OUTPUTS;
    const text = Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v);
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(v: unknown): string {
    if (v === undefined || v === null || v === "") return NOT_IN_OUTPUTS;
    return "`" + String(v).replace(/`/g, "'") + "`";
}

function table(head: string[], rows: unknown[][]): string[] {
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map((c) => (typeof c === "string" && c.startsWith("`") ? c : cell(c))).join(" | ")} |`)];
}

const PHASES: Record<CutoverPhase, string> = {
    prepare: "target built, legacy snapshot taken, files pre-synced, rehearsal import; DNS still on the legacy server with the low TTL",
    freeze: "legacy read-only (maintenance page), final dump, restore, migrate, rsync delta and verification; DNS unchanged",
    switch: "the DNS record points at the Azure load balancer (low TTL kept until the switch is confirmed)",
    complete: "DNS on Azure with the normal TTL; the legacy server is the rollback point only",
};

/** Secret config keys: what each is, where it lives, when the stack needs it. */
export const SECRET_LOCATIONS: { key: string; what: string; where: string; neededWhen: string; used: (config: Record<string, string>) => boolean | "if set" }[] = [
    { key: "sshPrivateKey", what: "private half of sshPublicKey; the provisioning commands log in with it", where: "Pulumi stack config (encrypted); the public half is in ~/.ssh/authorized_keys of the admin user on every node", neededWhen: "always", used: () => true },
    { key: "dbAdminPassword", what: "MySQL Flexible Server administrator password, used by Redmine", where: `Pulumi stack config (encrypted); the server itself; ${REMOTE.secretsDir}/db_password on every node (root:redmine 0640)`, neededWhen: "always", used: () => true },
    { key: "secretToken", what: "Redmine's session secret, the same on every node", where: `Pulumi stack config (encrypted); ${REMOTE.secretsDir}/secret_token on every node`, neededWhen: "always", used: () => true },
    { key: "tlsPrivateKey", what: "private key of tlsCertificate (HTTPS)", where: `Pulumi stack config (encrypted); ${REMOTE.tlsDir}/redmine.key on every node (0600)`, neededWhen: "tlsCertificate is set", used: (c) => !!c["redmine:tlsCertificate"] },
    { key: "smtpPassword", what: "password of the outgoing mail relay", where: `Pulumi stack config (encrypted); ${REMOTE.secretsDir}/smtp_password on every node`, neededWhen: "smtp.user is set", used: (c) => !!parse(c["redmine:smtp"])?.user },
    { key: "databaseCipherKey", what: "Redmine's database_cipher_key (encrypts SCM and LDAP passwords in the database); copied from the legacy server", where: `Pulumi stack config (encrypted); ${REMOTE.secretsDir}/database_cipher_key on every node`, neededWhen: "the legacy Redmine has one", used: () => "if set" },
    { key: "legacySshPrivateKey", what: "SSH key of the legacy EC2 server (dump and file sync)", where: "Pulumi stack config (encrypted) only", neededWhen: "legacy.* is set", used: (c) => hasObject(c["redmine:legacy"]) },
    { key: "legacyDbPassword", what: "MySQL 5.1 password on the legacy server (the dump)", where: "Pulumi stack config (encrypted) only", neededWhen: "legacy.* is set", used: (c) => hasObject(c["redmine:legacy"]) },
    { key: "dnsExternalId", what: "external id of the customer's Route 53 role", where: "Pulumi stack config (encrypted) only; the customer holds the role", neededWhen: "dns.* is set", used: (c) => hasObject(c["redmine:dns"]) },
];

function usage(u: boolean | "if set"): string {
    return u === "if set" ? "if set (optional; the offline plan always sets a placeholder)" : u ? "used" : "not used";
}

function parse(text: string | undefined): any {
    if (!text) return undefined;
    try { return JSON.parse(text); } catch { return undefined; }
}
function hasObject(text: string | undefined): boolean {
    const v = parse(text);
    return !!v && typeof v === "object" && Object.keys(v).length > 0;
}

export function renderReport(src: ReportSource, now = new Date()): string {
    const o = src.outputs;
    const plan = src.plan;
    const L: string[] = [];
    const phase = at(o, "cutoverPhase") as CutoverPhase | undefined;

    L.push(`# Redmine on Azure: server inventory and handover report (stack \`${src.stack}\`)`, "");
    if (src.kind === "plan") {
        L.push(`Source: offline plan \`${src.file}\` (planned ${plan?.generatedAt ?? "?"}; report written ${now.toISOString()}).`,
            "This is a model: addresses, ids and host names that Azure or AWS assign are placeholders (192.0.2.x, 10.20.1.x, `*-id`).",
            "For the real deployment run `pulumi stack output --json > outputs.json && npm run report -- --outputs outputs.json`.", "");
    } else {
        L.push(`Source: stack outputs \`${src.file}\` of the deployed stack (\`pulumi stack output --json\`; report written ${now.toISOString()}).`, "");
    }

    L.push("## Summary", "");
    L.push(...table(["what", "value"], [
        ["Site", at(o, "siteUrl")],
        ["Load balancer", `${cell(at(o, "loadBalancerIp"))} (${cell(at(o, "loadBalancerFqdn"))})`],
        ["Resource group", at(o, "resourceGroupName")],
        ["Cutover phase", phase ? `${phase}: ${PHASES[phase] ?? "unknown phase"}` : undefined],
        ["Web nodes", Array.isArray(at(o, "webNodes")) ? at(o, "webNodes").length : undefined],
    ]), "");

    L.push("## Machines", "");
    const nodes: any[] = Array.isArray(at(o, "webNodes")) ? at(o, "webNodes") : [];
    const endpoints: any[] = Array.isArray(at(o, "sshEndpoints")) ? at(o, "sshEndpoints") : [];
    const os = at(o, "software.os");
    L.push(...table(["name", "zone", "size", "image / OS", "private IP", "SSH (through the LB NAT rule)"], nodes.map((n, i) => {
        const ep = endpoints.find((e) => e?.node === i + 1) ?? endpoints[i];
        const image = typeof os === "string" && n?.image && os.includes(n.image) ? os : `${cell(n?.image)}${os ? ` (${os})` : ""}`;
        return [n?.name, n?.zone, n?.vmSize, image, n?.privateIp, ep?.command ? code(ep.command) : ep ? `${cell(ep.host)}:${cell(ep.port)}` : undefined];
    })));
    if (nodes.length === 0) L.push("", "No web nodes in the outputs.");
    L.push("", "The nodes have no public IP: SSH goes through the load balancer's per-node NAT port, key login only (password login disabled). They are stateless (state is in MySQL and the file share): a broken node is replaced, not restored.", "");

    L.push("## Software", "");
    const sw = at(o, "software") ?? {};
    L.push(...table(["component", "version"], Object.entries(sw).map(([k, v]) => [k, v])), "");

    L.push("## Database", "");
    const db = at(o, "database") ?? {};
    L.push(...table(["what", "value"], [
        ["Host", at(o, "dbHost")],
        ["Database", at(o, "databaseName")],
        ["Engine", db.version ? `Azure Database for MySQL Flexible Server ${db.version}` : undefined],
        ["SKU / tier", db.sku ? `${db.sku} (${cell(db.tier)})` : undefined],
        ["High availability", db.haMode],
        ["Zones", db.zone ? `primary ${db.zone}${db.standbyZone ? `, standby ${db.standbyZone}` : ""}` : undefined],
        ["Point-in-time backups", db.backupRetentionDays !== undefined ? `${db.backupRetentionDays} days` : undefined],
        ["Geo-redundant backup", db.geoRedundantBackup === undefined ? undefined : db.geoRedundantBackup ? "yes" : "no"],
    ]));
    if (db.version === "5.7") L.push("", "MySQL 5.7 is in Azure's paid extended support: plan the upgrade to 8.0 (docs/runbook.md).");
    L.push("");

    L.push("## File share (attachments)", "");
    L.push(...table(["what", "value"], [
        ["Storage account", at(o, "storageAccountName")],
        ["Share", at(o, "fileShare")],
        ["Mounted on every node at", at(o, "filesMountPath")],
    ]), "");

    L.push("## Backups", "");
    const b = at(o, "backup") ?? {};
    L.push(...table(["what", "how", "kept"], [
        ["Attachments share", `Recovery Services vault ${cell(b.vaultName)}, policy ${cell(b.policyName)}, daily at ${cell(b.dailyAtUtc)} UTC`, b.fileShareRetentionDays !== undefined ? `${b.fileShareRetentionDays} daily recovery points` : undefined],
        ["Database (PITR)", "Azure MySQL automatic backups, restore to any point in time", db.backupRetentionDays !== undefined ? `${db.backupRetentionDays} days${db.geoRedundantBackup ? ", geo-redundant" : ""}` : undefined],
        ["Nightly logical dump", `mysqldump to container ${cell(b.dumpContainer)} of ${cell(at(o, "storageAccountName"))}, at ${cell(b.dailyAtUtc)} UTC`, b.dumpRetentionDays !== undefined ? `${b.dumpRetentionDays} days (lifecycle rule deletes older dumps)` : undefined],
        ["Legacy server", "EBS snapshots taken before any data moved (the rollback point), protected and retained", Array.isArray(at(o, "legacySnapshotIds")) ? at(o, "legacySnapshotIds").join(", ") || "none" : undefined],
    ]), "");

    L.push("## DNS", "");
    const rec = at(o, "dnsRecord");
    if (rec) {
        const intent = phase && PHASES[phase] ? dnsIntent(phase) : undefined;
        L.push(...table(["what", "value"], [
            ["Record", rec.name ? `${rec.name} A (Route 53, customer's zone, adopted by import; never deleted)` : undefined],
            ["Points at", rec.target ? `${rec.target}${intent ? ` (${intent.target === "azure" ? "the Azure load balancer" : "the legacy server"})` : ""}` : undefined],
            ["TTL", rec.ttl !== undefined ? `${rec.ttl} s${intent ? ` (${intent.ttl === "cutover" ? "lowered for the cutover" : "normal"})` : ""}` : undefined],
            ["Phase", phase],
        ]));
    } else {
        L.push("DNS is not managed by this stack (no `dns` config).");
    }
    L.push("");

    L.push("## Who may SSH", "");
    const cidrs = at(o, "adminCidrs");
    L.push(Array.isArray(cidrs) && cidrs.length
        ? `Only these networks reach port 22 (NSG rule allow-ssh-admins, config key \`adminCidrs\`): ${cidrs.map((c: string) => code(c)).join(", ")}. Everything else inbound is denied except HTTP/HTTPS and the load balancer's probe.`
        : `Admin networks: ${NOT_IN_OUTPUTS}.`);
    L.push("");

    L.push("## Where the secrets live", "", "Values are never in this report, in the outputs or in the repository: they are Pulumi config secrets of the stack (encrypted with the stack's secrets provider), set with `pulumi config set --secret KEY`.", "");
    const config = plan?.config;
    L.push(...table(["config key", "what", "where it lives", "needed when", ...(config ? ["this stack"] : [])], [
        ...SECRET_LOCATIONS.map((s) => [code(s.key), s.what, s.where, s.neededWhen, ...(config ? [usage(s.used(config))] : [])]),
        ["(storage account key)", "key of the storage account, for the SMB mount", `not in config: read from Azure at deploy time, kept encrypted in the Pulumi state; \`${REMOTE.smbCredentialsDir}/ACCOUNT.cred\` on every node (root 0600)`, "always", ...(config ? ["used"] : [])],
    ]), "");

    L.push("## Policy status", "");
    if (!plan) {
        L.push("Not available: stack outputs carry no policy results. Run `npm run plan -- --stack " + src.stack + "` (offline) or `pulumi preview --policy-pack policies` for them.");
    } else if (plan.policy.status !== "ran") {
        L.push("Not available: the plan was made with `--no-policy`.");
    } else {
        const p = plan.policy;
        L.push(`Policy pack ${p.pack?.name} ${p.pack?.version} with ${p.pack?.configFile}: ${p.mandatory > 0 ? `**FAILED**, ${p.mandatory} mandatory violation(s)` : "**passed** (no mandatory violations)"}, ${p.advisory} advisory.`);
        if (p.diagnostics.length) {
            L.push("", ...table(["level", "policy", "finding"], p.diagnostics.map((d) => [d.enforcementLevel, d.policyName, d.message.trim()])));
        }
    }
    if (plan) {
        L.push("", plan.secretLeaks.length ? `Secret check: **FAILED**: ${plan.secretLeaks.map((l) => l.key).join(", ")} reach the engine unmarked.` : "Secret check: passed (every secret reaches the engine marked secret).");
    }
    L.push("");
    return redactText(L.join("\n"));
}
