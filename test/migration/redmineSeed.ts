/**
 * A Redmine-2.3-shaped schema and data set for the migration tests: the core tables with
 * their real column types (Rails 3.2 DDL), utf8 Japanese text, NULLs next to empty strings,
 * floats, zero dates as a 5.1 server kept them, a BLOB (dumped with --hex-blob), a MyISAM
 * plugin table with a trigger (the DEFINER is stripped on restore).
 */

export interface SeedSize {
    projects: number;
    users: number;
    issues: number;
    journalsPerIssue: number;
    detailsPerJournal: number;
    attachmentsEvery: number;
}

export const smallSeed: SeedSize = { projects: 3, users: 12, issues: 240, journalsPerIssue: 2, detailsPerJournal: 2, attachmentsEvery: 3 };

export const schemaSql = `
CREATE TABLE projects (id int(11) NOT NULL AUTO_INCREMENT, name varchar(255) NOT NULL DEFAULT '', description text,
  homepage varchar(255) DEFAULT '', is_public tinyint(1) NOT NULL DEFAULT '1', parent_id int(11) DEFAULT NULL,
  created_on datetime DEFAULT NULL, updated_on datetime DEFAULT NULL, identifier varchar(255) DEFAULT NULL,
  status int(11) NOT NULL DEFAULT '1', lft int(11) DEFAULT NULL, rgt int(11) DEFAULT NULL,
  PRIMARY KEY (id), KEY index_projects_on_lft (lft)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE users (id int(11) NOT NULL AUTO_INCREMENT, login varchar(255) NOT NULL DEFAULT '',
  hashed_password varchar(40) NOT NULL DEFAULT '', firstname varchar(30) NOT NULL DEFAULT '',
  lastname varchar(255) NOT NULL DEFAULT '', mail varchar(60) NOT NULL DEFAULT '', admin tinyint(1) NOT NULL DEFAULT '0',
  status int(11) NOT NULL DEFAULT '1', last_login_on datetime DEFAULT NULL, language varchar(5) DEFAULT '',
  auth_source_id int(11) DEFAULT NULL, created_on datetime DEFAULT NULL, updated_on datetime DEFAULT NULL,
  type varchar(255) DEFAULT NULL, identity_url varchar(255) DEFAULT NULL, mail_notification varchar(255) NOT NULL DEFAULT '',
  salt varchar(64) DEFAULT NULL, PRIMARY KEY (id), KEY index_users_on_id_and_type (id,type)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE roles (id int(11) NOT NULL AUTO_INCREMENT, name varchar(30) NOT NULL DEFAULT '', position int(11) DEFAULT '1',
  assignable tinyint(1) DEFAULT '1', builtin int(11) NOT NULL DEFAULT '0', permissions text,
  issues_visibility varchar(30) NOT NULL DEFAULT 'default', PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE members (id int(11) NOT NULL AUTO_INCREMENT, user_id int(11) NOT NULL DEFAULT '0', project_id int(11) NOT NULL DEFAULT '0',
  created_on datetime DEFAULT NULL, mail_notification tinyint(1) NOT NULL DEFAULT '0', PRIMARY KEY (id),
  UNIQUE KEY index_members_on_user_id_and_project_id (user_id,project_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE member_roles (id int(11) NOT NULL AUTO_INCREMENT, member_id int(11) NOT NULL, role_id int(11) NOT NULL,
  inherited_from int(11) DEFAULT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE trackers (id int(11) NOT NULL AUTO_INCREMENT, name varchar(30) NOT NULL DEFAULT '', is_in_chlog tinyint(1) NOT NULL DEFAULT '0',
  position int(11) DEFAULT '1', is_in_roadmap tinyint(1) NOT NULL DEFAULT '1', fields_bits int(11) DEFAULT '0',
  PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE issue_statuses (id int(11) NOT NULL AUTO_INCREMENT, name varchar(30) NOT NULL DEFAULT '', is_closed tinyint(1) NOT NULL DEFAULT '0',
  is_default tinyint(1) NOT NULL DEFAULT '0', position int(11) DEFAULT '1', default_done_ratio int(11) DEFAULT NULL,
  PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE issues (id int(11) NOT NULL AUTO_INCREMENT, tracker_id int(11) NOT NULL, project_id int(11) NOT NULL,
  subject varchar(255) NOT NULL DEFAULT '', description text, due_date date DEFAULT NULL, category_id int(11) DEFAULT NULL,
  status_id int(11) NOT NULL, assigned_to_id int(11) DEFAULT NULL, priority_id int(11) NOT NULL, fixed_version_id int(11) DEFAULT NULL,
  author_id int(11) NOT NULL, lock_version int(11) NOT NULL DEFAULT '0', created_on datetime DEFAULT NULL, updated_on datetime DEFAULT NULL,
  start_date date DEFAULT NULL, done_ratio int(11) NOT NULL DEFAULT '0', estimated_hours float DEFAULT NULL, parent_id int(11) DEFAULT NULL,
  root_id int(11) DEFAULT NULL, lft int(11) DEFAULT NULL, rgt int(11) DEFAULT NULL, is_private tinyint(1) NOT NULL DEFAULT '0',
  closed_on datetime DEFAULT NULL, PRIMARY KEY (id), KEY index_issues_on_project_id (project_id),
  KEY index_issues_on_root_id_and_lft_and_rgt (root_id,lft,rgt)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE journals (id int(11) NOT NULL AUTO_INCREMENT, journalized_id int(11) NOT NULL DEFAULT '0',
  journalized_type varchar(30) NOT NULL DEFAULT '', user_id int(11) NOT NULL DEFAULT '0', notes text, created_on datetime NOT NULL,
  private_notes tinyint(1) NOT NULL DEFAULT '0', PRIMARY KEY (id), KEY journals_journalized_id (journalized_id,journalized_type)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE journal_details (id int(11) NOT NULL AUTO_INCREMENT, journal_id int(11) NOT NULL DEFAULT '0',
  property varchar(30) NOT NULL DEFAULT '', prop_key varchar(30) NOT NULL DEFAULT '', old_value text, value text,
  PRIMARY KEY (id), KEY journal_details_journal_id (journal_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE attachments (id int(11) NOT NULL AUTO_INCREMENT, container_id int(11) DEFAULT NULL, container_type varchar(30) DEFAULT NULL,
  filename varchar(255) NOT NULL DEFAULT '', disk_filename varchar(255) NOT NULL DEFAULT '', filesize int(11) NOT NULL DEFAULT '0',
  content_type varchar(255) DEFAULT '', digest varchar(40) NOT NULL DEFAULT '', downloads int(11) NOT NULL DEFAULT '0',
  author_id int(11) NOT NULL DEFAULT '0', created_on datetime DEFAULT NULL, description varchar(255) DEFAULT NULL,
  disk_directory varchar(255) DEFAULT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE custom_fields (id int(11) NOT NULL AUTO_INCREMENT, type varchar(30) NOT NULL DEFAULT '', name varchar(30) NOT NULL DEFAULT '',
  field_format varchar(30) NOT NULL DEFAULT '', possible_values text, \`regexp\` varchar(255) DEFAULT '', min_length int(11) NOT NULL DEFAULT '0',
  is_required tinyint(1) NOT NULL DEFAULT '0', default_value text, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE custom_values (id int(11) NOT NULL AUTO_INCREMENT, customized_type varchar(30) NOT NULL DEFAULT '',
  customized_id int(11) NOT NULL DEFAULT '0', custom_field_id int(11) NOT NULL DEFAULT '0', value text,
  PRIMARY KEY (id), KEY custom_values_customized (customized_type,customized_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE wikis (id int(11) NOT NULL AUTO_INCREMENT, project_id int(11) NOT NULL, start_page varchar(255) NOT NULL,
  status int(11) NOT NULL DEFAULT '1', PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE wiki_pages (id int(11) NOT NULL AUTO_INCREMENT, wiki_id int(11) NOT NULL, title varchar(255) NOT NULL,
  created_on datetime NOT NULL, protected tinyint(1) NOT NULL DEFAULT '0', parent_id int(11) DEFAULT NULL,
  PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE wiki_contents (id int(11) NOT NULL AUTO_INCREMENT, page_id int(11) NOT NULL, author_id int(11) DEFAULT NULL,
  text longtext, comments varchar(255) DEFAULT '', updated_on datetime NOT NULL, version int(11) NOT NULL,
  PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE wiki_content_versions (id int(11) NOT NULL AUTO_INCREMENT, wiki_content_id int(11) NOT NULL, page_id int(11) NOT NULL,
  author_id int(11) DEFAULT NULL, data longblob, compression varchar(6) DEFAULT '', comments varchar(255) DEFAULT '',
  updated_on datetime NOT NULL, version int(11) NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE settings (id int(11) NOT NULL AUTO_INCREMENT, name varchar(255) NOT NULL DEFAULT '', value text,
  updated_on datetime DEFAULT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE time_entries (id int(11) NOT NULL AUTO_INCREMENT, project_id int(11) NOT NULL, user_id int(11) NOT NULL,
  issue_id int(11) DEFAULT NULL, hours float NOT NULL, comments varchar(255) DEFAULT NULL, activity_id int(11) NOT NULL,
  spent_on date NOT NULL, tyear int(11) NOT NULL, tmonth int(11) NOT NULL, tweek int(11) NOT NULL,
  created_on datetime NOT NULL, updated_on datetime NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE tokens (id int(11) NOT NULL AUTO_INCREMENT, user_id int(11) NOT NULL DEFAULT '0', action varchar(30) NOT NULL DEFAULT '',
  value varchar(40) NOT NULL DEFAULT '', created_on datetime NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE groups_users (group_id int(11) NOT NULL, user_id int(11) NOT NULL,
  UNIQUE KEY groups_users_ids (group_id,user_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE schema_migrations (version varchar(255) NOT NULL, UNIQUE KEY unique_schema_migrations (version)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE plugin_legacy_notes (id int(11) NOT NULL AUTO_INCREMENT, issue_id int(11) NOT NULL, body text, payload blob,
  touched_on datetime DEFAULT NULL, PRIMARY KEY (id), FULLTEXT KEY plugin_legacy_notes_body (body))
  ENGINE=MyISAM ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8;
CREATE TRIGGER plugin_legacy_notes_touch BEFORE INSERT ON plugin_legacy_notes FOR EACH ROW SET NEW.touched_on = IFNULL(NEW.touched_on, '2013-01-01 00:00:00');
`;

