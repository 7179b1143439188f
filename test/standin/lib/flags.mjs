// stout-style flag loading: `--name=value` on argv, `MESOS_NAME` in env (argv wins), unknown env ignored,
// unknown argv flags rejected. Values keep their stout parsing rules (bool 1/0/true/false, file:// paths, JSON).
import fs from "node:fs";

export const PROFILE = process.env.STANDIN_PROFILE === "1.11" ? "1.11" : "1.4";
export const is111 = PROFILE === "1.11";

/**
 * The running profile's data as the product holds it (src/model/profiles/): its release, ACL tables and libprocess SSL
 * settings, written into the image as tables.json by test/standin/image.ts, so that the stand-in and the lab cannot
 * drift apart.
 * @type {{ release: string, acls: { objects: Record<string, string>, anyOrNoneOnly: string[], authorizablePaths: string[] }, sslKeys: string[] }}
 */
export const TABLES = JSON.parse(fs.readFileSync(new URL("./tables.json", import.meta.url), "utf8")).profiles[PROFILE];
export const VERSION = TABLES.release;

export class FlagError extends Error {}

export function parseBool(v, name = "?") {
  const s = String(v).trim().toLowerCase();
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  throw new FlagError(`Failed to load value '${v}' for flag '${name}': Expecting a boolean (e.g., true or false)`);
}

/** stout Path: `file:///p` and `/p` both name /p. */
export function stripFile(v) {
  return String(v).startsWith("file://") ? String(v).slice("file://".length) : String(v);
}

/** JSON-typed flags take inline JSON or `file:///p` (a bare `/p` works too, with a deprecation warning). */
export function parseJsonFlag(v, name) {
  const s = String(v).trim();
  let text = s;
  if (s.startsWith("file://") || s.startsWith("/")) {
    const p = stripFile(s);
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      throw new FlagError(
        `Failed to load value '${s}' for flag '${name}': Error reading file '${p}': ${e.code === "ENOENT" ? "No such file or directory" : e.message}`,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FlagError(`Failed to load value '${s}' for flag '${name}': Failed to parse JSON: ${e.message}`);
  }
}

/** How stout prints a JSON::Object (a std::map): keys sorted at every level, no spaces. */
export function jsonObjectString(v) {
  if (Array.isArray(v)) return `[${v.map(jsonObjectString).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${jsonObjectString(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

const UNIT_MS = { ns: 1e-6, us: 1e-3, ms: 1, secs: 1e3, mins: 6e4, hrs: 3.6e6, days: 8.64e7, weeks: 6.048e8 };
export function parseDuration(v) {
  const m = /^\s*([0-9.]+)\s*(ns|us|ms|secs|mins|hrs|days|weeks)\s*$/.exec(String(v));
  if (!m) throw new FlagError(`Failed to parse duration '${v}'`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/**
 * defs: { name: { type: "bool"|"string"|"path"|"json"|"object"|"duration"|"int", def?: string, alias?: string[] } }
 * Returns { flags: {name: parsed}, raw: {name: string} } or throws FlagError.
 */
export function loadFlags(defs, argv, env = process.env, { prefix = "MESOS_" } = {}) {
  const byName = new Map();
  for (const [name, d] of Object.entries(defs)) {
    byName.set(name, name);
    for (const a of d.alias ?? []) byName.set(a, name);
  }
  const raw = {};
  for (const [name, d] of Object.entries(defs)) if (d.def !== undefined) raw[name] = d.def;
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(prefix) || v === undefined) continue;
    const n = byName.get(k.slice(prefix.length).toLowerCase());
    if (n) raw[n] = v;
  }
  for (const a of argv) {
    const m = /^--(no-)?([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m) throw new FlagError(`Failed to load unknown flag '${a}'`);
    const n = byName.get(m[2]);
    if (!n) throw new FlagError(`Failed to load unknown flag '${m[2]}'`);
    raw[n] = m[1] ? "false" : (m[3] ?? "true");
  }
  const flags = {};
  for (const [name, v] of Object.entries(raw)) {
    const d = defs[name];
    switch (d.type) {
      case "bool":
        flags[name] = parseBool(v, name);
        break;
      case "path":
        flags[name] = stripFile(v);
        break;
      case "json":
        flags[name] = parseJsonFlag(v, name);
        break;
      case "object": {
        // stout JSON::Object: shown (startup line, /flags) as the object it parsed, not as the value given.
        const o = parseJsonFlag(v, name);
        if (o === null || typeof o !== "object" || Array.isArray(o))
          throw new FlagError(`Failed to load value '${v}' for flag '${name}': Failed to parse JSON: Expecting a JSON object`);
        flags[name] = o;
        raw[name] = jsonObjectString(o);
        break;
      }
      case "duration":
        parseDuration(v);
        flags[name] = v;
        break;
      case "int":
        flags[name] = Number.parseInt(v, 10);
        break;
      default:
        flags[name] = String(v);
    }
  }
  return { flags, raw };
}

/** `Flags at startup:` shows every flag that has a value, sorted, quoted. */
export function flagsLine(raw, defs) {
  return Object.keys(raw)
    .sort()
    .map((n) => `--${n}="${defs[n]?.type === "path" ? stripFile(raw[n]) : raw[n]}"`)
    .join(" ");
}

/** The JSON object `/flags` answers with. */
export function flagsJson(raw, defs) {
  const o = {};
  for (const n of Object.keys(raw).sort()) o[n] = defs[n]?.type === "path" ? stripFile(raw[n]) : String(raw[n]);
  return o;
}

/** Credentials files (master --credentials, agent --http_credentials): JSON or legacy `principal secret` lines. */
export function parseCredentials(text) {
  const t = text.trim();
  if (t.startsWith("{")) {
    const j = JSON.parse(t);
    return (j.credentials ?? []).map((c) => ({ principal: String(c.principal), secret: c.secret === undefined ? undefined : String(c.secret) }));
  }
  return t
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [principal, ...rest] = l.split(/\s+/);
      return { principal, secret: rest.join(" ") };
    });
}

export function tooOpen(p) {
  try {
    return (fs.statSync(p).mode & 0o007) !== 0;
  } catch {
    return false;
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
