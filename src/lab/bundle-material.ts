import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from "node:fs";
import path from "node:path";
import type { LabConfig } from "../config/schema.js";
import { REGISTRY_ACCOUNTS, type LeafRole } from "../pki/index.js";
import { LabError } from "../util/errors.js";

/**
 * What lab material a bundle may carry, where it goes, and how it is written.
 *
 * A bundle names material by folder and file, `ssl/<file>` and `credentials/<file>`, whatever the folders are called
 * in a lab's config; the import maps them onto the configured `material.ssl` / `material.credentials` folders. Only
 * the files src/pki/material.ts generates are accepted: src/pki exports no list of its file names, so the list is
 * built here from its `LeafRole` type (the `satisfies` below stops compiling when a role is added there) and
 * test/unit/bundle-material.test.ts checks it against the files `ensureLabMaterial` really writes, modes included.
 */

const LEAF_ROLES = Object.keys({ master: 0, agent: 0, scheduler: 0, zk: 0, executor: 0 } satisfies Record<LeafRole, 0>) as LeafRole[];
const pair = (base: string) => [`${base}.pem`, `${base}-key.pem`];

/** ssl/: the CA, a leaf per role, the workshop's single cert.pem/key.pem, the rogue CA and its agent leaf, the registry's token issuer. */
const SSL_FILES = new Set(["ca", ...LEAF_ROLES, "rogue-ca", "rogue-agent", "token-issuer"].flatMap(pair).concat("cert.pem", "key.pem"));
/** ssl/issued/<16 hex>/: the leaves `issueForNetwork` issues for one network's addresses. */
const ISSUED_FILES = new Set([...LEAF_ROLES, "rogue-agent"].flatMap(pair).concat("cert.pem", "key.pem"));
const ISSUED_DIR = /^[0-9a-f]{16}$/;
/** credentials/: the Mesos credential files, the executor JWT key, the lab registry's accounts and Docker configs. */
const CREDENTIAL_FILES = new Set([
  ...["secrets.json", "executor_secret_key", "credentials.json", "http_credentials.json", "credential.json", "wrong-credential.json", "registry-accounts.json"],
  ...REGISTRY_ACCOUNTS.map((a) => `docker-config-${a}.json`),
]);

export type MaterialFolder = "ssl" | "credentials";

export interface MaterialName {
  /** as the bundle names it, e.g. `ssl/ca.pem` */
  name: string;
  folder: MaterialFolder;
  /** path segments under the folder, e.g. ["issued", "0123456789abcdef", "master.pem"] */
  parts: string[];
  /** the mode it is written with, whatever the archive says: keys and secrets 0600, certificates 0644 */
  mode: number;
}

/** Every name the allow-list holds outside ssl/issued/ (for messages and tests). */
export const MATERIAL_NAMES: readonly string[] = [...[...SSL_FILES].map((f) => `ssl/${f}`), ...[...CREDENTIAL_FILES].map((f) => `credentials/${f}`)];

const ALLOWED_HINT = "a bundle carries only the lab's generated ssl/*.pem and credentials/ files";

/**
 * Why a material name is refused, or what it is. Checks the name only; the entry's type (regular file, not a link
 * or device) is the reader's business.
 */
export function classifyMaterial(name: string): MaterialName | { refused: string } {
  if (name === "") return { refused: "has an empty name" };
  if (name.includes("\0") || name.includes("\\")) return { refused: "has a name with a NUL or backslash" };
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return { refused: "is an absolute path" };
  const parts = name.split("/");
  if (parts.includes("..")) return { refused: "climbs out of its folder (..)" };
  if (parts.some((p) => p === "" || p === ".")) return { refused: "is not a plain relative path (empty or '.' segment)" };
  if (parts.length === 1 && parts[0] === "lab.config.ts") return { refused: "is the lab's config, which runs as code" };
  if (parts[0] === "exercises" || parts[0] === "workspace") return { refused: `is in ${parts[0]}/, which belongs to the lab, not to its material` };
  if (parts.some((p) => p.startsWith("."))) return { refused: "is a hidden file" };
  const [folder, ...rest] = parts;
  const file = rest[rest.length - 1] ?? "";
  const mode = file.endsWith(".pem") && !file.endsWith("key.pem") ? 0o644 : 0o600;
  if (folder === "credentials" && rest.length === 1 && CREDENTIAL_FILES.has(file)) return { name, folder, parts: rest, mode: 0o600 };
  if (folder === "ssl" && rest.length === 1 && SSL_FILES.has(file)) return { name, folder, parts: rest, mode };
  if (folder === "ssl" && rest.length === 3 && rest[0] === "issued" && ISSUED_DIR.test(rest[1]!) && ISSUED_FILES.has(file))
    return { name, folder, parts: rest, mode };
  return { refused: `is not a file a lab's material has (${ALLOWED_HINT})` };
}

