// The Mesos containerizer's Docker image provider as 1.11 has it: the image store (provisioner/docker/store.cpp),
// its registry puller (registry_puller.cpp, manifest v2 schema 2) and the URI fetcher's docker plugin it pulls with
// (uri/fetchers/docker.cpp). Real HTTP to the registry and its token service, with the plugin's auth flow: the
// `--docker_config` entry whose key is the image's registry host:port as HTTP Basic, a 401's Bearer challenge sent to
// its realm with that Basic header, the token back to the registry. Failures are Mesos' own texts.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import * as glog from "./glog.mjs";

const MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
/** What the agent's `curl` (Debian bookworm's, in the real 1.11 image) says it is; the registry logs it. */
const CURL_HEADERS = { "User-Agent": "curl/7.88.1", Accept: "*/*" };

export class Failure extends Error {}

// --- src/docker/spec.cpp -----------------------------------------------------------------------------------------

/** spec::parseImageReference: `[registry/]repository[:tag][@digest]`; '.', ':' or `localhost` mark a registry. */
export function parseImageReference(s0) {
  const ref = {};
  let s = s0;
  if (s.includes("@")) {
    const split = s.split("@");
    if (split.length !== 2) throw new Failure(`Failed to parse docker image '${s0}': Multiple '@' symbols found`);
    [s, ref.digest] = split;
  }
  if (s.includes(":")) {
    const split = s.split(":");
    if (!split.at(-1).includes("/")) {
      ref.tag = split.pop();
      s = split.join(":");
    }
  }
  const slash = s.indexOf("/");
  const first = slash < 0 ? s : s.slice(0, slash);
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    ref.registry = first;
    ref.repository = s.slice(slash + 1);
  } else ref.repository = s;
  return ref;
}

export const referenceString = (r) => `${r.registry ? `${r.registry}/` : ""}${r.repository}${r.digest ? `@${r.digest}` : r.tag ? `:${r.tag}` : ""}`;

const registryHost = (registry) => registry.split(":")[0];
function registryPort(registry) {
  const i = registry.indexOf(":");
  if (i < 0) return undefined;
  const p = registry.slice(i + 1);
  if (!/^-?\d+$/.test(p)) throw new Failure(`Failed to get registry port: Failed to numify '${p}'`);
  return Number(p);
}
function registryScheme(registry) {
  const port = registryPort(registry);
  if (port === 443) return "https";
  if (port === 80) return "http";
  if (port !== undefined && ["localhost", "127.0.0.1"].includes(registryHost(registry))) return "http";
  return "https";
}

/** spec::parseAuthConfig: `auths` (config.json) or the top level (.dockercfg), each entry an object. */
export function parseAuthConfig(config) {
  const auths = "auths" in config ? config.auths : config;
  if (typeof auths !== "object" || auths === null || Array.isArray(auths))
    throw new Error("Failed to find 'auths' in docker config file: Found JSON value of wrong type");
  const out = new Map();
  for (const [key, value] of Object.entries(auths)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`Invalid JSON object '${JSON.stringify(value)}'`);
    if (value.auth !== undefined && typeof value.auth !== "string") throw new Error("Protobuf parse failed: Not expecting a JSON string for field 'auth'");
    out.set(key, value);
  }
  return out;
}

const parseAuthUrl = (url) => url.replace(/^https?:\/\//, "").split("/")[0];

// --- mesos::URI (src/uri/utils.cpp) --------------------------------------------------------------------------------

function uriString(u) {
  return `${u.scheme}://${u.host}${u.port !== undefined ? `:${u.port}` : ""}${u.path}${u.query !== undefined ? `?${u.query}` : ""}${u.fragment !== undefined ? `#${u.fragment}` : ""}`;
}

/** docker.cpp constructRegistryUri: the fragment is the scheme (https when absent). */
const registryUrl = (u, p) => uriString({ scheme: u.fragment ?? "https", host: u.host, port: u.port, path: p });

// --- curl, as docker.cpp runs it ---------------------------------------------------------------------------------

const statusText = (code) => `${code} ${http.STATUS_CODES[code] ?? ""}`.trim();

function curlError(url, e, started) {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? 443 : 80);
  const why = ["ENOTFOUND", "EAI_AGAIN"].includes(e.code)
    ? `curl: (6) Could not resolve host: ${u.hostname}`
    : e.code === "ECONNREFUSED"
      ? `curl: (7) Failed to connect to ${u.hostname} port ${port} after ${Date.now() - started} ms: Couldn't connect to server`
      : e.code === "ECONNRESET"
        ? "curl: (56) Recv failure: Connection reset by peer"
        : `curl: (7) ${e.message}`;
  return new Failure(`Failed to perform 'curl' for '${url}': ${why}\n`);
}

