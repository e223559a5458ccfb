/**
 * Renders what the web nodes receive (nginx, systemd, Redmine and yum files) from plain
 * settings. Pure: no Pulumi, no secrets (secret values are read on the node from files the
 * steps write from stdin; the templates only name those files).
 *
 * Templates live in provision/templates/ and use a tiny mustache subset:
 * `{{name}}` (value), `{{#name}}…{{/name}}` (kept when truthy; repeated for each item of an
 * array, the item being `{{.}}`), `{{^name}}…{{/name}}` (kept when falsy or empty).
 */
import * as fs from "fs";
import * as path from "path";

export const TEMPLATE_DIR = path.join(__dirname, "templates");

/** Versions the web nodes run. Changing one reruns exactly the step that installs it. */
export const VERSIONS = {
    ruby: "2.2.10",
    rubyBuild: "20260317",
    bundler: "1.17.3",
    redmine: "2.6.10",
    thin: "1.7.2",
    mysql2: "0.3.21",
} as const;

export interface Download {
    /** File name in the node's download cache and on a mirror (downloadBaseUrl). */
    file: string;
    /** Upstream URL, used when no mirror is configured. */
    url: string;
    /** `sha256:<hex>` or `md5:<hex>`. */
    checksum: string;
}

/**
 * Pinned downloads.
 * - ruby-build v20260317: sha256 of the GitHub release tarball as pinned by Homebrew's
 *   ruby-build formula (homebrew-core Formula/r/ruby-build.rb).
 * - ruby 2.2.10: sha256 from ruby-build's own share/ruby-build/2.2.10 definition.
 * - Redmine 2.6.10: redmine.org published only an MD5 for the 2.6 releases; this is that MD5
 *   (also pinned by docker-library/redmine 2.6/Dockerfile). Replace it with a sha256 of the
 *   copy on the customer's mirror once that copy exists.
 */
export const DOWNLOADS: Record<"rubyBuild" | "ruby" | "redmine", Download> = {
    rubyBuild: {
        file: `ruby-build-v${VERSIONS.rubyBuild}.tar.gz`,
        url: `https://github.com/rbenv/ruby-build/archive/refs/tags/v${VERSIONS.rubyBuild}.tar.gz`,
        checksum: "sha256:f52019a9ecac3587888b7bf421c21912121b546b001ce9521669ac9bb41db73f",
    },
    ruby: {
        file: `ruby-${VERSIONS.ruby}.tar.bz2`,
        url: `https://cache.ruby-lang.org/pub/ruby/2.2/ruby-${VERSIONS.ruby}.tar.bz2`,
        checksum: "sha256:a54204d2728283c9eff0cf81d654f245fa5b3447d0824f1a6bc3b2c5c827381e",
    },
    redmine: {
        file: `redmine-${VERSIONS.redmine}.tar.gz`,
        url: `https://www.redmine.org/releases/redmine-${VERSIONS.redmine}.tar.gz`,
        checksum: "md5:20863d6b79c691d67761f33196bd5acb",
    },
};

/** Where things live on a web node (docs/runbook.md lists the same paths). */
export const REMOTE = {
    redmineDir: "/opt/redmine",
    rubyPrefix: `/opt/rubies/${VERSIONS.ruby}`,
    rubyBuildPrefix: "/opt/ruby-build",
    attachmentsDir: "/srv/redmine-files",
    socketDir: "/run/redmine",
    secretsDir: "/etc/redmine/secrets",
    thinWorkersFile: "/etc/redmine/thin-workers",
    smbCredentialsDir: "/etc/smbcredentials",
    mysqlCaBundle: "/etc/pki/tls/certs/azure-mysql-ca.pem",
    nginxConf: "/etc/nginx/nginx.conf",
    nginxSite: "/etc/nginx/conf.d/redmine.conf",
    tlsDir: "/etc/nginx/tls",
    provisionLogDir: "/var/log/redmine-provision",
    provisionCacheDir: "/var/cache/redmine-provision",
} as const;

/** Template files by name (relative to provision/templates). */
export const TEMPLATES = {
    yumBase: "yum/CentOS-Base.repo",
    yumEpel: "yum/epel.repo",
    nginxMain: "nginx/nginx.conf",
    nginxSite: "nginx/redmine.conf",
    databaseYml: "redmine/database.yml",
    databasePlaceholderYml: "redmine/database.placeholder.yml",
    configurationYml: "redmine/configuration.yml",
    primaryKeyInitializer: "redmine/abstract_mysql2_adapter.rb",
    secretTokenInitializer: "redmine/secret_token.rb",
    gemfileLocal: "redmine/Gemfile.local",
    bundleConfig: "redmine/bundle-config",
    thinUnit: "systemd/redmine-thin@.service",
    thinTarget: "systemd/redmine-thin.target",
    mountUnit: "systemd/attachments.mount",
    tmpfiles: "systemd/redmine-tmpfiles.conf",
    logrotate: "misc/logrotate-redmine",
    cron: "misc/cron-redmine",
    mysqlCaBundle: "tls/azure-mysql-ca.pem",
} as const;
export type TemplateName = keyof typeof TEMPLATES;

