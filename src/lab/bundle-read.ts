import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { LabError } from "../util/errors.js";
import { classifyMaterial, materialRefused } from "./bundle-material.js";

/**
 * Reading a bundle, in two passes over the file, and never writing anything while doing so.
 *
 * Pass 1 (`readBundle`, also all of `bundle inspect`) checks the whole bundle: the manifest must be the first entry
 * and is checked before any other entry is looked at; the material entries must be regular files with names a lab's
 * material has, each listed in the manifest, once; the images part (docker save's own entries) must name, in its
 * manifest.json (and its repositories / index.json), exactly the images the bundle's manifest lists, and every file
 * that manifest.json points at must be there. Material is small and kept in memory (capped); image layers are only
 * counted and drained, so memory stays bounded and nothing is spooled to disk.
 *
 * Pass 2 (`loadBundleImages`) reads the file again and streams into `docker load` only the entries pass 1 found
 * referenced by the listed images (their configs and layers, and the symlinks leading to them), followed by a
 * manifest.json written here from the checked one. `docker load` loads whatever its tar's manifest.json (or, without
 * one, its `repositories`) names, so handing it the archive's own tar would load images nobody listed; handing it
 * a tar it can only read our manifest.json from loads the listed images and nothing else. Putting manifest.json last
 * means a load cut short (the file changed under us, an entry went missing) never sees it and loads nothing.
 * The alternative, buffering the image part until it is checked, would need disk the size of the images; reading
 * the file twice costs a second read (and gunzip) of the bundle instead.
 */

export const MANIFEST = "mesos-lab-bundle.json";
/** version 1: docker save spooled into one entry */
export const IMAGES_V1 = "images.tar";
/** version 2: docker save's own entries under this prefix */
export const IMAGES = "images/";
export const MATERIAL = "material/";

/** Caps: a manifest and a material file are a few kB, docker save's metadata a few hundred. */
const MANIFEST_MAX = 1 << 20;
const MATERIAL_FILE_MAX = 1 << 20;
const MATERIAL_TOTAL_MAX = 16 << 20;
const SAVE_METADATA_MAX = 16 << 20;
/** files up to this size in the images part are hashed in pass 1 (image configs: their sha256 is the image id) */
const HASH_MAX = 4 << 20;
const SAVE_METADATA = new Set(["manifest.json", "repositories", "index.json"]);

export interface BundleManifest {
  version: 1 | 2;
  createdAt: string;
  profile: string;
  images: string[];
  material: string[];
}

export type BundleProgress = (p: { phase: "save" | "check" | "load"; bytes: number; total?: number }) => void;

/** Counts bytes as they pass. A Transform, not a "data" listener: that would start the flow before the consumer is attached. */
export function counter(phase: "save" | "check" | "load", onProgress: BundleProgress, total?: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      onProgress({ phase, bytes, total });
      cb(null, chunk);
    },
  });
}

export function isGzip(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

type Walker = (h: tar.Header, body: Readable) => Promise<void>;

/** Every entry of a tar read from `streams` (a file, maybe through a counter and gunzip), one at a time. */
async function walk(streams: NodeJS.ReadableStream[] | Readable[], onEntry: Walker): Promise<void> {
  const extract = tar.extract();
  let feedError: unknown;
  const fed = pipeline([...(streams as Readable[]), extract] as unknown as [Readable, NodeJS.WritableStream]).then(
    () => undefined,
    (err: unknown) => void (feedError = err),
  );
  try {
    for await (const entry of extract) {
      await onEntry(entry.header, entry as unknown as Readable);
      entry.resume();
    }
  } catch (err) {
    await fed;
    // a cut gzip stream fails in gunzip, whatever the tar reader made of the bytes before; the reader stopping
    // early (a refused entry) only closes the feed early
    const early = (feedError as NodeJS.ErrnoException | undefined)?.code === "ERR_STREAM_PREMATURE_CLOSE";
    throw feedError && !early && !(err instanceof LabError) ? feedError : err;
  }
  await fed;
  if (feedError) throw feedError;
}

async function drain(body: Readable, each?: (c: Buffer) => void): Promise<void> {
  for await (const c of body) each?.(c as Buffer);
}

async function readCapped(body: Readable, size: number | undefined, cap: number, tooBig: () => Error): Promise<Buffer> {
  if ((size ?? 0) > cap) throw tooBig();
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += (c as Buffer).length;
    if (n > cap) throw tooBig();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * An image reference as docker save writes it in RepoTags: `docker.io/` and `library/` dropped, `:latest` added.
 * Only for comparing; a digest reference stays as it is (docker save writes no tag for it).
 */
export function familiar(ref: string): string {
  let r = ref.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "");
  const first = r.split("/")[0] ?? "";
  const hasRegistry = r.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) r = r.replace(/^library\//, "");
  if (!r.includes("@") && !/:[^/]+$/.test(r)) r += ":latest";
  return r;
}

const IMAGE_REF = /^[a-z0-9][a-z0-9._/:@-]*$/i;

interface SaveEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "link";
  size: number;
  linkname?: string;
  sha256?: string;
}