/** One GET; resolves { code, status, headers, body: Buffer } and writes the body to `file` when given. */
function get(url, headers, file) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      return reject(new Failure(`Failed to perform 'curl' for '${url}': curl: (3) URL using bad/illegal format or missing URL\n`));
    }
    const lib = u.protocol === "https:" ? https : http;
    const req = lib.request({
      host: u.hostname,
      port: u.port || undefined,
      path: `${u.pathname}${u.search}`,
      method: "GET",
      headers: { ...CURL_HEADERS, ...headers },
      agent: false,
    });
    req.on("error", (e) => reject(curlError(url, e, started)));
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", (e) => reject(curlError(url, e, started)));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        if (file) fs.writeFileSync(file, body);
        resolve({ code: res.statusCode, status: statusText(res.statusCode), headers: res.headers, body });
      });
    });
    req.end();
  });
}

/** `curl -s -S -L -i --raw`: redirects followed (Authorization kept for the same host only), the last response. */
async function curl(url, headers) {
  let r = await get(url, headers);
  for (let hops = 0; r.code >= 300 && r.code < 400 && r.headers.location && hops < 50; hops++) {
    const next = new URL(r.headers.location, url);
    const same = next.host === new URL(url).host;
    url = next.href;
    r = await get(url, same ? headers : Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization")));
  }
  return r;
}

/** docker.cpp download(): `curl -s -S -w '%{http_code}\n%{redirect_url}' -o <file>`; a redirect is fetched bare. */
async function download(url, file, headers) {
  const r = await get(url, headers, file);
  if (r.code >= 300 && r.code < 400 && r.headers.location) return download(new URL(r.headers.location, url).href, file, {});
  return r.code;
}

// --- the docker URI fetcher plugin (uri/fetchers/docker.cpp) -------------------------------------------------------

/** libprocess' WWWAuthenticate::create: `<scheme> k=v,k="v"` with quoted values that may hold commas. */
function parseWwwAuthenticate(input) {
  const sp = input.indexOf(" ");
  if (sp < 0) throw new Error(`Unexpected WWW-Authenticate header format: '${input}'`);
  const scheme = input.slice(0, sp);
  const params = input.slice(sp + 1).replace(/^ +/, "");
  const bad = () => new Error(`Unexpected auth-param format: '${params}'`);
  const out = {};
  let key;
  let value;
  let quoted = false;
  for (const c of params) {
    if (c !== '"' && quoted) {
      if (value === undefined) throw bad();
      value += c;
    } else if (key === undefined) {
      if (c === ",") throw bad();
      if (c !== " ") key = c;
    } else if (c === "=") {
      if (value !== undefined) throw bad();
      value = "";
    } else if (c === '"') quoted = !quoted;
    else if (c === ",") {
      if (value === undefined) throw bad();
      out[key] = value;
      key = value = undefined;
    } else if (value === undefined) key += c;
    else value += c;
  }
  if (key !== undefined) {
    if (value === undefined || quoted) throw bad();
    out[key] = value;
  }
  if (!("realm" in out)) throw new Error(`Unexpected auth-param '${params}': 'realm' is not defined`);
  return { scheme, params: out };
}

/** getBearerAuthParam: the Bearer challenge's parameters; getAuthServiceUri logs (at `line`) why there are none. */
function bearerAuthParam(url, response, line) {
  const fail = (why) => {
    glog.warn(line, why);
    return new Failure(why);
  };
  const header = response.headers["www-authenticate"];
  if (header === undefined) throw fail(`Got unexpected empty WWW-Authenticate header from ${url}`);
  let parsed;
  try {
    parsed = parseWwwAuthenticate(header);
  } catch (e) {
    throw fail(`Failed to get WWW-Authenticate header from ${url}: ${e.message}`);
  }
  const scheme = parsed.scheme.toUpperCase();
  if (scheme === "BASIC") throw fail(`Got unexpected BASIC Authorization response status: ${response.status} from ${url}`);
  if (scheme !== "BEARER") throw fail(`Got unsupported auth-scheme: ${scheme} from ${url}`);
  return parsed.params;
}

class DockerFetcher {
  constructor(auths) {
    this.auths = auths;
  }

  /** getAuthHeaderBasic: the entry whose key (scheme and path dropped) is the URI's host[:port]. */
  basic(u) {
    const registry = u.port !== undefined ? `${u.host}:${u.port}` : u.host;
    for (const [key, value] of this.auths) {
      const isDocker = u.host.includes("docker.io") && key.includes("docker.io");
      if ((isDocker || registry === parseAuthUrl(key)) && value.auth !== undefined) return { Authorization: `Basic ${value.auth}` };
    }
    return {};
  }

  /** getAuthServiceUri: realm?service=…&scope=… from the challenge, else realm of /v2's challenge + a pull scope. */
  async authServiceUri(repository, url, response, basic) {
    const p = bearerAuthParam(url, response, "docker.cpp:1157");
    if ("realm" in p && "service" in p && "scope" in p) return `${p.realm}?service=${p.service}&scope=${p.scope}`;
    glog.warn("docker.cpp:1181", `Missing 'realm', 'service' or 'scope' in header WWW-Authenticate: ${response.headers["www-authenticate"]}`);
    // getRegistryRootUri() of the http(s) URL asked: it has no fragment, so the root is asked over https.
    const [, host, port] = /^\w+:\/\/([^/:]+)(?::(\d+))?/.exec(url);
    const root = registryUrl({ host, port }, "/v2");
    const q = bearerAuthParam(root, await curl(root, basic), "docker.cpp:1191");
    return `${q.realm}?scope=repository:${repository}:pull`;
  }

  /** getAuthHeader: a token from the auth service, asked with the Basic header. */
  async authHeader(repository, url, basic, response) {
    const service = await this.authServiceUri(repository, url, response, basic);
    const r = await curl(service, basic);
    if (r.code !== 200) throw new Failure(`Unexpected HTTP response '${r.status}' when trying to GET '${service}'`);
    let object;
    try {
      object = JSON.parse(r.body.toString("utf8"));
    } catch (e) {
      throw new Failure(`Parsing the JSON object failed: ${e.message}`);
    }
    if (typeof object?.token !== "string") throw new Failure("Failed to find token in JSON object");
    return { Authorization: `Bearer ${object.token}` };
  }

  /** A `docker-manifest://` URI: the manifest into `directory`/manifest. */
  async fetchManifest(u, directory) {
    fs.mkdirSync(directory, { recursive: true });
    const basic = this.basic(u);
    const url = registryUrl(u, ["/v2", u.path, "manifests", u.query].join("/"));
    const accept = { Accept: `${MANIFEST_V2},application/vnd.docker.distribution.manifest.v1+json,application/vnd.docker.distribution.manifest.v1+prettyjws` };
    let r = await curl(url, { ...accept, ...basic });
    if (r.code === 401) {
      const bearer = await this.authHeader(u.path, url, basic, r);
      r = await curl(url, { ...accept, ...bearer });
    }
    if (r.code !== 200) throw new Failure(`Unexpected HTTP response '${r.status}' when trying to get the manifest`);
    const type = r.headers["content-type"];
    if (type === undefined) throw new Failure("No Content-Type present");
    // Not in Mesos (its TODO): the stand-in checks what it got against the registry's digest of the manifest.
    const digest = r.headers["docker-content-digest"];
    const actual = `sha256:${crypto.createHash("sha256").update(r.body).digest("hex")}`;
    if (digest?.startsWith("sha256:") && digest !== actual) throw new Failure(`standin: the manifest's digest is ${actual}, the registry says ${digest}`);
    if (type.startsWith("application/vnd.docker.distribution.manifest.v1") || type.startsWith("application/json"))
      throw new Failure(`Unsupported manifest MIME type: ${type} (the stand-in does not imitate V2 Schema 1)`);
    if (type !== MANIFEST_V2) throw new Failure(`Unsupported manifest MIME type: ${type}`);
    parseManifestV2(r.body.toString("utf8"), "Failed to parse the V2 Schema 2 image manifest: ");
    fs.writeFileSync(path.join(directory, "manifest"), r.body);
  }

  /** A `docker-blob://` URI: the blob into `directory`/<digest>, asking for a token on a 401. */
  async fetchBlob(u, directory) {
    fs.mkdirSync(directory, { recursive: true });
    const basic = this.basic(u);
    const url = registryUrl(u, ["/v2", u.path, "blobs", u.query].join("/"));
    const file = path.join(directory, u.query);
    const code = await download(url, file, basic);
    if (code === 200) return;
    if (code !== 401) throw new Failure(`Unexpected HTTP response '${statusText(code)}' when trying to download the blob`);
    const r = await curl(url, basic);
    if (r.code !== 401) throw new Failure(`Expecting a '401 Unauthorized' response when fetching a blob, but get '${r.status}' instead`);
    const bearer = await this.authHeader(u.path, url, basic, r);
    const again = await download(url, file, bearer);
    if (again !== 200) throw new Failure(`Unexpected HTTP response '${statusText(again)}' when trying to download blob '${url}' with schema 1 manifest`);
  }
}

/** spec::v2_2::parse, the checks that matter here: a config digest and layers with digests. */
function parseManifestV2(text, prefix) {
  let m;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new Failure(`${prefix}${e.message}`);
  }
  if (typeof m?.config?.digest !== "string") throw new Failure(`${prefix}Missing required field 'config.digest'`);
  if (!Array.isArray(m.layers) || !m.layers.length || m.layers.some((l) => typeof l?.digest !== "string"))
    throw new Failure(`${prefix}'layers' field size must be at least one`);
  return m;
}

