import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import tar from "tar-stream";
import { LabError } from "../util/errors.js";
import { configuredImages } from "./images.js";
import type { Session } from "./session.js";

/**
 * Offline bundle for a workshop room without a registry: one tar holding a manifest, the lab's generated
 * CA/certificates/credentials (with `withMaterial`), then the entries of `docker save` of every configured image
 * under `images/`. Re-packing docker save's entries one by one (each has its size in its header) streams the images
 * straight into the bundle, so exporting needs no spool file and no free disk beyond the bundle itself; import
 * re-packs them into the stream `docker load` reads. A name ending in .gz or .tgz writes it gzip-compressed
 * (`docker save` is uncompressed, so a room's USB stick carries about half); import recognises either by its first
 * bytes, and still reads version-1 bundles (docker save as a single `images.tar` entry).
 */

export const compressedName = (file: string) => /\.(tgz|gz)$/i.test(file);

function isGzip(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export const MANIFEST = "mesos-lab-bundle.json";
/** version 1: docker save spooled into one entry */
const IMAGES_V1 = "images.tar";
/** version 2: docker save's own entries under this prefix */
const IMAGES = "images/";
const MATERIAL = "material/";

export interface BundleManifest {
  version: 1 | 2;
  createdAt: string;
  profile: string;
  images: string[];
  material: string[];
}

export type BundleProgress = (p: { phase: "save" | "load"; bytes: number; total?: number }) => void;

/** Counts bytes as they pass. A Transform, not a "data" listener: that would start the flow before the consumer is attached. */
function counter(phase: "save" | "load", onProgress: BundleProgress, total?: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      onProgress({ phase, bytes, total });
      cb(null, chunk);
    },
  });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

