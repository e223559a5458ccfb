/**
 * The provisioning steps of a web node and of the rollout, as plain data: which script runs,
 * which rendered files travel with it, which secrets it reads from stdin, what it waits for.
 * Pure (no Pulumi): components/webNodeProvisioning.ts and components/rollout.ts turn each
 * plan into one remote.Command, and tests read the same plans.
 *
 * A step reaches the node as its `create` text: a small shell program that unpacks the step
 * script, provision/lib/common.sh and the rendered files into a private temp directory and
 * runs the script with sudo. So the text shows in `pulumi preview --diff`, and it is the
 * whole input of the step's trigger hash.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    DOWNLOADS, REMOTE, TemplateOverrides, VERSIONS, NODE_NGINX_LAYOUT, SmtpSettings,
    downloadUrl, mountUnitName, renderConfigurationYml, renderCron, renderDatabaseYml, renderGemfileLocal,
    renderLogrotate, renderMountUnit, renderNginxMain, renderNginxSite, renderSecretTokenInitializer,
    renderThinTarget, renderThinUnit, renderTmpfiles, shellEnv, templateText,
} from "./render";

export const PROVISION_DIR = __dirname;

export const NODE_STEPS = ["wait-ssh", "base", "nginx", "ruby", "redmine", "config", "mount", "services"] as const;
export type NodeStepName = (typeof NODE_STEPS)[number];
export type RolloutStepName = "migrate" | "start";
export type StepName = NodeStepName | RolloutStepName | "backup";

export interface StepPlan {
    name: StepName;
    /** Script relative to provision/, e.g. `steps/base.sh`. */
    script: string;
    /** Files shipped next to the script (name → content), always including settings.env. */
    files: Record<string, string>;
    /** Names of the secrets the script reads from stdin (NAME=base64 lines). */
    secrets: string[];
    /** Steps of the same node that must be done first. */
    after: NodeStepName[];
    /** customTimeouts for create/update. */
    timeout: string;
}

/** Plain (non-secret) values that decide what a node's steps do. */
export interface RedmineValues {
    hostname: string;
    thinWorkers: number;
    maxUploadMb: number;
    downloadBaseUrl?: string;
    smtp?: SmtpSettings;
    /** IANA zone of the node clock (Redmine 2.6 stores local times: it must be the legacy one). */
    timeZone?: string;
}

export interface NodeValues {
    index: number;
    redmine: RedmineValues;
    /** Whether a TLS certificate is configured (the PEMs themselves are secrets). */
    tls: boolean;
    smtpPassword: boolean;
    cipherKey: boolean;
    /** Needed by the config step only. */
    database?: { host: string; name: string; user: string };
    /** Needed by the mount step only. */
    files?: { accountName: string; shareName: string };
}

export interface PlanOptions {
    templates?: TemplateOverrides;
}

const STEP_ORDER: Record<NodeStepName, NodeStepName[]> = {
    "wait-ssh": [],
    base: ["wait-ssh"],
    nginx: ["base"],
    ruby: ["base"],
    redmine: ["ruby"],
    config: ["redmine"],
    mount: ["base"],
    services: ["nginx", "config", "mount"],
};

const TIMEOUTS: Record<StepName, string> = {
    "wait-ssh": "20m",
    base: "30m",
    nginx: "10m",
    ruby: "60m",
    redmine: "45m",
    config: "10m",
    mount: "10m",
    services: "10m",
    migrate: "30m",
    start: "15m",
    backup: "10m",
};