// --- the store and its puller --------------------------------------------------------------------------------------

/** libprocess' http::URL::parse, as the puller reads `--docker_registry` (a failure stops the agent). */
export function parseUrl(s) {
  const at = s.indexOf("://");
  if (at < 0) throw new Error("Missing scheme in url string");
  const scheme = s.slice(0, at).toLowerCase();
  const rest = s.slice(at + 3);
  const slash = rest.indexOf("/");
  if (slash === 0) throw new Error("Host not found in url");
  const tokens = (slash < 0 ? rest : rest.slice(0, slash)).split(":").filter(Boolean);
  if (!tokens.length || rest.startsWith(":")) throw new Error("Host not found in url");
  if (tokens.length > 2) throw new Error("Found multiple ports in url");
  if (tokens.length === 2 && !/^\d+$/.test(tokens[1])) throw new Error(`Failed to parse port: Failed to convert '${tokens[1]}' to number`);
  const port = tokens.length === 2 ? Number(tokens[1]) : { http: 80, https: 443 }[scheme];
  if (port === undefined) throw new Error("Unable to determine port from url");
  return { scheme, host: tokens[0], port };
}

/**
 * command::untar: `tar -x -f <tar> -C <dir>`. GNU tar (the real agent's) sees a gzip layer by itself; the stand-in
 * image's busybox tar needs `-z` for it.
 */
