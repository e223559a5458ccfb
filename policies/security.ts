/**
 * Security: the customer worries about it, and the old server had SSH open to the world.
 * Everything here reads values that are known at preview (they come from stack config), so
 * a PR that opens a port or leaks a password is blocked before it is merged. Messages never
 * echo a secret-looking value, only where it was found.
 */
import { ResourceValidationArgs } from "@pulumi/policy";
import { asArray, has, oneOf, resourceRule, same, T, tryRead } from "./common";

const INTERNET_SOURCES = ["*", "internet", "any", "0.0.0.0", "0.0.0.0/0", "::/0", "/0"];

interface NsgConfig {
    restrictedPorts: number[];
    minSourcePrefixLength: number;
}

/** True when the source is the Internet, or an IPv4 prefix so wide it might as well be. */
function isInternetSource(src: unknown, minPrefix: number): boolean {
    if (typeof src !== "string") {
        return false;
    }
    const s = src.trim().toLowerCase();
    if (INTERNET_SOURCES.includes(s)) {
        return true;
    }
    const m = /^\d{1,3}(?:\.\d{1,3}){3}\/(\d{1,2})$/.exec(s);
    return m !== null && Number(m[1]) < minPrefix;
}

/** True when a port spec (`*`, `22`, `20-25`) covers the port. */
function covers(spec: unknown, port: number): boolean {
    const s = String(spec).trim();
    if (s === "*") {
        return true;
    }
    const [lo, hi] = s.split("-").map((x) => Number(x));
    return hi === undefined || Number.isNaN(hi) ? lo === port : lo <= port && port <= hi;
}

/** Problems with one NSG rule (inline or standalone; both have the same flattened fields). */
function ruleProblems(rule: Record<string, any>, cfg: NsgConfig): string[] {
    if (!same(rule.access, "Allow") || !same(rule.direction, "Inbound") || oneOf(rule.protocol, ["Icmp", "Esp", "Ah"])) {
        return [];
    }
    const sources = [rule.sourceAddressPrefix, ...asArray(rule.sourceAddressPrefixes)].filter((s) => isInternetSource(s, cfg.minSourcePrefixLength));
    if (sources.length === 0) {
        return [];
    }
    const ports = [rule.destinationPortRange, ...asArray(rule.destinationPortRanges)].filter((p) => p !== undefined);
    const open = cfg.restrictedPorts.filter((port) => ports.some((p) => covers(p, port)));
    return open.length === 0 ? [] : [`rule ${JSON.stringify(rule.name ?? "(standalone)")} allows port(s) ${open.join(", ")} from ${sources.join(", ")}.`];
}

export const nsgRestrictedPorts = resourceRule<NsgConfig>({
    name: "nsg-no-management-or-db-ports-from-internet",
    description:
        "No NSG rule, inline in a NetworkSecurityGroup or a standalone SecurityRule, allows SSH (22), RDP (3389) or MySQL " +
        "(3306) inbound from `*`, `Internet`, `0.0.0.0/0`, `::/0` or an IPv4 prefix shorter than `minSourcePrefixLength`; " +
        "SSH is for `adminCidrs` only and MySQL for the web subnet. Port ranges and `*` count. 80/443 from the Internet are " +
        "fine behind the load balancer. Anchors: Azure Policy 2c89a2e5-7285-40fe-afe0-ae8654b92fab (SSH from Internet) and its " +
        "RDP twin, checkov CKV_AZURE_10 / CKV_AZURE_9, trivy AZU-0050 / AZU-0048 / AZU-0047, PSRule Azure.NSG.AnyInboundSource " +
        "(AZR-000137). Known at preview.",
    types: [T.nsg, T.securityRule],
    severity: "critical",
    schema: {
        restrictedPorts: { type: "array", items: { type: "integer", minimum: 1, maximum: 65535 }, default: [22, 3389, 3306], description: "Ports never open to the Internet." },
        minSourcePrefixLength: { type: "integer", minimum: 0, maximum: 32, default: 8, description: "IPv4 source prefixes shorter than this count as the Internet." },
    },
    validate: (props, args, cfg, report) => {
        const rules = args.type === T.nsg ? asArray(props.securityRules) : [props];
        rules.flatMap((r) => ruleProblems(r, cfg)).forEach((p) => report(p));
    },
});

