/**
 * What /flags answers, read safely. Mesos prints every flag that has a value as a string, in `{"flags": {…}}`
 * (master: src/master/http.cpp:1484-1500, agent: src/slave/http.cpp:959-975): booleans as "true"/"false", paths as
 * given, `docker_config` as the JSON it loaded (base64 `auth` included, observed-1.11.md), `acls` as protobuf text.
 *
 * The audit prints the value of a flag only when it is on PRINTABLE (booleans and module names); of every other flag
 * it says only whether it is set. Independently, secretsOf() collects what could be a secret in the answer, and the
 * renderers redact those strings from everything they print.
 */

export type Flags = Record<string, string>;

/** The flags whose values the audit may print: switches and names of built-in modules, never paths or JSON. */
const PRINTABLE = new Set([
  "authenticate_agents",
  "authenticate_slaves",
  "authenticate_frameworks",
  "authenticate_http_frameworks",
  "authenticate_http_readonly",
  "authenticate_http_readwrite",
  "authenticate_http_executors",
  "authenticators",
  "authorizers",
  "authorizer",
  "http_authenticators",
  "http_framework_authenticators",
  "http_command_executor",
  "switch_user",
]);

/** Flags that hold a credential, a key or a URL that may carry one: always redacted, whatever PRINTABLE says. */
const SECRET_FLAGS = new Set([
  "credentials",
  "credential",
  "http_credentials",
  "docker_config",
  "jwt_secret_key",
  "executor_secret_key",
  "zk",
  "master",
  "executor_environment_variables",
  "default_container_info",
  "docker_registry",
]);
const SECRET_NAME = /secret|credential|password|passwd|token|key|auth(?!enticat|oriz)|config/i;

/** `{"flags": {…}}` with string values, or undefined for anything else (a proxy's page, a truncated answer). */
export function parseFlags(body: string): Flags | undefined {
  try {
    const doc = JSON.parse(body) as { flags?: unknown };
    if (!doc || typeof doc.flags !== "object" || doc.flags === null || Array.isArray(doc.flags)) return undefined;
    const out: Flags = {};
    for (const [k, v] of Object.entries(doc.flags as Record<string, unknown>)) if (typeof v === "string") out[k] = v;
    return out;
  } catch {
    return undefined;
  }
}

/** `flag NAME = "value"` for a printable flag, `flag NAME: set` / `flag NAME: not set` for any other. */
export function showFlag(flags: Flags, name: string): string {
  const v = flags[name];
  if (v === undefined) return `flag ${name}: not set`;
  return PRINTABLE.has(name) && !SECRET_FLAGS.has(name) ? `flag ${name} = ${JSON.stringify(v)}` : `flag ${name}: set (value not shown)`;
}

/** The registries --docker_config holds a credential for (their host:port; never the credential). */
export function dockerConfigRegistries(value: string): { registries: string[]; withCredential: number } | undefined {
  try {
    const doc = JSON.parse(value) as { auths?: Record<string, Record<string, unknown>> };
    const auths = doc.auths && typeof doc.auths === "object" ? doc.auths : {};
    const registries = Object.keys(auths).sort();
    const withCredential = registries.filter((r) => {
      const e = auths[r] ?? {};
      return ["auth", "password", "identitytoken", "registrytoken"].some((k) => typeof e[k] === "string" && (e[k] as string).length > 0);
    }).length;
    return { registries, withCredential };
  } catch {
    return undefined;
  }
}

/** The strings of a JSON value stored under a key that names a secret (`auth`, `password`, `secret`, `token`, …). */
function secretStrings(v: unknown, key = ""): string[] {
  if (typeof v === "string") return SECRET_NAME.test(key) ? [v] : [];
  if (Array.isArray(v)) return v.flatMap((x) => secretStrings(x, key));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => secretStrings(x, k));
  return [];
}

/**
 * What the redactor must never print from these flags: the whole value of every flag that may hold a secret, each
 * string inside it under a key that names a secret when it is JSON (not every string: `"true"` must stay printable), a base64 `auth` decoded (`user:password`, and the password alone), and the
 * user-info of any URL (`zk://user:password@…`).
 */
export function secretsOf(flags: Flags): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(flags)) {
    const sensitive = SECRET_FLAGS.has(name) || (SECRET_NAME.test(name) && !PRINTABLE.has(name));
    for (const m of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/@\s"]+)@/gi)) {
      out.push(m[1]!);
      out.push(...m[1]!.split(":").slice(1));
    }
    if (!sensitive) continue;
    out.push(value);
    try {
      const inner = secretStrings(JSON.parse(value));
      out.push(...inner);
      for (const s of inner) {
        if (!/^[A-Za-z0-9+/=]{8,}$/.test(s)) continue;
        const decoded = Buffer.from(s, "base64").toString("utf8");
        if (/^[\x20-\x7e]+$/.test(decoded)) out.push(decoded, ...decoded.split(":").slice(1));
      }
    } catch {
      // not JSON: the whole value is already there
    }
  }
  return out.filter((s) => s.length >= 4);
}