function untar(tar, dir) {
  const argv = ["tar", "-x", "-f", tar, "-C", dir];
  const command = ["tar", ...argv].join(", ");
  const head = Buffer.alloc(2);
  const fd = fs.openSync(tar, "r");
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  return new Promise((resolve, reject) => {
    const p = spawn("tar", gzip ? ["-x", "-z", ...argv.slice(2)] : argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (c) => (err += c));
    p.on("error", (e) => reject(new Failure(`Failed to execute the subprocess '${command}': ${e.message}`)));
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Failure(`Subprocess '${command}' failed: ${err}`))));
  });
}

export class DockerStore {
  /** flags: the agent's; throws when the agent could not create its docker fetcher plugin (bad --docker_config). */
  constructor(flags) {
    this.storeDir = flags.docker_store_dir ?? "/tmp/mesos/store/docker";
    this.images = new Map();
    this.pulling = new Map();
    this.fetcher = null;
    try {
      this.fetcher = new DockerFetcher(flags.docker_config ? parseAuthConfig(flags.docker_config) : new Map());
    } catch (e) {
      glog.info("fetcher.cpp:68", `Skipping URI fetcher plugin 'docker' as it could not be created: Failed to parse docker config: ${e.message}`);
    }
    this.defaultRegistry = parseUrl(flags.docker_registry ?? "https://registry-1.docker.io");
  }

  layerPath = (id) => path.join(this.storeDir, "layers", id);
  rootfsPath = (id) => path.join(this.layerPath(id), "rootfs");

  /** StoreProcess::get for an Image of type DOCKER: the layers' rootfs paths, from the cache or a pull. */
  async get(image) {
    const ref = parseImageReference(image.docker?.name ?? "");
    const key = referenceString(ref);
    const cached = image.cached === false ? undefined : this.images.get(key);
    if (cached?.layers.every((l) => fs.existsSync(this.rootfsPath(l))) && fs.existsSync(this.layerPath(cached.config))) {
      glog.info("store.cpp:356", `Using cached image '${key}'`);
      return cached.layers.map(this.rootfsPath);
    }
    let pull = this.pulling.get(key);
    if (!pull) {
      fs.mkdirSync(path.join(this.storeDir, "staging"), { recursive: true });
      const staging = fs.mkdtempSync(path.join(this.storeDir, "staging", "/"));
      glog.info("store.cpp:383", `Pulling image '${key}'`);
      pull = this.pull(ref, staging)
        .then((img) => this.moveLayers(staging, img, key))
        .then((img) => {
          glog.info("store.cpp:392", `Caching image '${key}'`);
          this.images.set(key, img);
          return img;
        })
        .finally(() => {
          this.pulling.delete(key);
          glog.info("store.cpp:398", `Removing staging directory '${staging}'`);
          fs.rmSync(staging, { recursive: true, force: true });
        });
      this.pulling.set(key, pull);
    }
    const img = await pull;
    return img.layers.map(this.rootfsPath);
  }