function linuxOnly(props: Record<string, any>, args: ResourceValidationArgs): void {
    if (has(props.osProfile, "windowsConfiguration")) {
        args.notApplicable("Windows VM");
    }
}

export const vmSshKeyOnly = resourceRule({
    name: "vm-ssh-key-only",
    description:
        "Linux VMs accept SSH keys only: password authentication disabled, at least one public key, no admin password, " +
        "because a password on an Internet-reachable NAT port is the first thing scanners try. Anchors: checkov CKV_AZURE_1 / " +
        "CKV_AZURE_149 / CKV_AZURE_178, trivy AZU-0039, PSRule Azure.VM.PublicKey (AZR-000245), Pulumi compliance " +
        "azurenative-compute-virtualmachine-disallow-password-authentication. Known at preview.",
    types: [T.vm],
    severity: "critical",
    validate: (vm, args, _cfg, report) => {
        linuxOnly(vm, args);
        const linux = vm.osProfile?.linuxConfiguration;
        if (linux?.disablePasswordAuthentication !== true) {
            report("osProfile.linuxConfiguration.disablePasswordAuthentication must be true.");
        }
        if (asArray(linux?.ssh?.publicKeys).length === 0) {
            report("osProfile.linuxConfiguration.ssh.publicKeys has no key.");
        }
        if (has(vm.osProfile, "adminPassword")) {
            report("osProfile.adminPassword is set; remove it.");
        }
    },
});

export const nicNoPublicIp = resourceRule({
    name: "nic-no-public-ip",
    description:
        "Web VMs have no public IP: only the load balancer is public, and SSH reaches nodes through its NAT rules from " +
        "`adminCidrs`. Anchors: Azure Policy 83a86a26-fd1f-447c-b59d-e51f44264114 (NICs should not have public IPs), checkov " +
        "CKV_AZURE_119, trivy AZU-0076. Presence is checked, not the id, so this is known at preview.",
    types: [T.nic, T.vm],
    validate: (props, args, _cfg, report) => {
        if (args.type === T.nic) {
            for (const ipc of asArray(props.ipConfigurations)) {
                if (has(ipc, "publicIPAddress")) {
                    report(`ip configuration ${JSON.stringify(ipc.name)} has a public IP address.`);
                }
            }
            return;
        }
        for (const nic of asArray(props.networkProfile?.networkInterfaceConfigurations)) {
            for (const ipc of asArray(nic.ipConfigurations)) {
                if (has(ipc, "publicIPAddressConfiguration")) {
                    report(`inline NIC ${JSON.stringify(nic.name)} creates a public IP address.`);
                }
            }
        }
    },
});

export const mysqlPrivateOnly = resourceRule({
    name: "mysql-private-access-only",
    description:
        "MySQL is reachable only from the VNet: publicNetworkAccess Disabled and a delegated subnet (VNet integration), and no " +
        "firewall rules (0.0.0.0 would open it to every Azure tenant). Anchors: Azure Policy c9299215-ae47-4f50-9c54-8a392f68a052 " +
        "(public access disabled for MySQL flexible), checkov CKV_AZURE_53, trivy AZU-0022 / AZU-0029, PSRule " +
        "Azure.MySQL.AllowAzureAccess (AZR-000134). The subnet id is unknown at preview, so only its presence is read.",
    types: [T.mysql, T.mysqlFirewall],
    severity: "critical",
    validate: (props, args, _cfg, report) => {
        if (args.type === T.mysqlFirewall) {
            report("a firewall rule opens the server beyond its VNet; remove it.");
            return;
        }
        if (!same(props.network?.publicNetworkAccess, "Disabled")) {
            report(`network.publicNetworkAccess is ${JSON.stringify(props.network?.publicNetworkAccess ?? "unset (Enabled)")}; it must be "Disabled".`);
        }
        if (!has(props.network, "delegatedSubnetResourceId")) {
            report("network.delegatedSubnetResourceId is not set, so the server is not in the VNet.");
        }
    },
});

