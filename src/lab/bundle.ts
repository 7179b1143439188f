import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import { LabError } from "../util/errors.js";
import { collectMaterial, planMaterial, stageMaterial } from "./bundle-material.js";
import {
  counter,
  IMAGES,
  loadBundleImages,
  MANIFEST,
  MATERIAL,
  readBundle,
  type BundleContents,
  type BundleManifest,
  type BundleProgress,
} from "./bundle-read.js";
import { configuredImages } from "./images.js";
import type { Session } from "./session.js";

export { MANIFEST, type BundleManifest, type BundleProgress } from "./bundle-read.js";

/**
 * Offline bundle for a workshop room without a registry: one tar holding a manifest, the lab's generated
 * CA/certificates/credentials (with `withMaterial`), then the entries of `docker save` of every configured image
 * under `images/`. Re-packing docker save's entries one by one (each has its size in its header) streams the images
 * straight into the bundle, so exporting needs no spool file and no free disk beyond the bundle itself. A name ending
 * in .gz or .tgz writes it gzip-compressed (`docker save` is uncompressed, so a room's USB stick carries about half);
 * import recognises either by its first bytes, and still reads version-1 bundles (docker save as a single
 * `images.tar` entry).
 *
 * A bundle is trusted content: it sets the lab's CA, certificates and credentials and the images the lab runs. So the
 * import checks all of it before it writes anything (src/lab/bundle-read.ts: manifest first, material only the files
 * a lab generates, images only those listed), stages the material and moves it into place only once the images are
 * loaded (src/lab/bundle-material.ts). A refused bundle leaves the lab folder and the engine as they were.
 */

export const compressedName = (file: string) => /\.(tgz|gz)$/i.test(file);

export interface ExportResult {
  manifest: BundleManifest;
  /** files in the material folders that are not lab material (or are symlinks), left out of the bundle */
  skipped: string[];
}

export async function exportBundle(s: Session, file: string, opts: { withMaterial?: boolean; onProgress?: BundleProgress } = {}): Promise<ExportResult> {
  const onProgress = opts.onProgress ?? (() => undefined);
  await s.engine();
  const images = configuredImages(s.config);
  const missing: string[] = [];
  for (const i of images) if (!(await s.runtime.images.inspect(i))) missing.push(i);
  if (missing.length)
    throw new LabError(
      "imageMissing",
      `cannot bundle images that are not on this engine: ${missing.join(", ")}`,
      "Run `mesos-lab pull` first (where a registry is reachable), then export again.",
    );

  let material: ReturnType<typeof collectMaterial> = { files: [], skipped: [] };
  if (opts.withMaterial) {
    // a material folder that is a symlink is refused before anything is generated through it
    collectMaterial(s.config);
    await s.material();
    material = collectMaterial(s.config);
  }
  const manifest: BundleManifest = {
    version: 2,
    createdAt: new Date().toISOString(),
    profile: s.config.profile,
    images,
    material: material.files.map((m) => m.name),
  };

  const out = path.resolve(file);
  mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  try {
    const pack = tar.pack();
    const written = compressedName(out) ? pipeline(pack, createGzip(), createWriteStream(partial)) : pipeline(pack, createWriteStream(partial));
    pack.entry({ name: MANIFEST, mode: 0o644 }, JSON.stringify(manifest, null, 2));
    for (const m of material.files) pack.entry({ name: MATERIAL + m.name, mode: m.mode }, m.data);
    const extract = tar.extract();
    extract.on("entry", (h, stream, next) => {
      const entry = pack.entry(repacked(h, intoBundle), (err) => (err ? extract.destroy(err) : next()));
      entry.on("error", () => undefined); // a failed save destroys the pack and its open entry; the save reports it
      if (h.type === "file" || h.type === "contiguous-file") stream.pipe(entry);
      else stream.resume();
    });
    const saved = pipeline(await s.runtime.images.save(images), counter("save", onProgress), extract).then(() => pack.finalize());
    // a failed save must also end the bundle's write, or `written` would wait forever
    await Promise.all([
      saved.catch((err: unknown) => {
        pack.destroy(err as Error);
        return Promise.reject(err);
      }),
      written,
    ]);
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  return { manifest, skipped: material.skipped };
}

const intoBundle = (name: string) => IMAGES + name;

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

/**
 * Loads a bundle; lab material is written only where no file exists yet (or with `force`). In this order: the whole
 * bundle checked (no write), where each material file goes checked (no write), the material staged in the lab
 * folder, the listed images loaded and found on the engine, the material moved into place.
 */
export async function importBundle(s: Session, file: string, opts: { force?: boolean; onProgress?: BundleProgress } = {}): Promise<ImportResult> {
  const abs = path.resolve(file);
  if (!existsSync(abs))
    throw new LabError("usage", `bundle ${abs} does not exist`, "Pass the file `mesos-lab bundle export` wrote (e.g. from the instructor's USB stick).");
  await s.engine();
  const b = await readBundle(abs, { onProgress: opts.onProgress });
  const targets = planMaterial(s.config, abs, b.material);
  const write = targets.filter((t) => !t.exists || opts.force);
  const kept = targets.filter((t) => !write.includes(t)).map((t) => t.name);
  let staged: ReturnType<typeof stageMaterial>;
  try {
    staged = stageMaterial(s.config.root, write);
  } catch (err) {
    throw new LabError(
      "labMaterial",
      `could not stage the lab material in ${s.config.root}: ${(err as Error).message}; nothing was imported`,
      "Check that the lab folder is writable and has free space, then import again.",
      { cause: err },
    );
  }
  try {
    const loaded = await loadBundleImages(b, (t) => s.runtime.images.load(t), { onProgress: opts.onProgress });
    await checkLoaded(s, b);
    return { manifest: b.manifest, loaded, material: { written: staged.commit(), kept } };
  } finally {
    staged.discard();
  }
}

/**
 * Every listed image is there now. (Its id is not compared with the config digest pass 1 computed: an engine on the
 * containerd image store shows the manifest's digest as the id, which a docker save archive does not carry.)
 */
async function checkLoaded(s: Session, b: BundleContents): Promise<void> {
  const absent: string[] = [];
  for (const image of b.images) for (const tag of image.tags) if (!(await s.runtime.images.inspect(tag))) absent.push(tag);
  if (absent.length)
    throw new LabError(
      "imageMissing",
      `after loading ${b.file}, still missing: ${absent.join(", ")}`,
      "The bundle may be truncated: copy it again and re-run `mesos-lab bundle import`.",
    );
}

export interface BundleSummary {
  file: string;
  bytes: number;
  gzip: boolean;
  version: 1 | 2;
  createdAt: string;
  profile: string;
  images: Array<{ tags: string[]; id: string; size: number; layers: number }>;
  material: Array<{ name: string; size: number; mode: string }>;
}

/** What a bundle holds, checked as an import checks it, without importing anything (no disk write, no engine). */
export async function inspectBundle(file: string, opts: { onProgress?: BundleProgress } = {}): Promise<BundleSummary> {
  const b = await readBundle(file, opts);
  return {
    file: b.file,
    bytes: b.bytes,
    gzip: b.gzip,
    version: b.manifest.version,
    createdAt: b.manifest.createdAt,
    profile: b.manifest.profile,
    images: b.images.map((i) => ({ tags: i.tags, id: i.id, size: i.size, layers: i.layers })),
    material: b.material.map((m) => ({ name: m.name, size: m.size, mode: `0${m.mode.toString(8)}` })),
  };
}