/** Checks the settings a step depends on, failing with the name of the bad value. */
export function validateRedmine(r: RedmineValues): void {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(r.hostname)) {
        throw new Error(`redmine.hostname must be a DNS name, got '${r.hostname}'`);
    }
    if (!Number.isInteger(r.thinWorkers) || r.thinWorkers < 1 || r.thinWorkers > 16) {
        throw new Error(`redmine.thinWorkers must be an integer from 1 to 16, got ${r.thinWorkers}`);
    }
    if (!Number.isInteger(r.maxUploadMb) || r.maxUploadMb < 1 || r.maxUploadMb > 4096) {
        throw new Error(`redmine.maxUploadMb must be an integer from 1 to 4096, got ${r.maxUploadMb}`);
    }
    if (r.timeZone !== undefined && !/^(UTC|[A-Z][A-Za-z_-]+(\/[A-Za-z0-9_+-]+){1,2})$/.test(r.timeZone)) {
        throw new Error(`redmine.timeZone must be an IANA zone such as Asia/Tokyo or UTC, got '${r.timeZone}'`);
    }
    if (r.downloadBaseUrl !== undefined && !/^https?:\/\/[^\s'"]+$/.test(r.downloadBaseUrl)) {
        throw new Error(`redmine.downloadBaseUrl must be an http(s) URL, got '${r.downloadBaseUrl}'`);
    }
    if (r.smtp) {
        const plain = /^[A-Za-z0-9._@+-]+$/;
        if (!plain.test(r.smtp.host)) throw new Error(`redmine.smtp.host must be a host name, got '${r.smtp.host}'`);
        if (!Number.isInteger(r.smtp.port) || r.smtp.port < 1 || r.smtp.port > 65535) {
            throw new Error(`redmine.smtp.port must be a TCP port, got ${r.smtp.port}`);
        }
        if (r.smtp.user !== undefined && !plain.test(r.smtp.user)) throw new Error(`redmine.smtp.user has characters a YAML scalar cannot take: '${r.smtp.user}'`);
        if (!plain.test(r.smtp.from)) throw new Error(`redmine.smtp.from must be an email address, got '${r.smtp.from}'`);
    }
}

function requireValue<T>(v: T | undefined, what: string): T {
    if (v === undefined) {
        throw new Error(`${what} is required for this step`);
    }
    return v;
}

export type StepShape = Pick<StepPlan, "name" | "script" | "secrets" | "after" | "timeout">;

/**
 * What a node step is, without its files: script, secrets, predecessors, timeout. Needs no
 * Output values, so the component can wire stdin and dependsOn before any host is known.
 */
export function nodeStepShape(name: NodeStepName, v: Pick<NodeValues, "tls" | "smtpPassword" | "cipherKey" | "redmine">): StepShape {
    let secrets: string[] = [];
    if (name === "nginx" && v.tls) secrets = ["TLS_CERTIFICATE", "TLS_PRIVATE_KEY"];
    if (name === "mount") secrets = ["STORAGE_KEY"];
    if (name === "config") {
        secrets = ["DB_PASSWORD", "SECRET_TOKEN"];
        if (v.smtpPassword && v.redmine.smtp !== undefined) secrets.push("SMTP_PASSWORD");
        if (v.cipherKey) secrets.push("DATABASE_CIPHER_KEY");
    }
    return { name, script: `steps/${name}.sh`, secrets, after: STEP_ORDER[name], timeout: TIMEOUTS[name] };
}

function plan(name: StepName, files: Record<string, string>, settings: Record<string, string | number>, secrets: string[] = []): StepPlan {
    return {
        name,
        script: `steps/${name}.sh`,
        files: { "settings.env": shellEnv(settings), ...files },
        secrets,
        after: name === "migrate" || name === "start" || name === "backup" ? [] : STEP_ORDER[name],
        timeout: TIMEOUTS[name],
    };
}