interface TlsConfig {
    allowedTlsVersions: string[];
}

export const mysqlSecureTransport = resourceRule<TlsConfig>({
    name: "mysql-secure-transport",
    description:
        "MySQL server parameters keep TLS on: require_secure_transport is not OFF (the server default is ON) and tls_version " +
        "lists only `allowedTlsVersions`, because database.yml sends the Redmine password over this link. No anchor covers " +
        "flexible server (the Azure Policy e802a67a-daf5-4436-9ea6-f6d821dd0c5d and checkov CKV_AZURE_28 are single-server); custom. " +
        "Known at preview.",
    types: [T.mysqlConfig],
    severity: "critical",
    schema: {
        allowedTlsVersions: { type: "array", items: { type: "string" }, minItems: 1, default: ["TLSv1.2", "TLSv1.3"], description: "TLS versions tls_version may list." },
    },
    validate: (c, _args, cfg, report) => {
        const name = String(c.configurationName ?? "");
        if (same(name, "require_secure_transport") && oneOf(String(c.value ?? "").trim(), ["OFF", "0", "FALSE"])) {
            report("require_secure_transport is OFF; leave it ON.");
        }
        if (same(name, "tls_version")) {
            const bad = String(c.value ?? "")
                .split(",")
                .map((v) => v.trim())
                .filter((v) => v !== "" && !oneOf(v, cfg.allowedTlsVersions));
            if (bad.length > 0) {
                report(`tls_version allows ${bad.join(", ")}; allowed: ${cfg.allowedTlsVersions.join(", ")}.`);
            }
        }
    },
});

interface StorageTlsConfig {
    allowedMinimumTlsVersions: string[];
}

export const storageSecureTransport = resourceRule<StorageTlsConfig>({
    name: "storage-account-https-tls12",
    description:
        "The storage account accepts HTTPS only (SMB 3 with encryption for the share) and TLS 1.2 or newer, set explicitly " +
        "because older API defaults allow TLS 1.0. Anchors: Azure Policy 404c3081-a854-4457-ae30-26a93ef643f9 (secure transfer) " +
        "and fe83a0eb-a853-422d-aac2-1bffd182c5d0 (minimum TLS), checkov CKV_AZURE_3 / CKV_AZURE_44, trivy AZU-0008 / AZU-0011, " +
        "PSRule Azure.Storage.SecureTransfer (AZR-000196) / Azure.Storage.MinTLS (AZR-000200). Known at preview.",
    types: [T.storageAccount],
    schema: {
        allowedMinimumTlsVersions: { type: "array", items: { type: "string" }, minItems: 1, default: ["TLS1_2", "TLS1_3"], description: "Accepted minimumTlsVersion values." },
    },
    validate: (acct, _args, cfg, report) => {
        if (acct.enableHttpsTrafficOnly === false) {
            report("enableHttpsTrafficOnly is false; it must stay true.");
        }
        if (!oneOf(acct.minimumTlsVersion, cfg.allowedMinimumTlsVersions)) {
            report(`minimumTlsVersion is ${JSON.stringify(acct.minimumTlsVersion ?? "unset")}; allowed: ${cfg.allowedMinimumTlsVersions.join(", ")}.`);
        }
    },
});