export const materialRefused = (file: string, entry: string, why: string) =>
  new LabError(
    "usage",
    `${file} is refused: '${entry}' ${why}; nothing was imported`,
    `A bundle sets this lab's certificates and credentials: import only one made by \`mesos-lab bundle export\` and handed to you by your instructor. \`mesos-lab bundle inspect ${file}\` shows what it holds.`,
  );

/** The configured folders, absolute. */
export function materialFolders(config: Pick<LabConfig, "root" | "material">): Record<MaterialFolder, string> {
  return { ssl: path.resolve(config.root, config.material.ssl), credentials: path.resolve(config.root, config.material.credentials) };
}

const lstat = (p: string): Stats | undefined => lstatSync(p, { throwIfNoEntry: false });

/**
 * The folders from the lab folder (or, for a folder configured outside it, from the folder itself) down to `dir`:
 * none may be a symlink (a write through it could land anywhere) or anything but a folder. Missing ones are fine.
 */
function checkFolderChain(root: string, dir: string, label: string, refuse: (why: string) => LabError): void {
  const rel = path.relative(root, dir);
  const inside = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  const chain: string[] = [];
  if (inside) {
    let at = root;
    for (const seg of rel.split(path.sep)) chain.push((at = path.join(at, seg)));
  } else chain.push(dir);
  for (const p of chain) {
    const st = lstat(p);
    if (!st) return;
    const shown = inside ? path.relative(root, p) : p;
    if (st.isSymbolicLink()) throw refuse(`the lab's ${label} folder path '${shown}' is a symbolic link; material is written only into a real folder`);
    if (!st.isDirectory()) throw refuse(`the lab's ${label} folder path '${shown}' is not a folder`);
  }
}

export interface MaterialTarget {
  name: string;
  abs: string;
  mode: number;
  data: Buffer;
  /** a file (or a symlink) is already there */
  exists: boolean;
}

/**
 * Where each material file would go in this lab, checked without writing: the folders on the way are real folders
 * (no symlink), and an existing target is not a folder. Throws a refusal naming the entry or folder.
 */
export function planMaterial(config: Pick<LabConfig, "root" | "material">, file: string, files: Array<{ name: string; data: Buffer }>): MaterialTarget[] {
  const root = path.resolve(config.root);
  const folders = materialFolders(config);
  const refuse = (why: string) =>
    new LabError(
      "usage",
      `${file} cannot be imported here: ${why}; nothing was imported`,
      "Replace the symbolic link by a real folder (or point `material` in lab.config.ts at one), then import again.",
    );
  const out: MaterialTarget[] = [];
  for (const f of files) {
    const c = classifyMaterial(f.name);
    if ("refused" in c) throw materialRefused(file, `material/${f.name}`, c.refused);
    const abs = path.join(folders[c.folder], ...c.parts);
    checkFolderChain(root, path.dirname(abs), c.folder, refuse);
    const st = lstat(abs);
    if (st?.isDirectory()) throw refuse(`'${path.relative(root, abs)}' is a folder where the bundle has the file ${c.name}`);
    out.push({ name: c.name, abs, mode: c.mode, data: f.data, exists: !!st });
  }
  return out;
}

export interface StagedMaterial {
  /** moves every staged file into place, all or none; returns what it wrote */
  commit(): string[];
  /** removes the staging folder (after commit, or instead of it) */
  discard(): void;
}

/**
 * Writes the files to replace into a private staging folder inside the lab folder (the same filesystem as the
 * material folders by default, so moving them into place is a rename), with their final modes. Nothing outside the
 * staging folder changes until `commit`.
 */
