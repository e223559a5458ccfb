/**
 * The one place stack configuration is read. Every key is validated here, before any resource
 * is registered, and every problem is reported at once with the key's name and what is allowed.
 * Defaults live in DEFAULTS below; Pulumi.yaml declares the same defaults for `pulumi config`
 * users (test/config.spec.ts keeps the two in step).
 */
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "redmine";

export const CUTOVER_PHASES = ["prepare", "freeze", "switch", "complete"] as const;
export type CutoverPhase = (typeof CUTOVER_PHASES)[number];

export const HA_MODES = ["ZoneRedundant", "SameZone", "Disabled"] as const;
export const DB_TIERS = ["Burstable", "GeneralPurpose", "MemoryOptimized"] as const;
/** Replication SKUs a StorageV2 account can use for Azure Files shares (no RA-*: Files has no readable secondary). */
export const FILES_SKUS = ["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"] as const;
export const VAULT_REDUNDANCIES = ["GeoRedundant", "ZoneRedundant", "LocallyRedundant"] as const;
export const AZ_ZONES = ["1", "2", "3"] as const;

export interface ImageReference { publisher: string; offer: string; sku: string; version: string }

export interface WebConfig {
    count: number;
    vmSize: string;
    zones: string[];
    adminUser: string;
    image: ImageReference;
    osDiskType: string;
    /** Frontend port of node 1's SSH NAT rule; node i gets sshPortBase + i - 1. */
    sshPortBase: number;
}

export interface DbConfig {
    skuName: string;
    tier: (typeof DB_TIERS)[number];
    storageGb: number;
    haMode: (typeof HA_MODES)[number];
    zone: string;
    standbyZone: string;
    backupRetentionDays: number;
    geoRedundantBackup: boolean;
    adminUser: string;
}

export interface FilesConfig { sku: (typeof FILES_SKUS)[number]; quotaGb: number; softDeleteDays: number }

export interface BackupConfig {
    vaultRedundancy: (typeof VAULT_REDUNDANCIES)[number];
    retentionDays: number;
    /** UTC time of the daily file-share backup and of the nightly logical dump, HH:MM. */
    time: string;
    dumpRetentionDays: number;
}

export interface AppConfig {
    thinWorkers: number;
    maxUploadMb: number;
    downloadBaseUrl?: string;
    /** IANA zone of the node clocks. Redmine 2.6 stores local times, so it must be the legacy server's. */
    timeZone: string;
}

export interface SmtpConfig { host: string; port: number; user?: string; from: string }

export interface LegacyConfig {
    instanceId: string;
    region: string;
    sshHost: string;
    sshUser: string;
    redmineRoot: string;
    dbName: string;
    dbUser: string;
    /** EBS volumes to snapshot; default: the root volume (the program checks nothing else is attached). */
    volumeIds?: string[];
    /** The legacy sshd's public host key ("ssh-rsa AAAA..."): pins it; without it the first connection is trusted. */
    hostKey?: string;
}

export interface DnsConfig {
    zoneId: string;
    recordName: string;
    roleArn: string;
    region: string;
    cutoverTtl: number;
    normalTtl: number;
    /**
     * The address the record holds today (`dig +short <record>`). Stated, not looked up: the
     * first `up` adopts the record and writes this value back, so a wrong guess would move
     * production DNS in prepare.
     */
    legacyAddress: string;
}

export interface NoticeConfig { freezeStart?: string; freezeMinutes: number; contact?: string }

export interface Secrets {
    sshPrivateKey: pulumi.Output<string>;
    dbAdminPassword: pulumi.Output<string>;
    secretToken: pulumi.Output<string>;
    tlsPrivateKey?: pulumi.Output<string>;
    smtpPassword?: pulumi.Output<string>;
    legacySshPrivateKey?: pulumi.Output<string>;
    legacyDbPassword?: pulumi.Output<string>;
    dnsExternalId?: pulumi.Output<string>;
    /** Legacy configuration.yml's database_cipher_key (encrypts SCM/LDAP passwords in the DB); copy it exactly. */
    databaseCipherKey?: pulumi.Output<string>;
}

export interface RedmineConfig {
    stack: string;
    location: string;
    hostname: string;
    tags: Record<string, string>;
    web: WebConfig;
    adminCidrs: string[];
    sshPublicKey: string;
    db: DbConfig;
    files: FilesConfig;
    backup: BackupConfig;
    app: AppConfig;
    smtp?: SmtpConfig;
    tlsCertificate?: string;
    cutover: CutoverPhase;
    allowRollbackFromSwitch: boolean;
    /** Protect the database, storage account, share and vault from deletion. */
    protectData: boolean;
    legacy?: LegacyConfig;
    dns?: DnsConfig;
    notice: NoticeConfig;
    secrets: Secrets;
}

