import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * An on-disk memo of pure work, so that a start of the built CLI skips what an earlier start did with the same
 * inputs: `mesos-lab list` reads its config compiled for a native import (src/config/native-config.ts), the config as
 * zod validated it, and the catalogue listing from here, instead of loading jiti, zod and the catalogue's modules.
 * Each entry keeps the inputs its value was made from, written out in full (texts, and the size and modification time
 * of each file read), and is used only when they are exactly those of now: a stale entry is never used, only replaced
 * or pruned. Best effort: a cache folder that cannot be written is no error, the work is then done each time.
 * $XDG_CACHE_HOME/mesos-lab, else ~/.cache/mesos-lab.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), ".cache");
  return path.join(base, "mesos-lab");
}

/** Entries kept per kind; the oldest go when a new one is written (one per config file a lab ever had, …). */
const KEEP = 100;

/**
 * A short name for an entry (64-bit FNV-1a of the text, as hex): a file name, not a proof, since each entry holds
 * its inputs in full (node:crypto alone would cost `list` a few milliseconds to load).
 */
export function entryName(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/**
 * The names, sizes and modification times of `paths` as they are now, each named relative to `root`: a file as it
 * is, a folder as every `.js` file under it. A missing path counts as missing.
 */
export function filesSignature(root: string, paths: readonly string[]): string {
  const out: string[] = [];
  const file = (p: string, size: number, mtimeMs: number) => out.push(`${path.relative(root, p)} ${size} ${mtimeMs}`);
  const folder = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) folder(p);
      else if (d.isFile() && d.name.endsWith(".js")) {
        const s = statSync(p);
        file(p, s.size, s.mtimeMs);
      }
    }
  };
  for (const p of paths) {
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) out.push(`${path.relative(root, p)} missing`);
    else if (s.isDirectory()) folder(p);
    else file(p, s.size, s.mtimeMs);
  }
  return out.join("\n");
}

/**
 * The package.json of the package `name` that a module in `dir` imports (found as Node finds it, in the
 * node_modules folders from `dir` up), as text: its version, which the size and time of its files do not show since
 * npm gives every installed file the same time.
 */
export function installedPackage(name: string, dir: string): string {
  for (let cur = dir; ; ) {
    const file = path.join(cur, "node_modules", name, "package.json");
    const text = (() => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    })();
    if (text !== undefined) return `${file}\n${text}`;
    const up = path.dirname(cur);
    if (up === cur) return `${name}: not installed`;
    cur = up;
  }
}

/**
 * `value` as JSON when it is plain data that JSON holds exactly (null, booleans, finite numbers, strings, arrays, and
 * objects of enumerable string-keyed data properties with Object or null prototypes), else undefined: what a memo's
 * inputs or value may be made of.
 */
export function plainJson(value: unknown): string | undefined {
  const plain = (v: unknown): boolean => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return true;
    if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
    if (typeof v !== "object") return false;
    if (Array.isArray(v)) return Reflect.ownKeys(v).length === v.length + 1 && v.every((x, i) => Object.hasOwn(v, i) && plain(x));
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Reflect.ownKeys(v).every((k) => {
      const d = typeof k === "string" ? Object.getOwnPropertyDescriptor(v, k) : undefined;
      return d !== undefined && d.enumerable === true && "value" in d && plain(d.value);
    });
  };
  return plain(value) ? JSON.stringify(value) : undefined;
}

/** Where the entry `name` of `kind` lives. */
export function memoPath(kind: string, name: string): string {
  return path.join(cacheDir(), kind, name);
}

/** The value kept as `kind/name.json` for exactly these `inputs`, else undefined. */
export function recall<T>(kind: string, name: string, inputs: string): T | undefined {
  try {
    const entry = JSON.parse(readFileSync(memoPath(kind, `${name}.json`), "utf8")) as { inputs?: unknown; value?: T };
    return entry.inputs === inputs ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `value` (plain data only) as `kind/name.json` for `inputs`. */
export function remember(kind: string, name: string, inputs: string, value: unknown): void {
  const json = plainJson({ inputs, value });
  if (json !== undefined) writeMemoText(kind, `${name}.json`, json);
}

/** Writes an entry atomically (a temp file, then a rename); its path, or undefined when it could not be written. */
export function writeMemoText(kind: string, name: string, text: string): string | undefined {
  const file = memoPath(kind, name);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    prune(path.dirname(file));
    return file;
  } catch {
    return undefined;
  }
}

function prune(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= KEEP) return;
  const aged = names.map((name) => ({ name, at: statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => b.at - a.at);
  for (const { name } of aged.slice(KEEP)) rmSync(path.join(dir, name), { force: true });
}