/** The plan of one step of a node. Only the config and mount steps need Output values. */
export function planNodeStep(name: NodeStepName, v: NodeValues, opts: PlanOptions = {}): StepPlan {
    const t = opts.templates;
    const r = v.redmine;
    validateRedmine(r);
    if (!Number.isInteger(v.index) || v.index < 1) {
        throw new Error(`index must be a 1-based node number, got ${v.index}`);
    }
    switch (name) {
        case "wait-ssh":
            return plan(name, {}, {});
        case "base":
            // The MySQL CA bundle is a system file the data migration needs long before Redmine exists.
            return plan(name, { "CentOS-Base.repo": templateText("yumBase", t), "epel.repo": templateText("yumEpel", t), "azure-mysql-ca.pem": templateText("mysqlCaBundle", t) }, {
                REDMINE_DIR: REMOTE.redmineDir,
                SOCKET_DIR: REMOTE.socketDir,
                MYSQL_CA_BUNDLE: REMOTE.mysqlCaBundle,
                ...(r.timeZone ? { TIMEZONE: r.timeZone } : {}),
            });
        case "nginx":
            return plan(
                name,
                {
                    "nginx.conf": renderNginxMain(NODE_NGINX_LAYOUT, t),
                    "redmine.conf": renderNginxSite({ hostname: r.hostname, thinWorkers: r.thinWorkers, maxUploadMb: r.maxUploadMb, tls: v.tls }, NODE_NGINX_LAYOUT, t),
                },
                { TLS_ENABLED: v.tls ? 1 : 0, TLS_DIR: REMOTE.tlsDir },
                nodeStepShape(name, v).secrets,
            );
        case "ruby":
            return plan(name, {}, {
                RUBY_VERSION: VERSIONS.ruby,
                RUBY_PREFIX: REMOTE.rubyPrefix,
                RUBY_BUILD_VERSION: VERSIONS.rubyBuild,
                RUBY_BUILD_PREFIX: REMOTE.rubyBuildPrefix,
                RUBY_BUILD_FILE: DOWNLOADS.rubyBuild.file,
                RUBY_BUILD_URL: downloadUrl(DOWNLOADS.rubyBuild, r.downloadBaseUrl),
                RUBY_BUILD_CHECKSUM: DOWNLOADS.rubyBuild.checksum,
                RUBY_FILE: DOWNLOADS.ruby.file,
                RUBY_URL: downloadUrl(DOWNLOADS.ruby, r.downloadBaseUrl),
                RUBY_CHECKSUM: DOWNLOADS.ruby.checksum,
                BUNDLER_VERSION: VERSIONS.bundler,
            });
        case "redmine":
            return plan(
                name,
                {
                    "Gemfile.local": renderGemfileLocal(t),
                    "bundle-config": templateText("bundleConfig", t),
                    "database.placeholder.yml": templateText("databasePlaceholderYml", t),
                },
                {
                    REDMINE_VERSION: VERSIONS.redmine,
                    REDMINE_DIR: REMOTE.redmineDir,
                    REDMINE_FILE: DOWNLOADS.redmine.file,
                    REDMINE_URL: downloadUrl(DOWNLOADS.redmine, r.downloadBaseUrl),
                    REDMINE_CHECKSUM: DOWNLOADS.redmine.checksum,
                    RUBY_PREFIX: REMOTE.rubyPrefix,
                    MYSQL2_VERSION: VERSIONS.mysql2,
                },
            );
        case "config": {
            const db = requireValue(v.database, "database (host, name, user)");
            const smtpPassword = v.smtpPassword && r.smtp !== undefined;
            if (!/^[A-Za-z0-9.-]+$/.test(db.host)) throw new Error(`database.host must be a host name, got '${db.host}'`);
            if (!/^[A-Za-z0-9_]+$/.test(db.name)) throw new Error(`database.name must be a plain identifier, got '${db.name}'`);
            if (!/^[A-Za-z0-9_.@-]+$/.test(db.user)) throw new Error(`database.user must be a plain user name, got '${db.user}'`);
            return plan(
                name,
                {
                    "database.yml": renderDatabaseYml(db, t),
                    "configuration.yml": renderConfigurationYml({ hostname: r.hostname, smtp: r.smtp, smtpPassword, cipherKey: v.cipherKey }, t),
                    "abstract_mysql2_adapter.rb": templateText("primaryKeyInitializer", t),
                    "secret_token.rb": renderSecretTokenInitializer(t),
                },
                {
                    REDMINE_DIR: REMOTE.redmineDir,
                    SECRETS_DIR: REMOTE.secretsDir,
                    THIN_WORKERS_FILE: REMOTE.thinWorkersFile,
                    SMTP_PASSWORD_ENABLED: smtpPassword ? 1 : 0,
                    CIPHER_KEY_ENABLED: v.cipherKey ? 1 : 0,
                },
                nodeStepShape(name, v).secrets,
            );
        }
        case "mount": {
            const share = requireValue(v.files, "files (accountName, shareName)");
            const unit = mountUnitName(REMOTE.attachmentsDir);
            return plan(name, { [unit]: renderMountUnit(share, REMOTE.attachmentsDir, t) }, {
                STORAGE_ACCOUNT: share.accountName,
                MOUNT_POINT: REMOTE.attachmentsDir,
                MOUNT_UNIT_FILE: unit,
                SMB_CREDENTIALS_DIR: REMOTE.smbCredentialsDir,
            }, nodeStepShape(name, v).secrets);
        }
        case "services": {
            const singleton = v.index === 1;
            const files: Record<string, string> = {
                "redmine-thin@.service": renderThinUnit(undefined, t),
                "redmine-thin.target": renderThinTarget(t),
                "redmine-tmpfiles.conf": renderTmpfiles(t),
                "logrotate-redmine": renderLogrotate(t),
            };
            if (singleton) {
                files["cron-redmine"] = renderCron(t);
            }
            return plan(name, files, {
                THIN_WORKERS: r.thinWorkers,
                THIN_WORKERS_FILE: REMOTE.thinWorkersFile,
                SOCKET_DIR: REMOTE.socketDir,
                SINGLETON_JOBS: singleton ? 1 : 0,
            });
        }
    }
}