export interface BundleImage {
  /** the tags it is loaded under, as the bundle's manifest lists them */
  tags: string[];
  /** sha256 of its config: the Id `docker image inspect` shows on the classic image store */
  id: string;
  /** bytes it takes in the bundle (config and layers, uncompressed) */
  size: number;
  layers: number;
}

export interface BundleContents {
  file: string;
  /** the file's size */
  bytes: number;
  gzip: boolean;
  manifest: BundleManifest;
  images: BundleImage[];
  material: Array<{ name: string; size: number; mode: number; data: Buffer }>;
  /** what pass 2 needs */
  load: { stamp: string; entries: Map<string, SaveEntry>; names: Set<string>; manifestJson?: Buffer };
}

const stampOf = (st: Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;

function errors(file: string) {
  return {
    notBundle: (why: string) =>
      new LabError("usage", `${file} is not a mesos-lab bundle: ${why}`, "Pass the .tar or .tar.gz that `mesos-lab bundle export` wrote."),
    damaged: (why: string) =>
      new LabError("usage", `${file} is damaged: ${why}`, "Copy the bundle again from the instructor's original and re-run `mesos-lab bundle import`."),
    foreign: (why: string) =>
      new LabError(
        "usage",
        `${file} is damaged or foreign: ${why}; nothing was imported`,
        "Use the bundle exactly as `mesos-lab bundle export` wrote it, from your instructor; `mesos-lab bundle inspect` shows what a bundle holds.",
      ),
  };
}

/** A docker save entry's name as pass 2 writes it: no `./`, no trailing `/`; undefined for the archive root. */
function saveName(raw: string, e: ReturnType<typeof errors>): string | undefined {
  const n = path.posix.normalize(raw.replace(/^(\.\/)+/, "")).replace(/\/+$/, "");
  if (n === "" || n === ".") return undefined;
  if (n.startsWith("/") || n === ".." || n.startsWith("../") || n.includes("\0"))
    throw e.foreign(`its images part holds an entry named '${raw}', which docker save never writes`);
  return n;
}

/**
 * A version-2 images/ entry as docker save wrote it: the prefix dropped from its name, and from a hard link's target
 * (export renames both); a hard link to anything outside images/ is left pointing out, which `saveName` refuses.
 */
function outOfImages(h: tar.Header): tar.Header {
  const linkname = h.type === "link" && h.linkname ? (h.linkname.startsWith(IMAGES) ? h.linkname.slice(IMAGES.length) : `../${h.linkname}`) : h.linkname;
  return { ...h, name: h.name.slice(IMAGES.length), linkname };
}

/** Pass 1 over the images part (docker save's entries): what it holds, metadata kept, small files hashed. */
class SaveReader {
  readonly entries = new Map<string, SaveEntry>();
  readonly metadata = new Map<string, Buffer>();
  constructor(private readonly e: ReturnType<typeof errors>) {}

  add: Walker = async (h, body) => {
    const name = saveName(h.name, this.e);
    if (name === undefined) return drain(body);
    if (this.entries.has(name)) throw this.e.foreign(`its images part holds '${name}' twice`);
    const type = h.type === "contiguous-file" ? "file" : h.type;
    if (type === "file") {
      const size = h.size ?? 0;
      if (SAVE_METADATA.has(name)) {
        const data = await readCapped(body, size, SAVE_METADATA_MAX, () => this.e.foreign(`its images' ${name} is larger than docker save writes`));
        this.metadata.set(name, data);
      }
      const hash = size <= HASH_MAX ? createHash("sha256") : undefined;
      await drain(body, (c) => hash?.update(c));
      this.entries.set(name, { name, type, size, sha256: hash?.digest("hex") });
    } else if (type === "directory") {
      await drain(body);
      this.entries.set(name, { name, type, size: 0 });
    } else if (type === "symlink" || type === "link") {
      await drain(body);
      if (!h.linkname) throw this.e.foreign(`its images part holds the link '${name}' without a target`);
      const linkname = type === "link" ? saveName(h.linkname, this.e) : h.linkname;
      if (linkname === undefined) throw this.e.foreign(`its images part holds the link '${name}' without a target`);
      if (type === "link" && this.entries.get(linkname)?.type !== "file")
        throw this.e.damaged(`its images part holds the hard link '${name}' to '${h.linkname}', which comes nowhere before it`);
      this.entries.set(name, { name, type, size: 0, linkname });
    } else {
      throw this.e.foreign(`its images part holds '${name}', a ${h.type ?? "unknown"} entry, which docker save never writes`);
    }
  };

  /** The regular file `name` stands for, following symlinks (relative to their folder) and hard links; the chain is added to `into`. */
  private resolve(name: string, into: Set<string>, what: string): SaveEntry {
    let at = name;
    for (let hops = 0; hops < 16; hops++) {
      const entry = this.entries.get(at);
      if (!entry) throw this.e.damaged(`its images' manifest.json names ${what} '${name}', which the archive does not hold`);
      into.add(at);
      if (entry.type === "file") return entry;
      if (entry.type === "directory") throw this.e.damaged(`its images' manifest.json names ${what} '${name}', which is a folder`);
      if (entry.type === "link") at = entry.linkname!;
      else {
        if (entry.linkname!.startsWith("/")) throw this.e.foreign(`its images part holds the symlink '${at}' to an absolute path`);
        const next = path.posix.normalize(path.posix.join(path.posix.dirname(at), entry.linkname!));
        if (next === ".." || next.startsWith("../")) throw this.e.foreign(`its images part holds the symlink '${at}' leading out of it`);
        at = next;
      }
    }
    throw this.e.damaged(`its images' manifest.json names ${what} '${name}' behind too many links`);
  }

  private json(name: string): unknown {
    const data = this.metadata.get(name);
    if (!data) return undefined;
    try {
      return JSON.parse(data.toString("utf8")) as unknown;
    } catch (err) {
      throw this.e.damaged(`its images' ${name} is not JSON (${(err as Error).message})`);
    }
  }

  /** Checks the images part against the listed images; what pass 2 streams into docker load. */
  finish(listed: string[]): { images: BundleImage[]; names: Set<string>; manifestJson?: Buffer } {
    const byFamiliar = new Map(listed.map((r) => [familiar(r), r]));
    const names = new Set<string>();
    if (this.entries.size === 0) {
      if (listed.length) throw this.e.damaged(`it lists ${listed.join(", ")} but holds no images`);
      return { images: [], names };
    }
    const raw = this.json("manifest.json");
    if (raw === undefined) throw this.e.foreign("its images part has no manifest.json (docker save always writes one)");
    const shape = (m: unknown): m is { Config: string; RepoTags?: string[] | null; Layers: string[] } => {
      const o = m as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
      return (
        typeof o === "object" &&
        o !== null &&
        typeof o.Config === "string" &&
        Array.isArray(o.Layers) &&
        o.Layers.every((l) => typeof l === "string") &&
        (o.RepoTags === undefined || o.RepoTags === null || (Array.isArray(o.RepoTags) && o.RepoTags.every((t) => typeof t === "string")))
      );
    };
    if (!Array.isArray(raw) || !raw.every(shape)) throw this.e.damaged("its images' manifest.json is not the one docker save writes");
    const covered = new Set<string>();
    const images: BundleImage[] = [];
    const rewritten: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
    for (const m of raw) {
      const configName = saveName(m.Config, this.e) ?? "";
      const config = this.resolve(configName, names, "the image config");
      if (!config.sha256) throw this.e.foreign(`its image config '${m.Config}' is larger than an image config is`);
      const id = `sha256:${config.sha256}`;
      const tags = m.RepoTags ?? [];
      if (tags.length === 0) throw this.e.foreign(`it carries an untagged image (${id.slice(7, 19)}), which its manifest does not list`);
      const own: string[] = [];
      for (const t of tags) {
        const ref = byFamiliar.get(familiar(t));
        if (!ref) throw this.e.foreign(`it carries the image ${t}, which its manifest does not list (it lists ${listed.join(", ") || "no images"})`);
        covered.add(familiar(t));
        own.push(ref);
      }
      // the config's file name, where it is its digest (docker save: <hex>.json or blobs/sha256/<hex>), must match it
      const named = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(configName)?.[1];
      if (named && named !== config.sha256) throw this.e.damaged(`its image config '${m.Config}' does not match its digest`);
      const layers = m.Layers.map((l) => saveName(l, this.e) ?? "");
      const size = config.size + layers.reduce((sum, l) => sum + this.resolve(l, names, "the layer").size, 0);
      images.push({ tags: own, id, size, layers: layers.length });
      rewritten.push({ Config: configName, RepoTags: tags, Layers: layers });
    }
    for (const [f, ref] of byFamiliar) if (!covered.has(f)) throw this.e.damaged(`it lists ${ref} but does not carry it`);
    // docker load reads `repositories` when there is no manifest.json, and containerd's importer reads index.json:
    // neither reaches docker load here, but an image named only there is still one the manifest does not list
    const repositories = this.json("repositories");
    if (repositories !== undefined) {
      if (typeof repositories !== "object" || repositories === null) throw this.e.damaged("its images' repositories file is not docker save's");
      for (const [repo, tags] of Object.entries(repositories as Record<string, unknown>)) {
        for (const tag of Object.keys((tags ?? {}) as Record<string, unknown>)) {
          if (!byFamiliar.has(familiar(`${repo}:${tag}`))) throw this.e.foreign(`it carries the image ${repo}:${tag}, which its manifest does not list`);
        }
      }
    }
    const index = this.json("index.json") as { manifests?: Array<{ annotations?: Record<string, string> }> } | undefined;
    for (const d of index?.manifests ?? []) {
      const name = d?.annotations?.["io.containerd.image.name"];
      if (name !== undefined && !byFamiliar.has(familiar(String(name)))) throw this.e.foreign(`it carries the image ${name}, which its manifest does not list`);
    }
    return { images, names, manifestJson: Buffer.from(JSON.stringify(rewritten)) };
  }
}

function parseManifest(data: Buffer, file: string): BundleManifest {
  let m: Partial<BundleManifest>;
  try {
    m = JSON.parse(data.toString("utf8")) as Partial<BundleManifest>;
  } catch (err) {
    throw new LabError("usage", `${file} has an unreadable ${MANIFEST}: ${(err as Error).message}`, "Export the bundle again with this mesos-lab version.");
  }
  const bad = (why: string) => new LabError("usage", `${file} has an unreadable ${MANIFEST}: ${why}`, "Export the bundle again with this mesos-lab version.");
  if (typeof m !== "object" || m === null) throw bad("it is not an object");
  if (m.version !== 1 && m.version !== 2) throw bad(`unknown manifest version ${JSON.stringify(m.version)}`);
  if (!Array.isArray(m.images) || !m.images.every((i) => typeof i === "string" && IMAGE_REF.test(i))) throw bad("'images' is not a list of image references");
  if (new Set(m.images.map(familiar)).size !== m.images.length) throw bad("'images' names an image twice");
  const material = m.material ?? [];
  if (!Array.isArray(material) || !material.every((x) => typeof x === "string")) throw bad("'material' is not a list of file names");
  const seen = new Set<string>();
  for (const name of material) {
    const c = classifyMaterial(name);
    if ("refused" in c) throw materialRefused(file, `${MATERIAL}${name}`, `(listed in its ${MANIFEST}) ${c.refused}`);
    if (seen.has(name)) throw materialRefused(file, `${MATERIAL}${name}`, `is listed twice in its ${MANIFEST}`);
    seen.add(name);
  }
  return {
    version: m.version,
    createdAt: typeof m.createdAt === "string" ? m.createdAt : "",
    profile: typeof m.profile === "string" ? m.profile : "",
    images: m.images,
    material,
  };
}

/** Pass 1: the whole bundle checked, without writing anything. Throws a LabError (exit 2) naming what is wrong. */
export async function readBundle(file: string, opts: { onProgress?: BundleProgress } = {}): Promise<BundleContents> {
  const abs = path.resolve(file);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) throw new LabError("usage", `bundle ${abs} does not exist`, "Pass the file `mesos-lab bundle export` wrote (e.g. from the instructor's USB stick).");
  if (!st.isFile()) throw new LabError("usage", `bundle ${abs} is not a file`, "Pass the .tar or .tar.gz that `mesos-lab bundle export` wrote.");
  const e = errors(abs);
  const gzip = isGzip(abs);
  let manifest: BundleManifest | undefined;
  let first = true;
  let v1Seen = false;
  let materialBytes = 0;
  const material = new Map<string, Buffer>();
  const save = new SaveReader(e);
  const onEntry: Walker = async (h, body) => {
    const name = h.name;
    if (first) {
      first = false;
      if (name !== MANIFEST)
        throw e.notBundle(
          `its first entry is '${name}', not ${MANIFEST} (a bundle starts with its manifest, so that it is checked before anything else is read); nothing was imported`,
        );
      if (h.type !== "file") throw e.notBundle(`its ${MANIFEST} is not a regular file`);
      manifest = parseManifest(await readCapped(body, h.size, MANIFEST_MAX, () => e.notBundle(`its ${MANIFEST} is larger than a manifest is`)), abs);
      return;
    }
    const m = manifest!;
    if (name === MANIFEST) throw e.foreign(`it holds a second ${MANIFEST}`);
    if (name.startsWith(MATERIAL)) {
      const rel = name.slice(MATERIAL.length);
      const c = classifyMaterial(rel);
      if ("refused" in c) throw materialRefused(abs, name, c.refused);
      const kind =
        h.type === "symlink"
          ? `a symbolic link (to ${h.linkname ?? "?"})`
          : h.type === "link"
            ? `a hard link (to ${h.linkname ?? "?"})`
            : h.type === "character-device" || h.type === "block-device"
              ? `a device (${h.type})`
              : h.type === "fifo"
                ? "a named pipe"
                : h.type === "directory"
                  ? "a folder"
                  : h.type === "file" || h.type === "contiguous-file"
                    ? undefined
                    : `a ${h.type ?? "unknown"} entry`;
      if (kind) throw materialRefused(abs, name, `is ${kind}, not a regular file`);
      if (material.has(rel)) throw materialRefused(abs, name, "appears twice");
      if (!m.material.includes(rel)) throw materialRefused(abs, name, `is not listed in its ${MANIFEST}`);
      const data = await readCapped(body, h.size, MATERIAL_FILE_MAX, () => materialRefused(abs, name, "is larger than lab material is"));
      if ((materialBytes += data.length) > MATERIAL_TOTAL_MAX) throw materialRefused(abs, name, "brings the material past what a lab has");
      material.set(rel, data);
      return;
    }
    if (m.version === 2 && name.startsWith(IMAGES)) {
      if (name === IMAGES && h.type === "directory") return drain(body);
      return save.add(outOfImages(h), body);
    }
    if (m.version === 1 && name === IMAGES_V1 && (h.type === "file" || h.type === "contiguous-file")) {
      if (v1Seen) throw e.foreign(`it holds a second ${IMAGES_V1}`);
      v1Seen = true;
      return walk([Readable.from(body)], save.add);
    }
    throw e.foreign(`it holds '${name}', which is not part of a version-${m.version} mesos-lab bundle`);
  };
  try {
    await walk([createReadStream(abs), ...(opts.onProgress ? [counter("check", opts.onProgress, st.size)] : []), ...(gzip ? [createGunzip()] : [])], onEntry);
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw manifest ? e.damaged((err as Error).message) : e.notBundle((err as Error).message);
  }
  if (!manifest) throw e.notBundle(`it is empty (no ${MANIFEST})`);
  for (const name of manifest.material) if (!material.has(name)) throw e.damaged(`its ${MANIFEST} lists ${MATERIAL}${name}, which the archive does not hold`);
  const plan = save.finish(manifest.images);
  return {
    file: abs,
    bytes: st.size,
    gzip,
    manifest,
    images: plan.images,
    material: manifest.material.map((name) => {
      const c = classifyMaterial(name);
      const data = material.get(name)!;
      return { name, size: data.length, mode: "refused" in c ? 0o600 : c.mode, data };
    }),
    load: { stamp: stampOf(st), entries: save.entries, names: plan.names, manifestJson: plan.manifestJson },
  };
}