function q(v: string | number | null): string {
    if (v === null) return "NULL";
    if (typeof v === "number") return String(v);
    return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** Multi-row INSERTs, 1000 rows a statement. */
function inserts(table: string, columns: string[], rows: (string | number | null)[][]): string {
    const out: string[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000).map((r) => `(${r.map(q).join(",")})`).join(",\n");
        out.push(`INSERT INTO ${table} (${columns.map((c) => "`" + c + "`").join(",")}) VALUES\n${chunk};`);
    }
    return out.join("\n");
}

function stamp(i: number): string {
    const d = new Date(Date.UTC(2013, 0, 1) + i * 37 * 60 * 1000);
    return d.toISOString().slice(0, 19).replace("T", " ");
}

export interface SeedCounts { [table: string]: number }

/** SQL that fills the schema; returns the row counts it writes per table. */
export function seedSql(size: SeedSize): { sql: string; counts: SeedCounts } {
    const parts: string[] = [];
    const counts: SeedCounts = {};
    const add = (table: string, columns: string[], rows: (string | number | null)[][]) => {
        if (rows.length === 0) return;
        counts[table] = (counts[table] ?? 0) + rows.length;
        parts.push(inserts(table, columns, rows));
    };

    add("projects", ["id", "name", "description", "identifier", "is_public", "created_on", "updated_on", "lft", "rgt"],
        Array.from({ length: size.projects }, (_, i) => [i + 1, i === 0 ? "基幹システム" : `Project ${i + 1}`,
            i === 1 ? null : `説明 ${i + 1}\n複数行`, `p${i + 1}`, i % 2, stamp(i), stamp(i + 1), 2 * i + 1, 2 * i + 2]));
    add("users", ["id", "login", "hashed_password", "firstname", "lastname", "mail", "admin", "last_login_on", "language", "created_on", "type", "mail_notification", "salt"],
        Array.from({ length: size.users }, (_, i) => [i + 1, `user${i + 1}`, "0123456789abcdef0123456789abcdef01234567", i === 0 ? "太郎" : `First${i}`,
            i === 0 ? "山田" : `Last${i}`, `user${i + 1}@example.jp`, i === 0 ? 1 : 0, i % 3 === 0 ? null : stamp(i), "ja", stamp(i), "User", "only_my_events", `salt${i}`]));
    add("roles", ["id", "name", "position", "builtin", "permissions"], [
        [1, "Non member", 1, 1, "--- \n- :view_issues\n"], [2, "Anonymous", 2, 2, "--- []\n"], [3, "管理者", 3, 0, "--- \n- :add_issues\n- :edit_issues\n"]]);
    const members: (string | number | null)[][] = [];
    const memberRoles: (string | number | null)[][] = [];
    for (let p = 1; p <= size.projects; p++) {
        for (let u = 1; u <= size.users; u += 2) {
            members.push([members.length + 1, u, p, stamp(p * u), 0]);
            memberRoles.push([memberRoles.length + 1, members.length, 3, null]);
        }
    }
    add("members", ["id", "user_id", "project_id", "created_on", "mail_notification"], members);
    add("member_roles", ["id", "member_id", "role_id", "inherited_from"], memberRoles);
    add("trackers", ["id", "name", "position", "fields_bits"], [[1, "バグ", 1, 0], [2, "機能", 2, 0], [3, "Support", 3, 0]]);
    add("issue_statuses", ["id", "name", "is_closed", "is_default", "position", "default_done_ratio"], [[1, "新規", 0, 1, 1, null], [2, "進行中", 0, 0, 2, 50], [3, "終了", 1, 0, 3, 100]]);

    const issues: (string | number | null)[][] = [];
    const journals: (string | number | null)[][] = [];
    const details: (string | number | null)[][] = [];
    const attachments: (string | number | null)[][] = [];
    const customValues: (string | number | null)[][] = [];
    const timeEntries: (string | number | null)[][] = [];
    for (let i = 1; i <= size.issues; i++) {
        const subject = i % 7 === 0 ? `日本語の課題 ${i}: 文字化けしないこと` : `Issue ${i} 'quoted' \\ backslash`;
        issues.push([i, (i % 3) + 1, (i % size.projects) + 1, subject, i % 5 === 0 ? null : i % 5 === 1 ? "" : `本文 ${i}\n詳細: ${"あ".repeat(i % 40)}`,
            i % 4 === 0 ? null : "2014-03-31", (i % 3) + 1, i % 6 === 0 ? null : (i % size.users) + 1, 2, (i % size.users) + 1,
            stamp(i), stamp(i + 10), i % 9 === 0 ? null : i * 0.1 + 0.25, i, 2 * i - 1, 2 * i,
            i % 11 === 0 ? "0000-00-00 00:00:00" : null]);
        customValues.push([customValues.length + 1, "Issue", i, 1, i % 2 ? `値${i}` : null]);
        if (i % 2 === 0) {
            timeEntries.push([timeEntries.length + 1, (i % size.projects) + 1, (i % size.users) + 1, i, (i % 13) * 0.3 + 0.1, `作業 ${i}`, 9,
                "2013-05-01", 2013, 5, 18, stamp(i), stamp(i)]);
        }
        for (let j = 0; j < size.journalsPerIssue; j++) {
            const jid = journals.length + 1;
            journals.push([jid, i, "Issue", ((i + j) % size.users) + 1, j === 0 ? `コメント ${jid}` : j % 2 ? "" : null, stamp(i + j), 0]);
            for (let k = 0; k < size.detailsPerJournal; k++) {
                details.push([details.length + 1, jid, "attr", k % 2 ? "status_id" : "assigned_to_id", k % 2 ? "1" : null, String(k + 2)]);
            }
        }
        if (i % size.attachmentsEvery === 0) {
            const aid = attachments.length + 1;
            attachments.push([aid, i, "Issue", `添付${aid}.txt`, `130101000000_${aid}.txt`, aid * 10, "text/plain",
                "d41d8cd98f00b204e9800998ecf8427e", aid % 4, (aid % size.users) + 1, stamp(aid), aid % 2 ? null : "説明", "2013/01"]);
        }
    }
    add("issues", ["id", "tracker_id", "project_id", "subject", "description", "due_date", "status_id", "assigned_to_id", "priority_id", "author_id",
        "created_on", "updated_on", "estimated_hours", "root_id", "lft", "rgt", "closed_on"], issues);
    add("journals", ["id", "journalized_id", "journalized_type", "user_id", "notes", "created_on", "private_notes"], journals);
    add("journal_details", ["id", "journal_id", "property", "prop_key", "old_value", "value"], details);
    add("attachments", ["id", "container_id", "container_type", "filename", "disk_filename", "filesize", "content_type", "digest", "downloads",
        "author_id", "created_on", "description", "disk_directory"], attachments);
    add("custom_fields", ["id", "type", "name", "field_format", "possible_values", "regexp", "default_value"],
        [[1, "IssueCustomField", "顧客名", "string", "--- []\n", "", null]]);
    add("custom_values", ["id", "customized_type", "customized_id", "custom_field_id", "value"], customValues);
    add("time_entries", ["id", "project_id", "user_id", "issue_id", "hours", "comments", "activity_id", "spent_on", "tyear", "tmonth", "tweek",
        "created_on", "updated_on"], timeEntries);
    add("wikis", ["id", "project_id", "start_page", "status"], Array.from({ length: size.projects }, (_, i) => [i + 1, i + 1, "Wiki", 1]));
    const pages: (string | number | null)[][] = [];
    const contents: (string | number | null)[][] = [];
    const versions: (string | number | null)[][] = [];
    for (let w = 1; w <= size.projects; w++) {
        for (let p = 0; p < 4; p++) {
            const pid = pages.length + 1;
            pages.push([pid, w, p === 0 ? "Wiki" : `ページ_${pid}`, stamp(pid), 0, p === 0 ? null : w * 4 - 3]);
            contents.push([contents.length + 1, pid, 1, `h1. ページ ${pid}\n\n${"日本語の本文。".repeat(50 + pid)}`, "", stamp(pid), 2]);
            versions.push([versions.length + 1, contents.length, pid, 1, `0x${Buffer.from(`version ${pid}\u0000\u00ff binary`).toString("hex")}`, "gzip", "", stamp(pid), 1]);
        }
    }
    add("wiki_pages", ["id", "wiki_id", "title", "created_on", "protected", "parent_id"], pages);
    add("wiki_contents", ["id", "page_id", "author_id", "text", "comments", "updated_on", "version"], contents);
    // data is binary: written as a hex literal, not a quoted string
    counts["wiki_content_versions"] = versions.length;
    parts.push(`INSERT INTO wiki_content_versions (id,wiki_content_id,page_id,author_id,data,compression,comments,updated_on,version) VALUES\n` +
        versions.map((v) => `(${v[0]},${v[1]},${v[2]},${v[3]},${v[4]},${q(v[5])},${q(v[6])},${q(v[7])},${v[8]})`).join(",\n") + ";");
    add("settings", ["id", "name", "value", "updated_on"], [
        [1, "app_title", "社内 Redmine", stamp(1)], [2, "default_language", "ja", stamp(2)],
        [3, "ui_theme", "", null], [4, "mail_from", "redmine@example.jp", stamp(4)]]);
    add("tokens", ["id", "user_id", "action", "value", "created_on"], [[1, 1, "feeds", "abc123", stamp(1)], [2, 2, "api", "def456", stamp(2)]]);
    add("groups_users", ["group_id", "user_id"], [[100, 1], [100, 2]]);
    add("schema_migrations", ["version"], ["1", "20130217094251", "20130602092539"].map((v) => [v]));
    add("plugin_legacy_notes", ["id", "issue_id", "body", "payload"], [
        [1, 1, "MyISAM に残っていたプラグインのデータ", null], [2, 2, "second note", "\u0001\u0002"], [3, 3, "", ""]]);
    return { sql: parts.join("\n"), counts };
}