/** All steps of a node, in an order that respects `after`. */
export function planNodeSteps(v: NodeValues, opts: PlanOptions = {}): StepPlan[] {
    return NODE_STEPS.map(name => planNodeStep(name, v, opts));
}

export function planMigrate(opts: { maxUploadMb?: number; mailFrom?: string } = {}): StepPlan {
    const settings: Record<string, string | number> = {
        REDMINE_DIR: REMOTE.redmineDir,
        RUBY_PREFIX: REMOTE.rubyPrefix,
    };
    if (opts.maxUploadMb !== undefined) {
        if (!Number.isInteger(opts.maxUploadMb) || opts.maxUploadMb < 1) {
            throw new Error(`maxUploadMb must be a positive integer, got ${opts.maxUploadMb}`);
        }
        settings.ATTACHMENT_MAX_SIZE_KB = opts.maxUploadMb * 1024;
    }
    if (opts.mailFrom !== undefined) {
        if (!/^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$/.test(opts.mailFrom)) {
            throw new Error(`mailFrom must be an email address, got '${opts.mailFrom}'`);
        }
        settings.MAIL_FROM = opts.mailFrom;
    }
    return plan("migrate", {}, settings);
}

export function planStart(): StepPlan {
    return plan("start", {}, {
        THIN_WORKERS_FILE: REMOTE.thinWorkersFile,
        RUBY_PREFIX: REMOTE.rubyPrefix,
        SOCKET_DIR: REMOTE.socketDir,
        HTTP_PORT: NODE_NGINX_LAYOUT.httpPort,
        WORKER_TIMEOUT: 120,
        HEALTH_TIMEOUT: 180,
    });
}

/** Plain values of the nightly logical dump on node 1 (provision/migration/nightly-backup.sh). */
export interface BackupValues {
    dbHost: string;
    dbName: string;
    dbUser: string;
    /** https://<account>.blob.core.windows.net/<container> */
    containerUrl: string;
    /** UTC time of day, HH:MM. */
    time: string;
}

/** The scripts of provision/migration/ that the nightly dump and its restore need on node 1. */
export const BACKUP_SCRIPTS = ["lib.sh", "dump.sh", "restore.sh", "verify.sh", "nightly-backup.sh", "restore-backup.sh"] as const;

/** What the backup step is, before its Output values are known (for the command's options). */
export function backupStepShape(): StepShape {
    const { name, script, secrets, after, timeout } = plan("backup", {}, {}, ["DB_PASSWORD", "BACKUP_SAS"]);
    return { name, script, secrets, after, timeout };
}