/**
 * Pass 2: streams the listed images' entries, and a manifest.json naming only them, into `load` (docker load).
 * Resolves with what docker load reports loaded.
 */
export async function loadBundleImages(
  b: BundleContents,
  load: (tar: Readable) => Promise<string[]>,
  opts: { onProgress?: BundleProgress } = {},
): Promise<string[]> {
  if (!b.load.manifestJson) return [];
  const e = errors(b.file);
  const st = statSync(b.file, { throwIfNoEntry: false });
  const changed = () => e.damaged("it changed while it was being imported (copy it to the laptop first, then import it)");
  if (!st || stampOf(st) !== b.load.stamp) throw changed();
  const pack = tar.pack();
  const loading = load(pack as unknown as Readable);
  let loadError: unknown;
  // a load that fails stops reading: the entries waiting on it must fail too instead of waiting forever
  loading.catch((err: unknown) => {
    loadError = err;
    pack.destroy(err as Error);
  });
  const emitted = new Set<string>();
  const emit: Walker = async (h, body) => {
    const name = saveName(h.name, e);
    const want = name === undefined || !b.load.names.has(name) ? undefined : b.load.entries.get(name);
    if (!want || name === undefined) return drain(body);
    const type = h.type === "contiguous-file" ? "file" : h.type;
    const linkname = type === "link" && h.linkname ? saveName(h.linkname, e) : (h.linkname ?? undefined);
    if (emitted.has(name) || type !== want.type || (type === "file" && h.size !== want.size) || (type !== "file" && linkname !== want.linkname))
      throw changed();
    emitted.add(name);
    await new Promise<void>((resolve, reject) => {
      const header: Partial<tar.Header> & { name: string } =
        type === "file"
          ? { name, type, size: want.size, mode: 0o644, mtime: h.mtime }
          : { name, type: want.type as "symlink" | "link", linkname: want.linkname!, mode: 0o777, mtime: h.mtime };
      const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      entry.on("error", reject);
      if (type === "file") {
        body.on("error", (err) => entry.destroy(err));
        body.pipe(entry);
      } else {
        entry.end(Buffer.alloc(0));
        void drain(body).catch(reject);
      }
    });
  };
  try {
    await walk(
      [createReadStream(b.file), ...(opts.onProgress ? [counter("load", opts.onProgress, b.bytes)] : []), ...(b.gzip ? [createGunzip()] : [])],
      async (h, body) => {
        if (b.manifest.version === 2 && h.name.startsWith(IMAGES)) return emit(outOfImages(h), body);
        if (b.manifest.version === 1 && h.name === IMAGES_V1) return walk([Readable.from(body)], emit);
        return drain(body);
      },
    );
    if (emitted.size !== b.load.names.size) throw changed();
    pack.entry({ name: "manifest.json", mode: 0o644 }, b.load.manifestJson);
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await loading.catch(() => undefined);
    if (err instanceof LabError) throw err;
    throw loadError ? e.damaged(`docker load refused its images: ${(loadError as Error).message}`) : e.damaged((err as Error).message);
  }
  try {
    return await loading;
  } catch (err) {
    throw e.damaged(`docker load refused its images: ${(err as Error).message}`);
  }
}