export async function exportBundle(s: Session, file: string, opts: { withMaterial?: boolean; onProgress?: BundleProgress } = {}): Promise<BundleManifest> {
  const onProgress = opts.onProgress ?? (() => undefined);
  await s.engine();
  const images = configuredImages(s.config);
  const missing: string[] = [];
  for (const i of images) if (!(await s.port.imageInspect(i))) missing.push(i);
  if (missing.length) throw new LabError("imageMissing", `cannot bundle images that are not on this engine: ${missing.join(", ")}`, "Run `mesos-lab pull` first (where a registry is reachable), then export again.");

  const materialFiles: Array<{ name: string; abs: string }> = [];
  if (opts.withMaterial) {
    await s.material();
    for (const sub of [s.config.material.ssl, s.config.material.credentials]) {
      const dir = path.resolve(s.config.root, sub);
      for (const abs of listFiles(dir)) materialFiles.push({ name: MATERIAL + path.relative(s.config.root, abs).split(path.sep).join("/"), abs });
    }
  }
  const manifest: BundleManifest = { version: 2, createdAt: new Date().toISOString(), profile: s.config.profile, images, material: materialFiles.map((m) => m.name.slice(MATERIAL.length)) };

  const out = path.resolve(file);
  mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  try {
    const pack = tar.pack();
    const written = compressedName(out) ? pipeline(pack, createGzip(), createWriteStream(partial)) : pipeline(pack, createWriteStream(partial));
    pack.entry({ name: MANIFEST, mode: 0o644 }, JSON.stringify(manifest, null, 2));
    for (const m of materialFiles) pack.entry({ name: m.name, mode: statSync(m.abs).mode & 0o777 }, readFileSync(m.abs));
    const extract = tar.extract();
    extract.on("entry", (h, stream, next) => {
      const entry = pack.entry(repacked(h, intoBundle), (err) => (err ? extract.destroy(err) : next()));
      entry.on("error", () => undefined); // a failed save destroys the pack and its open entry; the save reports it
      if (h.type === "file" || h.type === "contiguous-file") stream.pipe(entry);
      else stream.resume();
    });
    const saved = pipeline(await s.port.saveImages(images), counter("save", onProgress), extract).then(() => pack.finalize());
    // a failed save must also end the bundle's write, or `written` would wait forever
    await Promise.all([saved.catch((err: unknown) => (pack.destroy(err as Error), Promise.reject(err))), written]);
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  return manifest;
}

const intoBundle = (name: string) => IMAGES + name;
const outOfBundle = (name: string) => name.slice(IMAGES.length);

/** A docker save entry's header renamed; a hard link is renamed alike so it keeps pointing at its target. */
function repacked(h: tar.Header, rename: (name: string) => string): tar.Header {
  const linkname = h.type === "link" && h.linkname ? rename(h.linkname) : h.linkname;
  return { ...h, name: rename(h.name), linkname, pax: undefined } as tar.Header;
}

export interface ImportResult {
  manifest: BundleManifest;
  loaded: string[];
  material: { written: string[]; kept: string[] };
}

/** Loads a bundle; lab material is written only where no file exists yet (or with `force`). */
export async function importBundle(s: Session, file: string, opts: { force?: boolean; onProgress?: BundleProgress } = {}): Promise<ImportResult> {
  const onProgress = opts.onProgress ?? (() => undefined);
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new LabError("usage", `bundle ${abs} does not exist`, "Pass the file `mesos-lab bundle export` wrote (e.g. from the instructor's USB stick).");
  await s.engine();
  const total = statSync(abs).size;
  let manifest: BundleManifest | undefined;
  let loaded: string[] = [];
  const material = { written: [] as string[], kept: [] as string[] };
  const extract = tar.extract();
  let imagePack: tar.Pack | undefined;
  let loading: Promise<void> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const fail = (err: unknown) => {
        stream.resume();
        reject(err);
      };
      // the archive ending inside an entry errors the entry's stream: that must reach `done`, not crash the process
      stream.on("error", fail);
      if (header.name === MANIFEST) {
        const chunks: Buffer[] = [];
        stream.on("data", (c) => void chunks.push(c as Buffer));
        stream.on("end", () => {
          try {
            manifest = JSON.parse(Buffer.concat(chunks).toString("utf8")) as BundleManifest;
            if ((manifest.version !== 1 && manifest.version !== 2) || !Array.isArray(manifest.images)) throw new Error("unknown manifest version");
          } catch (err) {
            return reject(new LabError("usage", `${abs} has an unreadable ${MANIFEST}: ${(err as Error).message}`, "Export the bundle again with this mesos-lab version."));
          }
          next();
        });
      } else if (header.name === IMAGES_V1) {
        const images = new PassThrough();
        stream.on("error", (err) => images.destroy(err));
        s.port.loadImages(stream.pipe(images)).then((l) => {
          loaded = l;
          next();
        }, fail);
      } else if (header.name.startsWith(IMAGES) && header.name.length > IMAGES.length) {
        // docker load reads the images' own entries, re-packed without the prefix, as they arrive
        if (!imagePack) {
          const p = (imagePack = tar.pack());
          loading = s.port.loadImages(p as unknown as Readable).then((l) => void (loaded = l));
          loading.catch((err: unknown) => reject(err));
        }
        const entry = imagePack.entry(repacked(header, outOfBundle), (err) => (err ? fail(err) : next()));
        // destroying the pack (damaged bundle) errors its open entry too; the cause reaches `done` through extract
        entry.on("error", () => undefined);
        if (header.type === "file" || header.type === "contiguous-file") {
          stream.on("error", (err) => entry.destroy(err));
          stream.pipe(entry);
        } else stream.resume();
      } else if (header.name.startsWith(MATERIAL) && header.type === "file") {
        const rel = header.name.slice(MATERIAL.length);
        const target = path.resolve(s.config.root, rel);
        // never write outside the lab folder, whatever the archive says
        if (!target.startsWith(path.resolve(s.config.root) + path.sep)) return fail(new LabError("usage", `${abs} holds a path outside the lab folder: ${header.name}`, "Use a bundle made by `mesos-lab bundle export`."));
        const chunks: Buffer[] = [];
        stream.on("data", (c) => void chunks.push(c as Buffer));
        stream.on("end", () => {
          if (existsSync(target) && !opts.force) material.kept.push(rel);
          else {
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, Buffer.concat(chunks), { mode: header.mode ?? 0o600 });
            material.written.push(rel);
          }
          next();
        });
      } else {
        stream.on("end", () => next());
        stream.resume();
      }
    });
    extract.on("finish", () => {
      if (!imagePack) return resolve();
      imagePack.finalize();
      loading!.then(resolve, reject);
    });
    extract.on("error", (err) => {
      // a half-fed docker load would hold its request open
      imagePack?.destroy(err);
      reject(
        manifest
          ? new LabError("usage", `${abs} is damaged: ${err.message}`, "Copy the bundle again from the instructor's original and re-run `mesos-lab bundle import`.")
          : new LabError("usage", `${abs} is not a mesos-lab bundle: ${err.message}`, "Pass the .tar or .tar.gz that `mesos-lab bundle export` wrote."),
      );
    });
  });
  // progress counts the file's own bytes, compressed or not, against its size
  const gz = isGzip(abs);
  const read = createReadStream(abs);
  const progress = counter("load", onProgress, total);
  const flow = gz ? pipeline(read, progress, createGunzip(), extract) : pipeline(read, progress, extract);
  const [f, d] = await Promise.allSettled([flow, done]);
  // a cut gzip stream fails in gunzip, whatever the tar reader made of the bytes before
  if (gz && f.status === "rejected") {
    throw new LabError("usage", `${abs} is damaged: ${(f.reason as Error).message}`, "Copy the bundle again from the instructor's original and re-run `mesos-lab bundle import`.");
  }
  if (d.status === "rejected") throw d.reason;
  if (!manifest) throw new LabError("usage", `${abs} is not a mesos-lab bundle (no ${MANIFEST})`, "Pass the .tar or .tar.gz that `mesos-lab bundle export` wrote.");
  const absent: string[] = [];
  for (const i of manifest.images) if (!(await s.port.imageInspect(i))) absent.push(i);
  if (absent.length) throw new LabError("imageMissing", `after loading ${abs}, still missing: ${absent.join(", ")}`, "The bundle may be truncated: copy it again and re-run `mesos-lab bundle import`.");
  return { manifest, loaded, material };
}
