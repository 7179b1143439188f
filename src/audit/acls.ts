/**
 * The `acls` flag as /flags prints it, and the local authorizer's decision, as Mesos makes it. /flags stringifies the
 * ACLs with protobuf's DebugString (src/authorizer/acls.cpp:25-28), the text format, not the JSON the flag was given
 * in: `permissive: false\nrun_tasks {\n  principals {\n    values: "a"\n  }\n  users {\n    type: ANY\n  }\n}\n`.
 * DebugString prints only the fields that are set, so a missing `permissive` is its default, true
 * (include/mesos/authorizer/acls.proto:647). JSON is accepted too (a value that starts with `{`).
 */

export type EntityType = "SOME" | "ANY" | "NONE";
export interface Entity {
  type: EntityType;
  values: string[];
}
export interface Rule {
  /** The rule's position in its action's list, from 1, as an operator counts them in the JSON. */
  index: number;
  subject: Entity;
  /** The object entity's field name (`users`, `roles`, `framework_principals`, …). */
  objectField: string;
  object: Entity;
}
export interface Acls {
  permissive: boolean;
  /** Action (the ACLs message's field, e.g. `run_tasks`) → its rules in order. */
  rules: Record<string, Rule[]>;
}

type TextValue = string | TextMessage;
type TextMessage = Array<[string, TextValue]>;

const TOKEN = /\s*(?:(\{|\}|:)|"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.+-]+))/y;

/** Unescapes what protobuf's text format escapes in strings (C escapes, octal bytes). */
function unescapeText(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const n = s[++i] ?? "";
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, "\\": 92 };
    if (n in simple) bytes.push(simple[n]!);
    else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(s.slice(i))![0];
      bytes.push(Number.parseInt(oct, 8));
      i += oct.length - 1;
    } else bytes.push(...Buffer.from(n, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Protobuf text format, as far as DebugString writes it: `name: scalar`, `name { … }`. */
export function parseTextFormat(text: string): TextMessage {
  const tokens: Array<{ kind: "punct" | "string" | "word"; value: string }> = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`unexpected text at offset ${at}`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: "punct", value: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: "string", value: unescapeText(m[2]) });
    else tokens.push({ kind: "word", value: m[3]! });
  }
  let i = 0;
  const message = (nested: boolean): TextMessage => {
    const out: TextMessage = [];
    while (i < tokens.length) {
      const t = tokens[i]!;
      if (t.kind === "punct" && t.value === "}") {
        if (!nested) throw new Error("unbalanced }");
        i++;
        return out;
      }
      if (t.kind !== "word") throw new Error(`expected a field name, got ${t.value}`);
      i++;
      if (tokens[i]?.value === ":") i++;
      const v = tokens[i];
      if (!v) throw new Error(`field ${t.value} has no value`);
      if (v.kind === "punct" && v.value === "{") {
        i++;
        out.push([t.value, message(true)]);
      } else if (v.kind === "punct") throw new Error(`unexpected ${v.value} after ${t.value}`);
      else {
        i++;
        out.push([t.value, v.value]);
      }
    }
    if (nested) throw new Error("unbalanced {");
    return out;
  };
  return message(false);
}

const entityOfText = (m: TextMessage): Entity => {
  const type = m.find(([k]) => k === "type")?.[1];
  return {
    type: type === "ANY" || type === "NONE" ? type : "SOME",
    values: m.filter(([k, v]) => k === "values" && typeof v === "string").map(([, v]) => v as string),
  };
};

const entityOfJson = (v: unknown): Entity => {
  const o = (v && typeof v === "object" ? v : {}) as { type?: unknown; values?: unknown };
  return {
    type: o.type === "ANY" || o.type === "NONE" ? o.type : "SOME",
    values: Array.isArray(o.values) ? o.values.filter((x): x is string => typeof x === "string") : [],
  };
};