export function stageMaterial(root: string, targets: MaterialTarget[]): StagedMaterial {
  if (targets.length === 0) return { commit: () => [], discard: () => undefined };
  const dir = mkdtempSync(path.join(root, ".mesos-lab-import-"));
  chmodSync(dir, 0o700);
  const staged = targets.map((t, i) => {
    const p = path.join(dir, `new-${i}`);
    writeFileSync(p, t.data, { mode: t.mode, flag: "wx" });
    chmodSync(p, t.mode);
    return { ...t, staged: p, backup: path.join(dir, `old-${i}`) };
  });
  return {
    commit() {
      const rootAbs = path.resolve(root);
      const undo: Array<() => void> = [];
      try {
        for (const t of staged) {
          // the folders are checked again right before the write: they may have changed since the plan
          checkFolderChain(
            rootAbs,
            path.dirname(t.abs),
            "material",
            (why) => new LabError("labMaterial", `import stopped: ${why}`, "Replace the symbolic link by a real folder, then import again."),
          );
          for (const created of mkdirs(path.dirname(t.abs))) undo.push(() => rmdirSync(created));
          if (lstat(t.abs)) {
            renameSync(t.abs, t.backup);
            undo.push(() => renameSync(t.backup, t.abs));
          }
          moveInto(t.staged, t.abs, t.mode);
          undo.push(() => unlinkSync(t.abs));
        }
      } catch (err) {
        for (const u of undo.reverse()) {
          try {
            u();
          } catch {
            /* keep undoing what can be undone */
          }
        }
        throw err instanceof LabError
          ? err
          : new LabError(
              "labMaterial",
              `could not write the lab material: ${(err as Error).message}; the lab folder was left as it was`,
              "Check that the lab's ssl/ and credentials/ folders are writable, then import again.",
              { cause: err },
            );
      }
      return staged.map((t) => t.name);
    },
    discard: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** mkdir -p with the material folders' 0700; returns the folders it created, outermost first. */
function mkdirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !lstat(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d, { mode: 0o700 });
    chmodSync(d, 0o700);
  }
  return missing;
}

/** A rename; across filesystems (a material folder configured elsewhere) a copy next to the target, then a rename. */
function moveInto(from: string, to: string, mode: number): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    const tmp = `${to}.${randomBytes(4).toString("hex")}.tmp`;
    copyFileSync(from, tmp, constants.COPYFILE_EXCL);
    chmodSync(tmp, mode);
    renameSync(tmp, to);
  }
}

export interface ExportedMaterial {
  files: Array<{ name: string; data: Buffer; mode: number }>;
  /** files in the material folders that are not lab material (or not regular files), left out */
  skipped: string[];
}

/**
 * The material files to export: regular files on the allow-list, read without following a symlink. A material folder
 * that is a symlink is refused (an export never follows one out of the lab folder); symlinks, devices and files a
 * lab does not generate inside them are left out and named.
 */
export function collectMaterial(config: Pick<LabConfig, "root" | "material">): ExportedMaterial {
  const root = path.resolve(config.root);
  const folders = materialFolders(config);
  const files: ExportedMaterial["files"] = [];
  const skipped: string[] = [];
  for (const folder of ["ssl", "credentials"] as const) {
    checkFolderChain(
      root,
      folders[folder],
      folder,
      (why) =>
        new LabError(
          "usage",
          `cannot export the lab material: ${why}`,
          "Replace the symbolic link by a real folder holding the material (or run `mesos-lab ssl` to generate it), then export again.",
        ),
    );
    const walk = (dir: string, parts: string[]) => {
      if (!lstat(dir)) return;
      for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const sub = [...parts, d.name];
        const name = [folder, ...sub].join("/");
        if (d.isDirectory()) {
          walk(path.join(dir, d.name), sub);
          continue;
        }
        const c = classifyMaterial(name);
        if ("refused" in c || !d.isFile()) {
          skipped.push(name);
          continue;
        }
        const data = readNoFollow(path.join(dir, d.name));
        if (data) files.push({ name, data, mode: c.mode });
        else skipped.push(name);
      }
    };
    walk(folders[folder], []);
  }
  return { files, skipped };
}

/** A regular file's content, or undefined when it is (or has become) anything else; never follows a symlink. */
function readNoFollow(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}