/** Lets tests swap a template's text to see which step it reruns. */
export type TemplateOverrides = Partial<Record<TemplateName, string>>;

export function templateText(name: TemplateName, overrides?: TemplateOverrides): string {
    const override = overrides?.[name];
    if (override !== undefined) {
        return override;
    }
    return fs.readFileSync(path.join(TEMPLATE_DIR, TEMPLATES[name]), "utf8");
}

type TemplateValue = string | number | boolean | undefined | readonly (string | number)[];
export type TemplateVars = Record<string, TemplateValue>;

/** Fills a template; an unknown `{{name}}` is an error, so a typo never ships. */
export function fill(template: string, vars: TemplateVars): string {
    const section = /\{\{([#^])([\w.]+)\}\}\n?([\s\S]*?)\{\{\/\2\}\}\n?/g;
    let out = template;
    // sections do not nest in our templates; one pass per level is enough
    for (let i = 0; i < 3 && section.test(out); i++) {
        section.lastIndex = 0;
        out = out.replace(section, (_m, kind: string, key: string, body: string) => {
            if (!(key in vars)) {
                throw new Error(`template section {{${kind}${key}}} has no value`);
            }
            const v = vars[key];
            const truthy = Array.isArray(v) ? v.length > 0 : Boolean(v);
            if (kind === "^") {
                return truthy ? "" : body;
            }
            if (!truthy) {
                return "";
            }
            if (Array.isArray(v)) {
                return v.map(item => body.split("{{.}}").join(String(item))).join("");
            }
            return body;
        });
    }
    return out.replace(/\{\{([\w.]+)\}\}/g, (_m, key: string) => {
        const v = vars[key];
        if (v === undefined || typeof v === "boolean" || Array.isArray(v)) {
            throw new Error(`template value {{${key}}} is missing`);
        }
        return String(v);
    });
}

/** Single-quoted shell assignments, safe to `source`. */
export function shellEnv(vars: Record<string, string | number>): string {
    return Object.entries(vars)
        .map(([k, v]) => {
            if (!/^[A-Z][A-Z0-9_]*$/.test(k)) {
                throw new Error(`bad settings name ${k}`);
            }
            return `${k}='${String(v).replace(/'/g, `'\\''`)}'`;
        })
        .join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------
// nginx

export interface NginxLayout {
    /** `user` directive; omitted when empty. */
    user: string;
    httpPort: number;
    httpsPort: number;
    publicDir: string;
    socketDir: string;
    tlsDir: string;
    siteInclude: string;
    pidFile: string;
    errorLog: string;
    accessLog: string;
    mimeTypes: string;
    modulesInclude: string;
    /** Temp paths for request bodies and proxying; the package defaults when empty. */
    tempDir: string;
}

export const NODE_NGINX_LAYOUT: NginxLayout = {
    user: "nginx",
    httpPort: 80,
    httpsPort: 443,
    publicDir: `${REMOTE.redmineDir}/public`,
    socketDir: REMOTE.socketDir,
    tlsDir: REMOTE.tlsDir,
    siteInclude: "/etc/nginx/conf.d/*.conf",
    pidFile: "/run/nginx.pid",
    errorLog: "/var/log/nginx/error.log",
    accessLog: "/var/log/nginx/access.log",
    mimeTypes: "/etc/nginx/mime.types",
    modulesInclude: "/usr/share/nginx/modules/*.conf",
    tempDir: "",
};

export interface SiteSettings {
    hostname: string;
    thinWorkers: number;
    maxUploadMb: number;
    tls: boolean;
}

export function thinSockets(socketDir: string, workers: number): string[] {
    return Array.from({ length: workers }, (_v, i) => `${socketDir}/thin.${i + 1}.sock`);
}

export function renderNginxMain(layout: NginxLayout = NODE_NGINX_LAYOUT, overrides?: TemplateOverrides): string {
    return fill(templateText("nginxMain", overrides), {
        user: layout.user,
        errorLog: layout.errorLog,
        pidFile: layout.pidFile,
        modulesInclude: layout.modulesInclude,
        accessLog: layout.accessLog,
        mimeTypes: layout.mimeTypes,
        tempDir: layout.tempDir,
        siteInclude: layout.siteInclude,
    });
}

export function renderNginxSite(s: SiteSettings, layout: NginxLayout = NODE_NGINX_LAYOUT, overrides?: TemplateOverrides): string {
    return fill(templateText("nginxSite", overrides), {
        sockets: thinSockets(layout.socketDir, s.thinWorkers),
        tls: s.tls,
        httpPort: layout.httpPort,
        httpsPort: layout.httpsPort,
        hostname: s.hostname,
        publicDir: layout.publicDir,
        maxUploadMb: s.maxUploadMb,
        tlsCertificate: `${layout.tlsDir}/redmine.crt`,
        tlsKey: `${layout.tlsDir}/redmine.key`,
    });
}

// ---------------------------------------------------------------------------------------
// Redmine

export function renderDatabaseYml(db: { host: string; name: string; user: string }, overrides?: TemplateOverrides): string {
    return fill(templateText("databaseYml", overrides), {
        database: db.name,
        host: db.host,
        username: db.user,
        passwordFile: `${REMOTE.secretsDir}/db_password`,
        caBundle: REMOTE.mysqlCaBundle,
    });
}

export interface SmtpSettings {
    host: string;
    port: number;
    user?: string;
    from: string;
}

export function renderConfigurationYml(
    c: { hostname: string; smtp?: SmtpSettings; smtpPassword: boolean; cipherKey: boolean },
    overrides?: TemplateOverrides,
): string {
    return fill(templateText("configurationYml", overrides), {
        attachmentsDir: REMOTE.attachmentsDir,
        cipherKey: c.cipherKey,
        cipherKeyFile: `${REMOTE.secretsDir}/database_cipher_key`,
        smtp: c.smtp !== undefined,
        smtpHost: c.smtp?.host,
        smtpPort: c.smtp?.port,
        hostname: c.hostname,
        smtpUser: c.smtp?.user,
        smtpPassword: c.smtp !== undefined && c.smtpPassword,
        smtpPasswordFile: `${REMOTE.secretsDir}/smtp_password`,
    });
}

export function renderSecretTokenInitializer(overrides?: TemplateOverrides): string {
    return fill(templateText("secretTokenInitializer", overrides), { secretTokenFile: `${REMOTE.secretsDir}/secret_token` });
}

export function renderGemfileLocal(overrides?: TemplateOverrides): string {
    return fill(templateText("gemfileLocal", overrides), { thinVersion: VERSIONS.thin });
}

// ---------------------------------------------------------------------------------------
// systemd and friends

export interface UnitLayout {
    redmineDir: string;
    rubyPrefix: string;
    socketDir: string;
    attachmentsDir: string;
}

export const NODE_UNIT_LAYOUT: UnitLayout = {
    redmineDir: REMOTE.redmineDir,
    rubyPrefix: REMOTE.rubyPrefix,
    socketDir: REMOTE.socketDir,
    attachmentsDir: REMOTE.attachmentsDir,
};

/** systemd's unit name for a mount point (systemd-escape --path --suffix=mount). */
export function mountUnitName(where: string): string {
    const trimmed = where.replace(/^\/+|\/+$/g, "");
    const escaped = trimmed
        .split("/")
        .map(part =>
            Array.from(part)
                .map((ch, i) => (/[A-Za-z0-9:_]/.test(ch) || (ch === "." && i > 0) ? ch : `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`))
                .join(""),
        )
        .join("-");
    return `${escaped}.mount`;
}

export function renderThinUnit(layout: UnitLayout = NODE_UNIT_LAYOUT, overrides?: TemplateOverrides): string {
    return fill(templateText("thinUnit", overrides), {
        mountUnit: mountUnitName(layout.attachmentsDir),
        attachmentsDir: layout.attachmentsDir,
        redmineDir: layout.redmineDir,
        rubyPrefix: layout.rubyPrefix,
        socketDir: layout.socketDir,
    });
}

export function renderThinTarget(overrides?: TemplateOverrides): string {
    return fill(templateText("thinTarget", overrides), {});
}

/** Mount options for the share (SELinux context is appended on the node when enforcing). */
export function mountOptions(account: string): string {
    return [
        "vers=3.0",
        `credentials=${REMOTE.smbCredentialsDir}/${account}.cred`,
        "uid=redmine",
        "gid=redmine",
        "dir_mode=0770",
        "file_mode=0660",
        "serverino",
        "nofail",
        "_netdev",
    ].join(",");
}

export function renderMountUnit(share: { accountName: string; shareName: string }, mountPoint: string = REMOTE.attachmentsDir, overrides?: TemplateOverrides): string {
    if (!/^[a-z0-9]{3,24}$/.test(share.accountName)) {
        throw new Error(`files.accountName must be a storage account name (3-24 lowercase letters and digits), got '${share.accountName}'`);
    }
    if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(share.shareName)) {
        throw new Error(`files.shareName must be an Azure Files share name, got '${share.shareName}'`);
    }
    return fill(templateText("mountUnit", overrides), {
        account: share.accountName,
        share: share.shareName,
        mountPoint,
        options: mountOptions(share.accountName),
    });
}

export function renderTmpfiles(overrides?: TemplateOverrides): string {
    return fill(templateText("tmpfiles", overrides), { socketDir: REMOTE.socketDir });
}

export function renderLogrotate(overrides?: TemplateOverrides): string {
    return fill(templateText("logrotate", overrides), { redmineDir: REMOTE.redmineDir, provisionLogDir: REMOTE.provisionLogDir });
}

export function renderCron(overrides?: TemplateOverrides): string {
    return fill(templateText("cron", overrides), { redmineDir: REMOTE.redmineDir, rubyPrefix: REMOTE.rubyPrefix });
}

/** URL of a pinned download: from the mirror when one is configured. */
export function downloadUrl(d: Download, downloadBaseUrl?: string): string {
    return downloadBaseUrl ? `${downloadBaseUrl.replace(/\/+$/, "")}/${d.file}` : d.url;
}
