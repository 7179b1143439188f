// The local authorizer: ACLs JSON (acls.proto), LocalAuthorizer::validate, and first-match-wins evaluation.
// Unknown keys are dropped silently, as stout's protobuf JSON parser does.
import { FlagError, TABLES } from "./flags.mjs";

/**
 * The local authorizer's tables of the running profile: ACL key -> object entity field, the ANY-or-NONE-only keys and
 * the authorizable paths, the lab's ACL checker's own (TABLES, from src/model/profiles/).
 */
export const ACL_OBJECTS = TABLES.acls.objects;
const ANY_OR_NONE_ONLY = TABLES.acls.anyOrNoneOnly;
const AUTHORIZABLE_PATHS = TABLES.acls.authorizablePaths;

function entity(e, where) {
  if (e === undefined) return { type: "ANY" };
  if (typeof e !== "object" || e === null || Array.isArray(e)) throw new Error(`Failed to find value for ${where}: expecting a JSON object`);
  const type = e.type === undefined ? "SOME" : String(e.type);
  if (!["SOME", "ANY", "NONE"].includes(type)) throw new Error(`Failed to find enum for '${where}.type': '${type}'`);
  const values = e.values === undefined ? [] : e.values;
  if (!Array.isArray(values)) throw new Error(`Not expecting a JSON array for field '${where}.values'`);
  return { type, values: values.map(String) };
}

/** Parses ACLs JSON into { permissive, rules: {key: [{subject, object}]} }; throws on type errors. */
export function parseAcls(json) {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("Expecting a JSON object for ACLs");
  const acls = { permissive: json.permissive === undefined ? true : Boolean(json.permissive), rules: {} };
  for (const [key, field] of Object.entries(ACL_OBJECTS)) {
    const list = json[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new Error(`Expecting a JSON array for field '${key}'`);
    acls.rules[key] = list.map((a, i) => ({ subject: entity(a.principals, `${key}[${i}].principals`), object: entity(a[field], `${key}[${i}].${field}`) }));
  }
  return acls;
}

/** LocalAuthorizer::validate: returns an error string or undefined. */
export function validateAcls(acls) {
  for (const key of ANY_OR_NONE_ONLY) {
    for (const a of acls.rules[key] ?? []) if (a.object.type === "SOME") return `acls.${key} type must be either NONE or ANY`;
  }
  for (const a of acls.rules.get_endpoints ?? []) {
    if (a.object.type !== "SOME") continue;
    for (const p of a.object.values) if (!AUTHORIZABLE_PATHS.includes(p)) return `Path: '${p}' is not an authorizable path`;
  }
  return undefined;
}

function matches(req, acl) {
  if (req.type === "NONE") return acl.type === "NONE";
  if (req.type === "ANY") return acl.type === "ANY" || acl.type === "NONE";
  if (acl.type === "SOME") return req.values.every((v) => acl.values.includes(v));
  return true;
}

function allows(req, acl) {
  if (req.type === "NONE") return acl.type === "ANY";
  if (req.type === "ANY") return acl.type === "ANY";
  if (acl.type === "SOME") return req.values.every((v) => acl.values.includes(v));
  return acl.type === "ANY";
}

/** Request entities: a principal string (or none -> ANY) and an object value (or none -> ANY). */
export function authorize(acls, key, principal, object) {
  if (!acls) return true;
  const subject = principal ? { type: "SOME", values: [principal] } : { type: "ANY", values: [] };
  const obj = object === undefined || object === null ? { type: "ANY", values: [] } : { type: "SOME", values: [String(object)] };
  for (const a of acls.rules[key] ?? []) {
    if (matches(subject, a.subject) && matches(obj, a.object)) return allows(subject, a.subject) && allows(obj, a.object);
  }
  return acls.permissive;
}

/** The `--acls` flag value: JSON parsed into ACLs at flag-load time, so type errors are flag errors. */
export function parseAclsFlag(json, rawValue) {
  try {
    return parseAcls(json);
  } catch (e) {
    throw new FlagError(`Failed to load value '${rawValue}' for flag 'acls': ${e.message}`);
  }
}
