import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

/**
 * The lab's build machine (seed 003, scenario 1: the CI host pushes with its own, unscoped credential): makes a small
 * image and pushes it to the lab registry through the registry API (distribution's `/v2/`), with a token from the
 * token service as `docker push` would get one. Nothing is pulled from anywhere: the image is made here.
 */

export const MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";

export interface Blob {
  digest: string;
  data: Buffer;
}

export interface LabImage {
  /** `cainiao/a1` */
  repository: string;
  tag: string;
  config: Blob;
  layers: Blob[];
  manifest: Buffer;
  /** The manifest's digest, the image's identity in the registry. */
  digest: string;
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const mtime = new Date(0);
  const dirs = new Set<string>();
  for (const [name, content] of Object.entries(files)) {
    const parts = name.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!dirs.has(d)) p.entry({ name: `${d}/`, type: "directory", mode: 0o755, mtime });
      dirs.add(d);
    }
    p.entry({ name, mode: 0o644, mtime }, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * One image of one layer: `/etc/mesos-lab-image` says which image it is. It has no shell and no program, on purpose:
 * the lessons it serves are about who may pull it, and the same bytes for every namespace keep the pushes small.
 */
export async function makeLabImage(reference: string): Promise<LabImage> {
  const m = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*):([\w][\w.-]{0,127})$/.exec(reference);
  if (!m) throw new Error(`'${reference}' is not an image reference like namespace/name:tag`);
  const [, repository, tag] = m as unknown as [string, string, string];
  const tar = await tarOf({ "etc/mesos-lab-image": `${reference}: built and pushed by the mesos-lab build machine\n` });
  const layer = { data: gzipSync(tar, { level: 9 }), digest: "" };
  layer.digest = sha256(layer.data);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: "1970-01-01T00:00:00Z",
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Labels: { "io.mesos-lab.image": reference } },
      rootfs: { type: "layers", diff_ids: [sha256(tar)] },
      history: [{ created: "1970-01-01T00:00:00Z", created_by: "mesos-lab build machine" }],
    }),
  );
  const configBlob = { data: config, digest: sha256(config) };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_V2,
      config: { mediaType: CONFIG_TYPE, size: config.length, digest: configBlob.digest },
      layers: [{ mediaType: LAYER_TYPE, size: layer.data.length, digest: layer.digest }],
    }),
  );
  return { repository, tag, config: configBlob, layers: [layer], manifest, digest: sha256(manifest) };
}

export interface PushTarget {
  /** `http://127.0.0.1:<port>`: the registry as the harness reaches it. */
  registry: string;
  /** `http://127.0.0.1:<port>/token`: the token service as the harness reaches it. */
  tokenUrl: string;
  /** The registry's `auth.token.service`. */
  service: string;
  account: string;
  secret: string;
  timeoutMs: number;
}

export interface PushResult {
  /** The answer to the manifest PUT, the push's last word. */
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  digest: string;
}

async function call(url: string, init: RequestInit & { timeoutMs: number }): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs) });
}

async function fail(what: string, r: Response): Promise<never> {
  const body = (await r.text().catch(() => "")).trim().slice(0, 300);
  throw new Error(`${what}: ${r.status} ${r.statusText}${body ? `: ${body}` : ""}`);
}

/** Pushes `image` as `docker push` would: a push+pull token, each blob unless the registry has it, then the manifest. */
export async function pushImage(image: LabImage, t: PushTarget): Promise<PushResult> {
  const scope = `repository:${image.repository}:pull,push`;
  const tr = await call(`${t.tokenUrl}?service=${encodeURIComponent(t.service)}&scope=${encodeURIComponent(scope)}`, {
    headers: { Authorization: `Basic ${Buffer.from(`${t.account}:${t.secret}`).toString("base64")}` },
    timeoutMs: t.timeoutMs,
  });
  if (!tr.ok) await fail(`the token service refused '${t.account}' for ${scope}`, tr);
  const { token } = (await tr.json()) as { token: string };
  const auth = { Authorization: `Bearer ${token}` };
  const base = `${t.registry}/v2/${image.repository}`;

  for (const blob of [image.config, ...image.layers]) {
    const head = await call(`${base}/blobs/${blob.digest}`, { method: "HEAD", headers: auth, timeoutMs: t.timeoutMs });
    if (head.ok) continue;
    const start = await call(`${base}/blobs/uploads/`, { method: "POST", headers: auth, timeoutMs: t.timeoutMs });
    if (start.status !== 202) await fail(`starting the upload of ${blob.digest} to ${image.repository}`, start);
    const location = new URL(start.headers.get("location") ?? "", t.registry);
    location.searchParams.set("digest", blob.digest);
    const put = await call(location.href, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/octet-stream" },
      body: blob.data,
      timeoutMs: t.timeoutMs,
    });
    if (put.status !== 201) await fail(`uploading ${blob.digest} to ${image.repository}`, put);
  }

  const r = await call(`${base}/manifests/${image.tag}`, {
    method: "PUT",
    headers: { ...auth, "Content-Type": MANIFEST_V2 },
    body: image.manifest,
    timeoutMs: t.timeoutMs,
  });
  const body = await r.text();
  if (r.status !== 201)
    await fail(`putting the manifest of ${image.repository}:${image.tag}`, new Response(body, { status: r.status, statusText: r.statusText }));
  return { status: r.status, statusText: r.statusText, headers: Object.fromEntries(r.headers), body, digest: image.digest };
}