export const DEFAULTS = {
    web: {
        count: 2,
        vmSize: "Standard_D2s_v5",
        zones: ["1", "2", "3"],
        adminUser: "redmineadmin",
        image: { publisher: "OpenLogic", offer: "CentOS", sku: "7_9", version: "latest" },
        osDiskType: "Premium_LRS",
        sshPortBase: 50001,
    },
    db: {
        skuName: "Standard_D2ds_v4",
        tier: "GeneralPurpose",
        storageGb: 64,
        haMode: "ZoneRedundant",
        zone: "1",
        standbyZone: "2",
        backupRetentionDays: 35,
        geoRedundantBackup: true,
        adminUser: "redmineadmin",
    },
    files: { sku: "Standard_ZRS", quotaGb: 100, softDeleteDays: 14 },
    backup: { vaultRedundancy: "GeoRedundant", retentionDays: 30, time: "17:00", dumpRetentionDays: 30 },
    app: { thinWorkers: 2, maxUploadMb: 20, timeZone: "UTC" },
    dns: { region: "us-east-1", cutoverTtl: 60, normalTtl: 3600 },
    notice: { freezeMinutes: 60 },
    cutover: "prepare",
    allowRollbackFromSwitch: false,
    protectData: true,
    tags: {},
} as const;

/** Thrown with every problem found, so one `pulumi preview` shows them all. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** Where raw values come from; `pulumi.Config` in the program, a plain map in unit tests. */
export interface ConfigSource {
    /** Plain value of `<project>:<key>` as the engine stores it (objects as JSON text). */
    get(key: string): string | undefined;
    /** Secret value, or undefined when unset. */
    getSecret(key: string): pulumi.Output<string> | undefined;
    /** Provider configuration such as `azure-native:location`. */
    getProvider(namespacedKey: string): string | undefined;
}

export function pulumiConfigSource(): ConfigSource {
    const cfg = new pulumi.Config(PROJECT);
    return {
        get: (key) => cfg.get(key),
        getSecret: (key) => cfg.getSecret(key),
        getProvider: (namespacedKey) => {
            const [ns, key] = namespacedKey.split(":");
            return new pulumi.Config(ns).get(key);
        },
    };
}

