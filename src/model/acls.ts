import type { AclDialect } from "./profiles/index.js";

/**
 * ACLs as the local authorizer of one release reads them (its profile's AclDialect): Mesos silently ignores unknown
 * keys and `permissive` defaults to true, so a misspelled action authorizes everything. The harness checks every ACL
 * before any container starts (facts §1.7 "Local authorizer gotchas", §4 ACLs table).
 */

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
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
  if (e.type !== undefined && !["SOME", "ANY", "NONE"].includes(String(e.type)))
    problems.push(`${where}.type must be SOME, ANY or NONE, not '${String(e.type)}'`);
  if (e.values !== undefined && (!Array.isArray(e.values) || e.values.some((x) => typeof x !== "string")))
    problems.push(`${where}.values must be a list of strings`);
  const some = e.type === undefined || e.type === "SOME";
  if (some && e.values === undefined) problems.push(`${where} needs "values" (or "type": "ANY"/"NONE")`);
  if (anyOrNoneOnly && some) problems.push(`${where} type must be either NONE or ANY (Mesos exits with 'Could not create 'local' authorizer')`);
}

/** Returns the problems found; empty means the release of `dialect` would read every key of it. */
export function validateAcls(input: string | unknown, dialect: AclDialect): string[] {
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
    const object = dialect.objects[key];
    if (!object) {
      const s = suggest(key, [...Object.keys(dialect.objects), "permissive"]);
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
        checkEntity(`${where}.${object}`, e[object], dialect.anyOrNoneOnly.includes(key), problems);
        if (key === "get_endpoints") {
          const vals = (e[object] as { values?: unknown }).values;
          if (Array.isArray(vals))
            for (const p of vals)
              if (!dialect.authorizablePaths.includes(String(p))) problems.push(`${where}.paths: '${String(p)}' is not an authorizable path`);
        }
      }
    });
  }
  return problems;
}