  /** RegistryPullerProcess::_pull: the URI of the manifest, in the image's registry or the default one. */
  uriFor(ref, scheme, query) {
    if (ref.registry)
      return {
        scheme,
        host: registryHost(ref.registry),
        port: registryPort(ref.registry),
        path: ref.repository,
        query,
        fragment: registryScheme(ref.registry),
      };
    const d = this.defaultRegistry;
    return { scheme, host: d.host, port: d.port, path: ref.repository, query, fragment: d.scheme };
  }

  async pull(ref, dir) {
    // normalize(): Docker Hub's official images live under library/.
    const norm = { ...ref };
    const domain = ref.registry ?? this.defaultRegistry.host;
    if (domain.includes("docker.io") && !ref.repository.includes("/")) norm.repository = `library/${ref.repository}`;
    const manifestUri = this.uriFor(norm, "docker-manifest", norm.digest ?? norm.tag ?? "latest");
    glog.info("registry_puller.cpp:308", `Fetching manifest from '${uriString(manifestUri)}' to '${dir}' for image '${referenceString(norm)}'`);
    if (!this.fetcher) throw new Failure("Scheme 'docker-manifest' is not supported");
    await this.fetcher.fetchManifest(manifestUri, dir);
    const text = fs.readFileSync(path.join(dir, "manifest"), "utf8");
    let json;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Failure(`Failed to parse the manifest JSON: ${e.message}`);
    }
    if (json.schemaVersion !== 2) throw new Failure("Failed to parse the manifest: the stand-in does not imitate V2 Schema 1");
    const manifest = parseManifestV2(text, "Failed to parse the manifest: ");
    const config = manifest.config.digest;
    const digests = new Set();
    if (!fs.existsSync(this.layerPath(config))) {
      glog.info("registry_puller.cpp:646", `Fetching config '${config}' to '${dir}' for image '${referenceString(norm)}'`);
      digests.add(config);
    }
    glog.info("registry_puller.cpp:652", `Fetching layers to '${dir}' for image '${referenceString(norm)}'`);
    for (const l of manifest.layers) if (!fs.existsSync(this.rootfsPath(l.digest))) digests.add(l.digest);
    await Promise.all([...digests].map((d) => this.fetcher.fetchBlob(this.uriFor(norm, "docker-blob", d), dir)));
    return this.extract(ref, dir, manifest, digests);
  }

  /** RegistryPullerProcess::____pull: each new layer's tarball into <staging>/<digest>/rootfs. */
  async extract(ref, dir, manifest, digests) {
    glog.info("registry_puller.cpp:516", `Extracting layers to '${dir}' for image '${referenceString(ref)}'`);
    const layers = [];
    const untars = [];
    for (const { digest } of manifest.layers) {
      if (layers.includes(digest)) continue;
      layers.push(digest);
      if (fs.existsSync(this.rootfsPath(digest))) continue;
      const tar = path.join(dir, `${digest}-archive`);
      try {
        fs.renameSync(path.join(dir, digest), tar);
      } catch (e) {
        throw new Failure(`Failed to move the layer tar ball from '${path.join(dir, digest)}' to '${tar}': ${e.message}`);
      }
      const rootfs = path.join(dir, digest, "rootfs");
      fs.mkdirSync(rootfs, { recursive: true });
      untars.push(untar(tar, rootfs));
    }
    await Promise.all(untars);
    for (const d of digests) if (d !== manifest.config.digest) fs.rmSync(path.join(dir, `${d}-archive`), { force: true });
    return { config: manifest.config.digest, layers };
  }

  /** StoreProcess::moveLayers: new layers' rootfs and the config into the store (layers/<digest>). */
  moveLayers(staging, img, key) {
    glog.info("store.cpp:485", `Moving layers from staging directory '${staging}' to image store for image '${key}'`);
    for (const id of img.layers) {
      const source = path.join(staging, id);
      if (!fs.existsSync(source) || fs.existsSync(this.rootfsPath(id))) continue;
      fs.mkdirSync(this.layerPath(id), { recursive: true });
      fs.renameSync(path.join(source, "rootfs"), this.rootfsPath(id));
    }
    const target = this.layerPath(img.config);
    if (!fs.existsSync(target)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(path.join(staging, img.config), target);
    }
    return img;
  }
}
