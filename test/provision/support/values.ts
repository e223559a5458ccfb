import * as fs from "fs";
import * as path from "path";
import { NodeValues, StepPlan, planMigrate, planNodeStep, planStart, remoteCommand, planBackup } from "../../../provision/steps";

/** Plain values of a typical node (index 1, SMTP with password, no TLS). */
export function nodeValues(overrides: Partial<NodeValues> = {}): NodeValues {
    return {
        index: 1,
        redmine: {
            hostname: "redmine.example.com",
            thinWorkers: 2,
            maxUploadMb: 20,
            smtp: { host: "smtp.example.com", port: 587, user: "mailer", from: "redmine@example.com" },
        },
        tls: false,
        smtpPassword: true,
        cipherKey: false,
        database: { host: "redmine-db.mysql.database.azure.com", name: "redmine", user: "admin" },
        files: { accountName: "redminefiles01", shareName: "redmine-files" },
        ...overrides,
    };
}

function writePlan(dir: string, p: StepPlan): void {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(p.files)) {
        fs.writeFileSync(path.join(dir, name), content);
    }
}

/** Rendered files of every step variant the bats tests use, one directory each. */
export function writeStepFixtures(root: string): void {
    const v = nodeValues();
    for (const step of ["wait-ssh", "base", "nginx", "ruby", "redmine", "config", "mount"] as const) {
        writePlan(path.join(root, step), planNodeStep(step, v));
    }
    writePlan(path.join(root, "nginx-tls"), planNodeStep("nginx", nodeValues({ tls: true })));
    writePlan(path.join(root, "ruby-mirror"), planNodeStep("ruby", nodeValues({ redmine: { ...v.redmine, downloadBaseUrl: "https://mirror.example.net/redmine/" } })));
    writePlan(path.join(root, "services-node1"), planNodeStep("services", v));
    writePlan(path.join(root, "services-node2"), planNodeStep("services", nodeValues({ index: 2 })));
    writePlan(path.join(root, "migrate"), planMigrate({ maxUploadMb: 20, mailFrom: "redmine@example.com" }));
    writePlan(path.join(root, "start"), planStart());
    writePlan(path.join(root, "backup"), planBackup({
        dbHost: "redmine-test.mysql.database.azure.com", dbName: "redmine", dbUser: "redmineadmin",
        containerUrl: "https://redminetest.blob.core.windows.net/db-dumps", time: "17:30",
    }));
    fs.mkdirSync(path.join(root, "commands"), { recursive: true });
    fs.writeFileSync(path.join(root, "commands", "wait-ssh.sh"), remoteCommand(planNodeStep("wait-ssh", v)));
    fs.writeFileSync(path.join(root, "commands", "mount.sh"), remoteCommand(planNodeStep("mount", v)));
}