export const storageNoPublicBlob = resourceRule({
    name: "storage-no-public-blob-access",
    description:
        "No anonymous blob access: the account sets allowBlobPublicAccess false and no container is public, because the DB " +
        "dumps live in a container. Anchors: Azure Policy 4fa4b6c0-31ca-4c0d-b10d-24b96f62a751, checkov CKV_AZURE_190, trivy " +
        "AZU-0007, PSRule Azure.Storage.BlobPublicAccess (AZR-000198) / Azure.Storage.BlobAccessType (AZR-000199). Known at preview.",
    types: [T.storageAccount, T.blobContainer],
    severity: "critical",
    validate: (props, args, _cfg, report) => {
        if (args.type === T.blobContainer) {
            if (has(props, "publicAccess") && !same(props.publicAccess, "None")) {
                report(`publicAccess is ${JSON.stringify(props.publicAccess)}; it must be "None".`);
            }
            return;
        }
        if (props.allowBlobPublicAccess !== false) {
            report(`allowBlobPublicAccess is ${JSON.stringify(props.allowBlobPublicAccess ?? "unset")}; it must be false.`);
        }
    },
});

export const storageNetworkDeny = resourceRule({
    name: "storage-account-network-deny-by-default",
    description:
        "The storage account's firewall denies by default and lets in only the VNet (and trusted Azure services for backup), " +
        "so the share and dumps are not reachable from the Internet with a leaked key. Anchors: Azure Policy " +
        "34c877ad-507e-4c82-993e-3452a6e0ad3c, checkov CKV_AZURE_35, trivy AZU-0012, PSRule Azure.Storage.Firewall (AZR-000202). Known at preview.",
    types: [T.storageAccount],
    validate: (acct, _args, _cfg, report) => {
        const action = acct.networkRuleSet?.defaultAction;
        if (!same(action, "Deny")) {
            report(`networkRuleSet.defaultAction is ${JSON.stringify(action ?? "unset (Allow)")}; it must be "Deny".`);
        }
    },
});

const COMMAND_TYPES = [T.remoteCommand, T.localCommand];
const SECRET_ENV_NAME = /(PASS|PWD|SECRET|TOKEN|PRIVATE_?KEY|ACCOUNT_?KEY|SAS|CREDENTIAL)/i;

export const commandSecretsNotLogged = resourceRule({
    name: "command-secrets-not-logged",
    description:
        "A command that receives a secret (through `stdin`, a secret-named environment variable, or whose stdout/stderr are " +
        "declared secret outputs) sets `logging: \"none\"`, because @pulumi/command streams logs into the engine's diagnostics " +
        "in clear text. The analyzer protocol does not show which inputs were secret-marked, so these three signals stand in " +
        "for it. No anchor (custom). Known at preview.",
    types: COMMAND_TYPES,
    severity: "critical",
    validate: (cmd, args, _cfg, report) => {
        const reasons: string[] = [];
        if (has(cmd, "stdin")) {
            reasons.push("it receives stdin");
        }
        // The environment may be one unknown Output at preview (built from computed addresses):
        // then only stdin and the secret outputs can tell, and the rule still runs.
        const envKeys = tryRead(() => Object.keys(has(cmd, "environment") ? cmd.environment : {}));
        const secretEnv = (envKeys.known && Array.isArray(envKeys.value) ? envKeys.value : []).filter((k: string) => SECRET_ENV_NAME.test(k));
        if (secretEnv.length > 0) {
            reasons.push(`its environment has ${secretEnv.join(", ")}`);
        }
        const secretOutputs = args.opts.additionalSecretOutputs.filter((o) => o === "stdout" || o === "stderr");
        if (secretOutputs.length > 0) {
            reasons.push(`${secretOutputs.join(" and ")} are secret outputs`);
        }
        if (reasons.length > 0 && !same(cmd.logging, "none")) {
            report(`logging is ${JSON.stringify(cmd.logging ?? "unset (stdoutAndStderr)")} but ${reasons.join("; ")}; set logging: "none".`);
        }
    },
});

