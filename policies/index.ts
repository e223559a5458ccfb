// The pack the engine loads: it only assembles the rule modules. Tests import the modules, never this file,
// because constructing a PolicyPack starts its gRPC server.
import { PolicyPack } from "@pulumi/policy";
import { backupPolicies } from "./backup";
import { cutoverPolicies } from "./cutover";
import { preflightPolicies } from "./preflight";
import { redundancyPolicies } from "./redundancy";
import { securityPolicies } from "./security";

new PolicyPack("redmine-azure", {
    description: "Redundancy, backup, security, cutover and preflight rules for the Redmine migration to Azure.",
    enforcementLevel: "mandatory",
    policies: [...redundancyPolicies, ...backupPolicies, ...securityPolicies, ...cutoverPolicies, ...preflightPolicies],
});