/** Reads and validates the whole stack configuration. Throws ConfigError listing every problem. */
export function loadConfig(source: ConfigSource = pulumiConfigSource(), stack = pulumi.getStack()): RedmineConfig {
    const r = new Reader(source);

    const location = source.getProvider("azure-native:location");
    if (!location) r.problem("azure-native:location is not set: set it in Pulumi.<stack>.yaml (e.g. japaneast)");

    const webRaw = r.object("web");
    const web: WebConfig = {
        count: r.int("web.count", webRaw.count, DEFAULTS.web.count, 2, 100, "at least 2 (redundancy)"),
        vmSize: r.str("web.vmSize", webRaw.vmSize, DEFAULTS.web.vmSize, /^Standard_[A-Za-z0-9_]+$/, "an Azure VM size such as Standard_D2s_v5"),
        zones: r.zones("web.zones", webRaw.zones, [...DEFAULTS.web.zones]),
        adminUser: r.str("web.adminUser", webRaw.adminUser, DEFAULTS.web.adminUser, /^[a-z_][a-z0-9_-]{0,31}$/, "a Linux user name (lower case, not root)"),
        image: r.image("web.image", webRaw.image),
        osDiskType: r.oneOf("web.osDiskType", webRaw.osDiskType, DEFAULTS.web.osDiskType, ["Premium_LRS", "Premium_ZRS", "StandardSSD_LRS", "StandardSSD_ZRS"]),
        sshPortBase: r.int("web.sshPortBase", webRaw.sshPortBase, DEFAULTS.web.sshPortBase, 1024, 65000, "a port from 1024 to 65000"),
    };
    if (web.adminUser === "root" || web.adminUser === "admin") r.problem(`web.adminUser: "${web.adminUser}" is reserved by Azure; choose another name`);

    const adminCidrs = r.cidrs("adminCidrs");
    const sshPublicKey = r.str("sshPublicKey", r.raw("sshPublicKey"), undefined, /^(ssh-rsa|ecdsa-sha2-nistp256|ssh-ed25519) AAAA[0-9A-Za-z+/=]+( .*)?$/, "an OpenSSH public key line (ssh-rsa AAAA...)");

    const dbRaw = r.object("db");
    const db: DbConfig = {
        skuName: r.str("db.skuName", dbRaw.skuName, DEFAULTS.db.skuName, /^Standard_[A-Za-z0-9_]+$/, "a MySQL Flexible Server SKU such as Standard_D2ds_v4"),
        tier: r.oneOf("db.tier", dbRaw.tier, DEFAULTS.db.tier, DB_TIERS),
        storageGb: r.int("db.storageGb", dbRaw.storageGb, DEFAULTS.db.storageGb, 20, 16384, "20 to 16384"),
        haMode: r.oneOf("db.haMode", dbRaw.haMode, DEFAULTS.db.haMode, HA_MODES),
        zone: r.oneOf("db.zone", dbRaw.zone, DEFAULTS.db.zone, AZ_ZONES),
        standbyZone: r.oneOf("db.standbyZone", dbRaw.standbyZone, DEFAULTS.db.standbyZone, AZ_ZONES),
        backupRetentionDays: r.int("db.backupRetentionDays", dbRaw.backupRetentionDays, DEFAULTS.db.backupRetentionDays, 1, 35, "1 to 35 (Azure's limit)"),
        geoRedundantBackup: r.bool("db.geoRedundantBackup", dbRaw.geoRedundantBackup, DEFAULTS.db.geoRedundantBackup),
        adminUser: r.str("db.adminUser", dbRaw.adminUser, DEFAULTS.db.adminUser, /^[a-z][a-z0-9_]{0,31}$/, "a MySQL user name (not admin, root, azure_superuser)"),
    };
    if (["admin", "root", "azure_superuser", "administrator", "sa"].includes(db.adminUser)) r.problem(`db.adminUser: "${db.adminUser}" is reserved by Azure MySQL`);
    if (db.tier === "Burstable" && db.haMode !== "Disabled") r.problem(`db.haMode: "${db.haMode}" needs tier GeneralPurpose or MemoryOptimized; Burstable has no high availability (use haMode Disabled or another tier)`);
    if (db.haMode === "ZoneRedundant" && db.zone === db.standbyZone) r.problem(`db.standbyZone: must differ from db.zone ("${db.zone}") when haMode is ZoneRedundant`);

    const filesRaw = r.object("files");
    const files: FilesConfig = {
        sku: r.oneOf("files.sku", filesRaw.sku, DEFAULTS.files.sku, FILES_SKUS, "Azure Files on a StorageV2 account"),
        quotaGb: r.int("files.quotaGb", filesRaw.quotaGb, DEFAULTS.files.quotaGb, 1, 5120, "1 to 5120 GiB"),
        softDeleteDays: r.int("files.softDeleteDays", filesRaw.softDeleteDays, DEFAULTS.files.softDeleteDays, 1, 365, "1 to 365"),
    };

    const backupRaw = r.object("backup");
    const backup: BackupConfig = {
        vaultRedundancy: r.oneOf("backup.vaultRedundancy", backupRaw.vaultRedundancy, DEFAULTS.backup.vaultRedundancy, VAULT_REDUNDANCIES),
        retentionDays: r.int("backup.retentionDays", backupRaw.retentionDays, DEFAULTS.backup.retentionDays, 1, 200, "1 to 200 (daily file-share recovery points)"),
        time: r.str("backup.time", backupRaw.time, DEFAULTS.backup.time, /^([01]\d|2[0-3]):[03]0$/, "HH:00 or HH:30, UTC (Azure Backup schedules on the half hour)"),
        dumpRetentionDays: r.int("backup.dumpRetentionDays", backupRaw.dumpRetentionDays, DEFAULTS.backup.dumpRetentionDays, 1, 3650, "1 to 3650"),
    };

    const appRaw = r.object("app");
    const app: AppConfig = {
        thinWorkers: r.int("app.thinWorkers", appRaw.thinWorkers, DEFAULTS.app.thinWorkers, 1, 16, "1 to 16"),
        maxUploadMb: r.int("app.maxUploadMb", appRaw.maxUploadMb, DEFAULTS.app.maxUploadMb, 1, 2048, "1 to 2048"),
        timeZone: r.str("app.timeZone", appRaw.timeZone, DEFAULTS.app.timeZone, /^(UTC|[A-Z][A-Za-z_-]+(\/[A-Za-z0-9_+-]+){1,2})$/, "an IANA time zone such as Asia/Tokyo: the legacy server's (date +%Z there)"),
        downloadBaseUrl: appRaw.downloadBaseUrl === undefined ? undefined : r.str("app.downloadBaseUrl", appRaw.downloadBaseUrl, undefined, /^https:\/\/[^\s]+[^/]$/, "an https URL without a trailing slash"),
    };

    const hostname = r.str("hostname", r.raw("hostname"), undefined, /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case DNS name such as redmine.example.com");
    const tags = r.tags("tags");

    const smtpRaw = r.optionalObject("smtp");
    const smtp: SmtpConfig | undefined = smtpRaw && {
        host: r.str("smtp.host", smtpRaw.host, undefined, /^[a-z0-9.-]+$/i, "a host name"),
        port: r.int("smtp.port", smtpRaw.port, 587, 1, 65535, "a TCP port (587 is the usual relay port; 25 is blocked on Azure)"),
        user: smtpRaw.user === undefined ? undefined : r.str("smtp.user", smtpRaw.user, undefined, /^\S+$/, "a user name"),
        from: r.str("smtp.from", smtpRaw.from, undefined, /^[^@\s]+@[^@\s]+$/, "an email address"),
    };

    const tlsCertificate = r.raw("tlsCertificate");
    if (tlsCertificate !== undefined && !/^-----BEGIN CERTIFICATE-----/.test(tlsCertificate)) r.problem("tlsCertificate: must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
    const tlsPrivateKey = source.getSecret("tlsPrivateKey");
    if ((tlsCertificate === undefined) !== (tlsPrivateKey === undefined)) r.problem("tlsCertificate and tlsPrivateKey: set both (HTTPS on 443) or neither (HTTP on 80 only)");

    const cutover = r.oneOf("cutover", r.raw("cutover"), DEFAULTS.cutover, CUTOVER_PHASES);
    const allowRollbackFromSwitch = r.bool("allowRollbackFromSwitch", r.raw("allowRollbackFromSwitch"), DEFAULTS.allowRollbackFromSwitch);
    const protectData = r.bool("protectData", r.raw("protectData"), DEFAULTS.protectData);

    const legacyRaw = r.optionalObject("legacy");
    const legacy: LegacyConfig | undefined = legacyRaw && {
        instanceId: r.str("legacy.instanceId", legacyRaw.instanceId, undefined, /^i-[0-9a-f]{8}([0-9a-f]{9})?$/, "an EC2 instance id (i-0123456789abcdef0)"),
        region: r.str("legacy.region", legacyRaw.region, undefined, /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as ap-northeast-1"),
        sshHost: r.str("legacy.sshHost", legacyRaw.sshHost, undefined, /^[A-Za-z0-9.-]+$/, "a host name or IPv4 address"),
        sshUser: r.str("legacy.sshUser", legacyRaw.sshUser, "root", /^[a-z_][a-z0-9_-]*$/, "a Linux user name"),
        redmineRoot: r.str("legacy.redmineRoot", legacyRaw.redmineRoot, "/var/www/redmine", /^\/[^\s]*$/, "an absolute path"),
        dbName: r.str("legacy.dbName", legacyRaw.dbName, "redmine", /^[A-Za-z0-9_]+$/, "a MySQL database name"),
        dbUser: r.str("legacy.dbUser", legacyRaw.dbUser, "redmine", /^[A-Za-z0-9_]+$/, "a MySQL user name"),
        hostKey: legacyRaw.hostKey === undefined ? undefined : r.str("legacy.hostKey", legacyRaw.hostKey, undefined, /^(ssh-rsa|ssh-dss|ecdsa-sha2-nistp256) AAAA[0-9A-Za-z+/=]+$/, "the legacy sshd's public host key (ssh-keyscan -t rsa <host> | cut -d' ' -f2-)"),
        volumeIds: legacyRaw.volumeIds === undefined ? undefined : r.list("legacy.volumeIds", legacyRaw.volumeIds, /^vol-[0-9a-f]{8}([0-9a-f]{9})?$/, "EBS volume ids (vol-0123456789abcdef0)"),
    };

    const dnsRaw = r.optionalObject("dns");
    const dns: DnsConfig | undefined = dnsRaw && {
        zoneId: r.str("dns.zoneId", dnsRaw.zoneId, undefined, /^Z[A-Z0-9]{4,31}$/, "a Route 53 hosted zone id (Z...)"),
        recordName: r.str("dns.recordName", dnsRaw.recordName, undefined, /^([a-z0-9-]+\.)+[a-z]{2,63}\.?$/, "a DNS name in that zone"),
        roleArn: r.str("dns.roleArn", dnsRaw.roleArn, undefined, /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN (arn:aws:iam::123456789012:role/name)"),
        region: r.str("dns.region", dnsRaw.region, DEFAULTS.dns.region, /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region"),
        cutoverTtl: r.int("dns.cutoverTtl", dnsRaw.cutoverTtl, DEFAULTS.dns.cutoverTtl, 30, 300, "30 to 300 seconds"),
        normalTtl: r.int("dns.normalTtl", dnsRaw.normalTtl, DEFAULTS.dns.normalTtl, 60, 172800, "60 to 172800 seconds"),
        legacyAddress: r.str("dns.legacyAddress", dnsRaw.legacyAddress, undefined, IPV4, "the IPv4 address the record holds today (dig +short <recordName>)"),
    };
    if (dns && hostname && dns.recordName.replace(/\.$/, "") !== hostname) r.problem(`dns.recordName: "${dns.recordName}" must be the Redmine hostname "${hostname}"`);

    const noticeRaw = r.optionalObject("notice") ?? {};
    const notice: NoticeConfig = {
        freezeStart: noticeRaw.freezeStart === undefined ? undefined : r.str("notice.freezeStart", noticeRaw.freezeStart, undefined, /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d)$/, "an ISO 8601 time with zone, e.g. 2027-01-16T22:00+09:00"),
        freezeMinutes: r.int("notice.freezeMinutes", noticeRaw.freezeMinutes, DEFAULTS.notice.freezeMinutes, 5, 1440, "5 to 1440"),
        contact: noticeRaw.contact === undefined ? undefined : r.str("notice.contact", noticeRaw.contact, undefined, /^.{3,200}$/, "a short contact line"),
    };

    if (cutover !== "prepare" && !legacy) r.problem(`cutover: "${cutover}" needs the legacy server (set legacy.*)`);
    if ((cutover === "switch" || cutover === "complete") && !dns) r.problem(`cutover: "${cutover}" needs dns.* to point the record at Azure`);

    const secrets: Secrets = {
        sshPrivateKey: r.secret("sshPrivateKey"),
        dbAdminPassword: r.secret("dbAdminPassword"),
        secretToken: r.secret("secretToken"),
        tlsPrivateKey,
        smtpPassword: smtp?.user ? r.secret("smtpPassword") : source.getSecret("smtpPassword"),
        legacySshPrivateKey: legacy ? r.secret("legacySshPrivateKey") : undefined,
        legacyDbPassword: legacy ? r.secret("legacyDbPassword") : undefined,
        dnsExternalId: dns ? r.secret("dnsExternalId") : undefined,
        databaseCipherKey: source.getSecret("databaseCipherKey"),
    };

    r.throwIfProblems();
    return {
        stack, location: location!, hostname: hostname!, tags, web, adminCidrs, sshPublicKey: sshPublicKey!, db, files, backup, app, smtp,
        tlsCertificate, cutover, allowRollbackFromSwitch, protectData, legacy, dns, notice, secrets,
    };
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

type RawObject = Record<string, unknown>;

/** Collects problems instead of throwing at the first one. */
class Reader {
    private readonly problems: string[] = [];
    constructor(private readonly source: ConfigSource) {}

    problem(message: string): void { this.problems.push(message); }

    throwIfProblems(): void { if (this.problems.length) throw new ConfigError(this.problems); }

    /** A top-level value: JSON-decoded when it is JSON (numbers, booleans, objects), else the string. */
    raw(key: string): any {
        const text = this.source.get(key);
        if (text === undefined || text === "") return undefined;
        try { return JSON.parse(text); } catch { return text; }
    }

    object(key: string): RawObject { return this.optionalObject(key) ?? {}; }

    optionalObject(key: string): RawObject | undefined {
        const v = this.raw(key);
        if (v === undefined) return undefined;
        // Pulumi.yaml declares optional objects with default {}: empty means "not used".
        if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return undefined;
        if (typeof v !== "object" || v === null || Array.isArray(v)) { this.problem(`${key}: must be an object (set it with pulumi config set --path ${key}.<field> <value>)`); return {}; }
        return v as RawObject;
    }

    int(key: string, v: unknown, dflt: number | undefined, min: number, max: number, allowed: string): number {
        if (v === undefined) {
            if (dflt === undefined) this.problem(`${key}: is required (${allowed})`);
            return dflt ?? min;
        }
        const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
            this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected a whole number, ${allowed}`);
            return dflt ?? min;
        }
        return n;
    }

    bool(key: string, v: unknown, dflt: boolean): boolean {
        if (v === undefined) return dflt;
        if (v === true || v === "true") return true;
        if (v === false || v === "false") return false;
        this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected true or false`);
        return dflt;
    }

    str(key: string, v: unknown, dflt: string | undefined, pattern: RegExp, allowed: string): string {
        if (v === undefined || v === "") {
            if (dflt === undefined) this.problem(`${key}: is required (${allowed})`);
            return dflt ?? "";
        }
        if (typeof v !== "string" || !pattern.test(v)) {
            this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected ${allowed}`);
            return dflt ?? "";
        }
        return v;
    }

    oneOf<T extends string>(key: string, v: unknown, dflt: T | undefined, values: readonly T[], why?: string): T {
        if (v === undefined) {
            if (dflt === undefined) this.problem(`${key}: is required (one of ${values.join(", ")})`);
            return (dflt ?? values[0]) as T;
        }
        if (typeof v !== "string" || !values.includes(v as T)) {
            this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected one of ${values.join(", ")}${why ? ` (${why})` : ""}`);
            return (dflt ?? values[0]) as T;
        }
        return v as T;
    }

    list(key: string, v: unknown, pattern: RegExp, allowed: string): string[] {
        if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string" || !pattern.test(x))) {
            this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected a non-empty list of ${allowed}`);
            return [];
        }
        return v as string[];
    }

    zones(key: string, v: unknown, dflt: string[]): string[] {
        if (v === undefined) return dflt;
        if (!Array.isArray(v) || v.length === 0 || v.some((z) => !AZ_ZONES.includes(String(z) as never)) || new Set(v.map(String)).size !== v.length) {
            this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected a list of distinct availability zones from "1", "2", "3"`);
            return dflt;
        }
        return v.map(String);
    }

    image(key: string, v: unknown): ImageReference {
        const d = DEFAULTS.web.image;
        if (v === undefined) return { ...d };
        if (typeof v !== "object" || v === null) { this.problem(`${key}: must be an object {publisher, offer, sku, version}`); return { ...d }; }
        const o = v as RawObject;
        const part = /^[A-Za-z0-9._-]+$/;
        return {
            publisher: this.str(`${key}.publisher`, o.publisher, d.publisher, part, "a Marketplace publisher"),
            offer: this.str(`${key}.offer`, o.offer, d.offer, part, "a Marketplace offer"),
            sku: this.str(`${key}.sku`, o.sku, d.sku, part, "a Marketplace SKU"),
            version: this.str(`${key}.version`, o.version, d.version, /^(latest|\d+\.\d+\.\d+)$/, "latest or a version such as 7.9.2024071900"),
        };
    }

    cidrs(key: string): string[] {
        const v = this.raw(key);
        if (v === undefined) { this.problem(`${key}: is required: the CIDR ranges allowed to SSH to the nodes, e.g. ["198.51.100.0/24"]`); return []; }
        if (!Array.isArray(v) || v.length === 0) { this.problem(`${key}: ${JSON.stringify(v)} is not allowed; expected a non-empty list of CIDR ranges`); return []; }
        const out: string[] = [];
        for (const c of v) {
            const m = typeof c === "string" ? /^(.+)\/(\d{1,2})$/.exec(c) : null;
            if (!m || !IPV4.test(m[1]) || Number(m[2]) > 32) { this.problem(`${key}: ${JSON.stringify(c)} is not a valid IPv4 CIDR (a.b.c.d/n)`); continue; }
            if (Number(m[2]) === 0) { this.problem(`${key}: ${c} would open SSH to the whole Internet; list the admin networks instead`); continue; }
            out.push(c);
        }
        return out;
    }

    tags(key: string): Record<string, string> {
        const v = this.raw(key);
        if (v === undefined) return {};
        if (typeof v !== "object" || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string")) {
            this.problem(`${key}: must be an object of string values, e.g. {"owner": "ops"}`);
            return {};
        }
        return v as Record<string, string>;
    }

    secret(key: string): pulumi.Output<string> {
        const s = this.source.getSecret(key);
        if (s === undefined) {
            this.problem(`${key}: secret is missing; set it with: pulumi config set --secret ${key} <value>`);
            return pulumi.secret("");
        }
        return s;
    }
}