/** The flag's value (text format or JSON) as rules; throws on a value it cannot read. */
export function parseAcls(value: string): Acls {
  const acls: Acls = { permissive: true, rules: {} };
  if (value.trimStart().startsWith("{")) {
    const json = JSON.parse(value) as Record<string, unknown>;
    for (const [action, list] of Object.entries(json)) {
      if (action === "permissive") acls.permissive = list !== false;
      else if (Array.isArray(list))
        acls.rules[action] = list.map((r: Record<string, unknown>, n) => {
          const objectField = Object.keys(r).find((k) => k !== "principals") ?? "";
          return { index: n + 1, subject: entityOfJson(r.principals), objectField, object: entityOfJson(r[objectField]) };
        });
    }
    return acls;
  }
  for (const [action, v] of parseTextFormat(value)) {
    if (action === "permissive") {
      acls.permissive = v !== "false";
      continue;
    }
    if (typeof v === "string") continue;
    const principals = v.find(([k]) => k === "principals")?.[1];
    const other = v.find(([k]) => k !== "principals");
    const list = (acls.rules[action] ??= []);
    list.push({
      index: list.length + 1,
      subject: entityOfText(typeof principals === "object" ? principals : []),
      objectField: other?.[0] ?? "",
      object: entityOfText(other && typeof other[1] === "object" ? other[1] : []),
    });
  }
  return acls;
}

// The local authorizer's matching, line for line: src/authorizer/local/authorizer.cpp:78-127 (matches) and
// :129-180 (allows). SOME of a request matches ANY and NONE, and SOME whose values contain all of its own.
const subset = (request: Entity, acl: Entity) => request.values.every((v) => acl.values.includes(v));

function matches(request: Entity, acl: Entity): boolean {
  if (request.type === "NONE") return acl.type === "NONE";
  if (request.type === "ANY") return acl.type === "ANY" || acl.type === "NONE";
  if (acl.type === "ANY" || acl.type === "NONE") return true;
  return subset(request, acl);
}

function allows(request: Entity, acl: Entity): boolean {
  if (request.type === "NONE") return acl.type === "NONE";
  if (request.type === "ANY") return acl.type === "ANY";
  if (acl.type === "ANY") return true;
  if (acl.type === "NONE") return false;
  return subset(request, acl);
}

export interface Decision {
  allowed: boolean;
  /** The rule that decided, or undefined when none matched and `permissive` did. */
  rule?: Rule;
}

/** The first rule whose subject and object both match decides; none: `permissive` (authorizer.cpp:453-465). */
export function approved(acls: Acls, action: string, subject: Entity, object: Entity): Decision {
  for (const rule of acls.rules[action] ?? []) {
    if (matches(subject, rule.subject) && matches(object, rule.object)) {
      return { allowed: allows(subject, rule.subject) && allows(object, rule.object), rule };
    }
  }
  return { allowed: acls.permissive };
}

/** A caller without a principal is the subject ANY (authorizer.cpp:191-197); a principal is SOME of its name. */
export const ANONYMOUS: Entity = { type: "ANY", values: [] };
/** An object the call does not name (a session that asks for no user): ANY, as the authorizer builds it. */
export const ANY_OBJECT: Entity = { type: "ANY", values: [] };
export const principal = (name: string): Entity => ({ type: "SOME", values: [name] });
export const some = (value: string): Entity => ({ type: "SOME", values: [value] });

const describeEntity = (e: Entity) => (e.type === "SOME" ? `[${e.values.join(", ")}]` : e.type);
export const describeRule = (action: string, r: Rule) =>
  `${action} rule ${r.index}: principals ${describeEntity(r.subject)} → ${r.objectField} ${describeEntity(r.object)}`;

/** Every principal a rule names: with one no rule names, the subjects worth asking the authorizer about. */
export function namedPrincipals(acls: Acls): string[] {
  return [...new Set(Object.values(acls.rules).flatMap((rules) => rules.flatMap((r) => (r.subject.type === "SOME" ? r.subject.values : []))))].sort();
}
