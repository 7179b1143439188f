/**
 * Mesos parses ACL JSON with stout's protobuf reader, which silently ignores unknown keys, and `permissive`
 * defaults to true: a misspelled action authorizes everything. So the harness checks ACLs against the 1.4
 * acls.proto before any container starts (facts §1.7 "Local authorizer gotchas", §4 ACLs table).
 */

/** ACL action key → its object entity (include/mesos/authorizer/acls.proto, 1.4.0). */
export const ACL_OBJECTS_1_4: Record<string, string> = {
  register_frameworks: "roles",
  run_tasks: "users",
  reserve_resources: "roles",
  unreserve_resources: "reserver_principals",
  create_volumes: "roles",
  destroy_volumes: "creator_principals",
  teardown_frameworks: "framework_principals",
  update_weights: "roles",
  get_endpoints: "paths",
  get_quotas: "roles",
  update_quotas: "roles",
  view_frameworks: "users",
  view_tasks: "users",
  view_executors: "users",
  access_sandboxes: "users",
  access_mesos_logs: "logs",
  view_flags: "flags",
  launch_nested_containers_as_user: "users",
  launch_nested_containers_under_parent_with_user: "users",
  kill_nested_containers: "users",
  wait_nested_containers: "users",
  launch_nested_container_sessions_as_user: "users",
  launch_nested_container_sessions_under_parent_with_user: "users",
  attach_containers_input: "users",
  attach_containers_output: "users",
  view_containers: "users",
  set_log_level: "level",
  remove_nested_containers: "users",
  register_agents: "agents",
  update_maintenance_schedules: "machines",
  get_maintenance_schedules: "machines",
  start_maintenances: "machines",
  stop_maintenances: "machines",
  get_maintenance_statuses: "machines",
  view_roles: "roles",
};

/** Actions whose object may only be ANY or NONE (LocalAuthorizer::validate, src/authorizer/local/authorizer.cpp:1394-1466). */
const ANY_OR_NONE_ONLY = new Set([
  "access_mesos_logs",
  "view_flags",
  "set_log_level",
  "register_agents",
  "update_maintenance_schedules",
  "get_maintenance_schedules",
  "start_maintenances",
  "stop_maintenances",
  "get_maintenance_statuses",
]);

/** get_endpoints paths the 1.4 local authorizer accepts (src/common/http.cpp:98-105). */
const AUTHORIZABLE_PATHS = new Set(["/containers", "/files/debug", "/files/debug.json", "/logging/toggle", "/metrics/snapshot", "/monitor/statistics", "/monitor/statistics.json"]);

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(3, Math.floor(word.length / 3)) ? best : undefined;
}

function checkEntity(where: string, v: unknown, anyOrNoneOnly: boolean, problems: string[]): void {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    problems.push(`${where} must be an object like {"values":["…"]} or {"type":"ANY"}`);
    return;
  }
  const e = v as Record<string, unknown>;
  for (const k of Object.keys(e)) if (k !== "values" && k !== "type") problems.push(`${where} has unknown key '${k}' (allowed: values, type)`);
  if (e.type !== undefined && !["SOME", "ANY", "NONE"].includes(String(e.type))) problems.push(`${where}.type must be SOME, ANY or NONE, not '${String(e.type)}'`);
  if (e.values !== undefined && (!Array.isArray(e.values) || e.values.some((x) => typeof x !== "string"))) problems.push(`${where}.values must be a list of strings`);
  const some = e.type === undefined || e.type === "SOME";
  if (some && e.values === undefined) problems.push(`${where} needs "values" (or "type": "ANY"/"NONE")`);
  if (anyOrNoneOnly && some) problems.push(`${where} type must be either NONE or ANY (Mesos exits with 'Could not create 'local' authorizer')`);
}

/** Returns the problems found; empty means Mesos 1.4 would read every key of it. */
export function validateAcls(input: string | unknown): string[] {
  let acls: unknown = input;
  if (typeof input === "string") {
    try {
      acls = JSON.parse(input);
    } catch (err) {
      return [`not valid JSON: ${(err as Error).message}`];
    }
  }
  if (typeof acls !== "object" || acls === null || Array.isArray(acls)) return ["the ACLs must be a JSON object"];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(acls as Record<string, unknown>)) {
    if (key === "permissive") {
      if (typeof value !== "boolean") problems.push(`'permissive' must be true or false`);
      continue;
    }
    const object = ACL_OBJECTS_1_4[key];
    if (!object) {
      const s = suggest(key, [...Object.keys(ACL_OBJECTS_1_4), "permissive"]);
      problems.push(`unknown ACL key '${key}'${s ? ` (did you mean '${s}'?)` : ""}: Mesos would silently ignore it`);
      continue;
    }
    if (!Array.isArray(value)) {
      problems.push(`'${key}' must be a list of ACL entries`);
      continue;
    }
    value.forEach((entry, i) => {
      const where = `${key}[${i}]`;
      if (typeof entry !== "object" || entry === null) return void problems.push(`${where} must be an object`);
      const e = entry as Record<string, unknown>;
      for (const k of Object.keys(e)) {
        if (k !== "principals" && k !== object) {
          const s = suggest(k, ["principals", object]);
          problems.push(`${where} has unknown key '${k}'${s ? ` (did you mean '${s}'?)` : ` (allowed: principals, ${object})`}`);
        }
      }
      if (!("principals" in e)) problems.push(`${where} needs "principals"`);
      else checkEntity(`${where}.principals`, e.principals, false, problems);
      if (!(object in e)) problems.push(`${where} needs "${object}"`);
      else {
        checkEntity(`${where}.${object}`, e[object], ANY_OR_NONE_ONLY.has(key), problems);
        if (key === "get_endpoints") {
          const vals = (e[object] as { values?: unknown }).values;
          if (Array.isArray(vals)) for (const p of vals) if (!AUTHORIZABLE_PATHS.has(String(p))) problems.push(`${where}.paths: '${String(p)}' is not an authorizable path`);
        }
      }
    });
  }
  return problems;
}