/** What a plain-text secret looks like; each name is what the message shows instead of the value. */
export const SECRET_PATTERNS: { what: string; re: RegExp }[] = [
    { what: "a PEM private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { what: "a password assignment", re: /\b(?:password|passwd|pwd)\s*[=:]\s*["']?(?![$<{%"'\s])[^\s"';&|]{3,}/i },
    { what: "a storage account key", re: /AccountKey=[A-Za-z0-9+/]{16,}/ },
    { what: "a SAS signature", re: /\bsig=[A-Za-z0-9%+/]{16,}/ },
    { what: "a MySQL password on the command line", re: /\bmysql(?:dump|admin|import|check)?\b[^\n;|&]*?\s-p(?![\s"']|["']?\$)\S+/ },
    { what: "an AWS access key id", re: /\bAKIA[0-9A-Z]{16}\b/ },
    { what: "an sshpass password", re: /\bsshpass\s+-p\s*\S+/ },
];

export function secretKinds(text: string): string[] {
    return SECRET_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what);
}

/** Raw object behind the unknown-checking proxy (a proxied Promise can't be awaited). */
function unproxied<V>(v: V): V {
    const target = (v as Record<string, unknown> | undefined)?.["__getSpecialProxyTarget"];
    return (target ?? v) as V;
}

/** The texts a resource carries that end up in process listings, logs or state, keyed by where they are. */
async function plainTexts(props: Record<string, any>, type: string): Promise<{ where: string; text: string | undefined }[]> {
    const out: { where: string; text: string | undefined }[] = [];
    const read = (where: string, fn: () => unknown) => {
        const r = tryRead(fn);
        out.push({ where, text: r.known && typeof r.value === "string" ? r.value : undefined });
    };
    if (type === T.vm) {
        const data = tryRead(() => props.osProfile?.customData);
        if (data.known && typeof data.value === "string") {
            out.push({ where: "osProfile.customData", text: Buffer.from(data.value, "base64").toString("utf8") });
        }
        return out;
    }
    if (type === T.copyToRemote) {
        const source = tryRead(() => props.source);
        const asset = source.known ? unproxied(source.value) : undefined;
        if (asset && typeof asset === "object" && "text" in asset) {
            const text = await Promise.resolve((asset as { text: unknown }).text);
            out.push({ where: "source (StringAsset)", text: typeof text === "string" ? text : undefined });
        }
        return out;
    }
    for (const field of ["create", "update", "delete"]) {
        if (has(props, field)) {
            read(field, () => props[field]);
        }
    }
    const env = tryRead(() => (has(props, "environment") ? Object.keys(props.environment) : []));
    for (const k of env.known ? env.value : []) {
        read(`environment.${k}`, () => props.environment[k]);
    }
    return out;
}

export const noPlainTextSecrets = resourceRule({
    name: "no-plain-text-secrets",
    description:
        "Command text (`create`/`update`/`delete`), command environment values, copied StringAssets and VM customData carry " +
        "no secret-looking value (PEM private key, `password=…`, `AccountKey=…`, SAS `sig=…`, `mysql -p<x>`, AWS key id) and " +
        "no secret-named environment variable: these land in state, process listings and logs. Secrets go through `stdin` or a " +
        "mode-600 file. Anchors: checkov CKV_AZURE_45 and trivy AZU-0037 (secrets in customData); the command part is custom. " +
        "Text that is unknown at preview (it interpolates a computed value) is skipped then and scanned at `up`.",
    types: [...COMMAND_TYPES, T.copyToRemote, T.vm],
    severity: "critical",
    validate: async (props, args, _cfg, report) => {
        for (const { where, text } of await plainTexts(props, args.type)) {
            if (where.startsWith("environment.") && SECRET_ENV_NAME.test(where.slice("environment.".length))) {
                report(`${where} passes a secret through the environment; send it on stdin instead.`);
                continue;
            }
            const kinds = text === undefined ? [] : secretKinds(text);
            if (kinds.length > 0) {
                report(`${where} contains what looks like ${kinds.join(" and ")}; pass it on stdin or in a mode-600 file.`);
            }
        }
    },
});

export const securityPolicies = [
    nsgRestrictedPorts,
    vmSshKeyOnly,
    nicNoPublicIp,
    mysqlPrivateOnly,
    mysqlSecureTransport,
    storageSecureTransport,
    storageNoPublicBlob,
    storageNetworkDeny,
    commandSecretsNotLogged,
    noPlainTextSecrets,
];