/** Installs the nightly dump on node 1: the scripts, its env file, the 600 secret files and the cron entry. */
export function planBackup(v: BackupValues): StepPlan {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v.time);
    if (!m) throw new Error(`backup time must be HH:MM (UTC), got '${v.time}'`);
    if (!/^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/[a-z0-9-]+$/.test(v.containerUrl)) {
        throw new Error(`backup containerUrl must be https://<account>.blob.core.windows.net/<container>, got '${v.containerUrl}'`);
    }
    const files = Object.fromEntries(BACKUP_SCRIPTS.map((f) => [f, readProvisionFile(`migration/${f}`)]));
    return plan("backup", files, {
        SCRIPTS_DIR: "/opt/redmine-migration",
        DB_HOST: v.dbHost,
        DB_NAME: v.dbName,
        DB_USER: v.dbUser,
        DB_SSL_CA: REMOTE.mysqlCaBundle,
        CONTAINER_URL: v.containerUrl,
        CRON_MINUTE: Number(m[2]),
        CRON_HOUR: Number(m[1]),
    }, ["DB_PASSWORD", "BACKUP_SAS"]);
}

// ---------------------------------------------------------------------------------------
// What travels to the node

const HEREDOC_END = "REDMINE_PROVISION_EOF";

function readProvisionFile(rel: string): string {
    return fs.readFileSync(path.join(PROVISION_DIR, rel), "utf8");
}

/** Every file of the step bundle, by path relative to the bundle root. */
export function bundleFiles(p: StepPlan): Record<string, string> {
    const out: Record<string, string> = {
        "lib/common.sh": readProvisionFile("lib/common.sh"),
        [p.script]: readProvisionFile(p.script),
    };
    for (const [name, content] of Object.entries(p.files)) {
        if (!/^[A-Za-z0-9@._\\-]+$/.test(name)) {
            throw new Error(`step file name '${name}' is not a plain file name`);
        }
        out[`files/${name}`] = content;
    }
    return out;
}

function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The remote command of a step: unpack the bundle into a private temp dir and run the step
 * with sudo; stdin (the secrets, if any) flows through to the script.
 */
export function remoteCommand(p: StepPlan): string {
    const lines = [
        `# redmine provisioning step '${p.name}' (provision/${p.script})`,
        "set -eu",
        "umask 077",
        `d=$(mktemp -d /tmp/redmine-provision-${p.name}.XXXXXX)`,
        `trap 'rm -rf "$d"' EXIT`,
    ];
    for (const [rel, content] of Object.entries(bundleFiles(p))) {
        if (content.split("\n").includes(HEREDOC_END)) {
            throw new Error(`${rel} contains the heredoc terminator ${HEREDOC_END}`);
        }
        lines.push(`mkdir -p "$d/${path.posix.dirname(rel)}"`);
        lines.push(`cat > "$d/${rel}" <<'${HEREDOC_END}'`);
        lines.push(content.endsWith("\n") ? content.slice(0, -1) : content);
        lines.push(HEREDOC_END);
    }
    const stdin = p.secrets.length > 0 ? "" : " </dev/null";
    lines.push(`sudo -n /usr/bin/env PROVISION_FILES="$d/files" STEP_NAME=${shellQuote(p.name)} /bin/bash "$d/${p.script}"${stdin}`);
    return lines.join("\n") + "\n";
}

export function sha256(s: string): string {
    return crypto.createHash("sha256").update(s).digest("hex");
}

/** The trigger of a step: a hash of everything it ships and the names of the secrets it reads. */
export function stepTrigger(p: StepPlan): string {
    return sha256(JSON.stringify({ command: remoteCommand(p), secrets: p.secrets }));
}

/** A node's steps with their trigger hashes, for tests and tools. */
export function listNodeSteps(v: NodeValues, opts: PlanOptions = {}): { name: NodeStepName; trigger: string }[] {
    return planNodeSteps(v, opts).map(p => ({ name: p.name as NodeStepName, trigger: stepTrigger(p) }));
}

/** Stdin for a step: one NAME=base64 line per secret, in the plan's order. */
export function encodeSecrets(names: string[], values: Record<string, string | undefined>): string {
    return names
        .map(n => {
            const v = values[n];
            if (v === undefined || v === "") {
                throw new Error(`secret ${n} is required by this step`);
            }
            return `${n}=${Buffer.from(v, "utf8").toString("base64")}`;
        })
        .join("\n") + "\n";
}
