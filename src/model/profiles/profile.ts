import type { Role } from "../roles.js";

/**
 * A profile is one Mesos release as the lab knows it: the images a user gets by default, the flags and ACL keys that
 * release reads, the facts files the catalogue's citations for it come from, and how far the catalogue is proven for
 * it. Each built-in profile is one module of this folder; lab.config.ts may add more (`profiles`), each like a
 * built-in one. The exercises do not name profiles: what differs between releases carries a release range
 * (src/model/release.ts), so a profile runs whatever covers its `release`.
 */
export interface MesosProfile {
  /** What lab.config.ts `profile` says: `1.11`. */
  name: string;
  /** The release the ranges of the catalogue are compared with: `1.11.1`. */
  release: string;
  /** Default image per role; master, agent and mesos-execute may share one image (the harness picks the program). */
  images: Readonly<Record<Role, string>>;
  /** Every flag this release reads from the environment, as env names (MESOS_…, LIBPROCESS_…, SSL_…). */
  flags: readonly string[];
  acls: AclDialect;
  /** The files of docs/facts/ its citations come from. */
  facts: readonly string[];
  /** How the catalogue is checked for this release, said by `list` and the README. */
  checked: string;
  /** The same in a few words for the TUI header; none when it is checked on real Mesos. */
  checkedShort?: string;
  /** Whether the real-Mesos suite (`npm run test:real`) runs the catalogue on this release. */
  real: boolean;
  /** The built-in profile it was made from (a lab.config.ts profile). */
  like?: string;
}

/**
 * What the local authorizer of a release reads (include/mesos/authorizer/acls.proto and LocalAuthorizer::validate).
 * Mesos parses ACL JSON with stout's protobuf reader, which silently ignores unknown keys, and `permissive` defaults to
 * true: a misspelled action authorizes everything. So the harness checks ACLs against this before a container starts.
 */
export interface AclDialect {
  /** ACL action key → its object entity. */
  objects: Readonly<Record<string, string>>;
  /** Actions whose object may only be ANY or NONE (anything else and the master exits). */
  anyOrNoneOnly: readonly string[];
  /** The paths a `get_endpoints` ACL may name. */
  authorizablePaths: readonly string[];
  /** The acls.proto these come from, for error messages. */
  source: string;
}

/**
 * The lab registry (exercise 12) is not Mesos, so it is the same for every release: the CNCF distribution registry's
 * official image (its program is `registry`), and Node.js for the token service (src/registry/token-service.ts).
 */
export const LAB_REGISTRY_IMAGES = { registry: "registry:2.8", tokens: "node:20-alpine" } as const;

/**
 * The attack steps' images: the attacker's host runs the Mesos image (it has curl, nc and openssl), the recording
 * relay Node (its program uses Node's built-ins only). A lab that sets `images.execute` or `images.tokens` moves these
 * with them (src/config/load.ts).
 */
export const attackImages = (mesos: string) => ({ attacker: mesos, relay: LAB_REGISTRY_IMAGES.tokens });

/** The env names of Mesos flags (`acls` → `MESOS_ACLS`). */
export const mesosEnv = (flags: readonly string[]): string[] => flags.map((f) => `MESOS_${f.toUpperCase()}`);

/** The env names of libprocess flags: LIBPROCESS_X, and SSL_X for the SSL ones, which libprocess reads with either prefix. */
export const libprocessEnv = (flags: readonly string[]): string[] =>
  flags.map((f) => f.toUpperCase()).flatMap((f) => (f.startsWith("SSL_") ? [`LIBPROCESS_${f}`, f] : [`LIBPROCESS_${f}`]));

/** What a profile changes from the one it is made from. */
export interface ProfileChanges {
  name: string;
  release: string;
  images?: Partial<Record<Role, string>>;
  flags?: { add?: readonly string[]; remove?: readonly string[] };
  /** ACL keys and ANY-or-NONE-only actions it adds; the authorizable paths and the acls.proto it has instead. */
  acls?: { objects?: Readonly<Record<string, string>>; anyOrNoneOnly?: readonly string[]; authorizablePaths?: readonly string[]; source?: string };
  facts?: readonly string[];
  checked: string;
  checkedShort?: string;
  real: boolean;
  like?: string;
}

/** A profile made from `base`: its images, flags, ACL keys and facts, with `changes` on top. */
export function deriveProfile(base: MesosProfile, changes: ProfileChanges): MesosProfile {
  const removed = new Set(changes.flags?.remove ?? []);
  const acls = changes.acls ?? {};
  return {
    name: changes.name,
    release: changes.release,
    images: { ...base.images, ...changes.images },
    flags: [...base.flags.filter((f) => !removed.has(f)), ...(changes.flags?.add ?? []).filter((f) => !base.flags.includes(f))],
    acls: {
      objects: { ...base.acls.objects, ...acls.objects },
      anyOrNoneOnly: [...base.acls.anyOrNoneOnly, ...(acls.anyOrNoneOnly ?? [])],
      authorizablePaths: acls.authorizablePaths ?? base.acls.authorizablePaths,
      source: acls.source ?? base.acls.source,
    },
    facts: changes.facts ?? base.facts,
    checked: changes.checked,
    checkedShort: changes.checkedShort,
    real: changes.real,
    like: changes.like,
  };
}
