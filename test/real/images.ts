/**
 * Real Mesos images for the real-Mesos suite, made without any registry from the build in ../shared/real-mesos/ (its
 * README says how): a Debian 12 root filesystem from debootstrap with Mesos' runtime libraries, the Mesos install tree
 * unpacked at /, imported as one image without an entrypoint (as Apache's own mesos/mesos-centos images are); and a
 * ZooKeeper 3.8 image from Debian's package at its default four-letter-word whitelist (only `srvr`), as the official
 * zookeeper images are. Both are labelled with a content hash, so a warm call only inspects them.
 *
 * Users run the same suite against images they pulled: MESOS_LAB_REAL_IMAGE (e.g. mesos/mesos-centos:1.11.0) and
 * MESOS_LAB_REAL_ZK (e.g. zookeeper:3.8) skip the build.
 */
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { imageLabel } from "../helpers/image-label.js";
import { withLock } from "../helpers/lock.js";

export const REAL_LABEL = "io.mesos-lab.real";
const REPO = "mesos-lab-real";
/** Bump when the image recipe changes, so old images are rebuilt. */
const RECIPE = "real-mesos-images-v1";
const ROOT = path.resolve(import.meta.dirname, "../..");
const PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Runtime libraries of the build (its README), plus what the exercises run inside the containers. */
const MESOS_PACKAGES = [
  "libsvn1",
  "libsasl2-2",
  "libsasl2-modules",
  "libcurl4",
  "libapr1",
  "libevent-2.1-7",
  "libevent-core-2.1-7",
  "libevent-openssl-2.1-7",
  "libevent-pthreads-2.1-7",
  "libssl3",
  "zlib1g",
  "libunwind8",
  "libprotobuf32",
  "libgrpc++1.51",
  "libgrpc29",
  "libzookeeper-mt2",
  "libarchive13",
  "libre2-9",
  "curl",
  "ca-certificates",
  "procps",
  "iproute2",
  "netcat-openbsd",
  "openssl",
];
const ZK_PACKAGES = ["zookeeper"];

/**
 * Debian's ZooKeeper started in the foreground. Its /var/lib/zookeeper/myid holds placeholder text that 3.8 refuses,
 * so another dataDir; the admin server would take port 8080; without log4j on the classpath it logs nothing.
 */
const ZK_START = `#!/bin/sh
set -e
mkdir -p /var/lib/zk-data
printf 'tickTime=2000\\ndataDir=/var/lib/zk-data\\nclientPort=2181\\nadmin.enableServer=false\\n' > /etc/zk.cfg
J=/usr/share/java
CP=$J/zookeeper.jar:$J/zookeeper-jute.jar:$J/slf4j-api.jar:$J/slf4j-log4j12.jar:$J/log4j-1.2.jar:$J/metrics-core.jar:$J/commons-cli.jar:$J/snappy-java.jar
for n in handler common buffer transport codec resolver transport-native-epoll transport-native-unix-common; do CP=$CP:$J/netty-$n.jar; done
exec java -Xmx256m -cp "$CP" -Dlog4j.configuration=file:/etc/zk-log4j.properties org.apache.zookeeper.server.ZooKeeperServerMain /etc/zk.cfg
`;
const ZK_LOG4J = `log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n
`;

export interface RealImages {
  zk: string;
  master: string;
  agent: string;
  execute: string;
  /** `built` from ../shared/real-mesos, or `given` by MESOS_LAB_REAL_IMAGE / MESOS_LAB_REAL_ZK. */
  origin: { mesos: "built" | "given"; zk: "built" | "given" };
}

/**
 * The build beside the checkout (../shared/real-mesos), or MESOS_LAB_REAL_MESOS_DIR. A clone of a local checkout made
 * elsewhere (`git clone . /tmp/ci-clone`) has none beside it, and reads the one beside the checkout it came from.
 */
export function realMesosDir(): string {
  if (process.env.MESOS_LAB_REAL_MESOS_DIR) return process.env.MESOS_LAB_REAL_MESOS_DIR;
  const beside = (checkout: string) => path.resolve(checkout, "../shared/real-mesos");
  if (fs.existsSync(beside(ROOT))) return beside(ROOT);
  const origin = localOrigin();
  return origin && fs.existsSync(beside(origin)) ? beside(origin) : beside(ROOT);
}

/** The folder `origin` names when it is a checkout on this machine (a path or file:// URL), else undefined. */
function localOrigin(): string | undefined {
  let url: string;
  try {
    url = execFileSync("git", ["-C", ROOT, "config", "--get", "remote.origin.url"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
  const dir = url.startsWith("file://") ? url.slice("file://".length) : url;
  return path.isAbsolute(dir) && fs.existsSync(dir) ? dir : undefined;
}

function tarball(): string | undefined {
  const dir = realMesosDir();
  if (!fs.existsSync(dir)) return undefined;
  const f = fs.readdirSync(dir).find((n) => /^mesos-[\d.]+-runtime\.tar\.zst$/.test(n));
  return f ? path.join(dir, f) : undefined;
}

/** Why the suite cannot run here, or undefined when it can. */
export function missingBuild(): string | undefined {
  if (process.env.MESOS_LAB_REAL_IMAGE && process.env.MESOS_LAB_REAL_ZK) return undefined;
  if (!tarball())
    return `no Mesos build in ${realMesosDir()} (mesos-<version>-runtime.tar.zst); set MESOS_LAB_REAL_MESOS_DIR, or MESOS_LAB_REAL_IMAGE and MESOS_LAB_REAL_ZK to images you pulled`;
  for (const tool of ["debootstrap", "zstd", "chroot"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `building the real images needs '${tool}' (Debian packages debootstrap, zstd; .ci/run installs them)`;
    }
  }
  if (process.getuid?.() !== 0) return "building the real images runs debootstrap and chroot, which need root";
  return undefined;
}

function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The Debian mirror apt already uses here (debootstrap needs one; no other host is reachable). */
function debianMirror(): string {
  if (process.env.MESOS_LAB_DEBIAN_MIRROR) return process.env.MESOS_LAB_DEBIAN_MIRROR;
  const texts = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, "utf8"));
  for (const t of texts) {
    const m = /^URIs:\s*(\S+\/debian)\s*$/m.exec(t) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+bookworm\b/m.exec(t);
    if (m?.[1]) return m[1];
  }
  return "http://deb.debian.org/debian";
}

function run(cmd: string, args: string[], opts: { log: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(opts.log, "a");
    const p = spawn(cmd, args, { stdio: ["ignore", out, out] });
    p.on("error", reject);
    p.on("close", (code) => {
      fs.closeSync(out);
      if (code === 0) return resolve();
      const tail = fs.readFileSync(opts.log, "utf8").trimEnd().split("\n").slice(-15).join("\n");
      reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} … exited with ${code}:\n${tail}`));
    });
  });
}

async function bootstrap(dir: string, packages: string[], log: string): Promise<void> {
  await run("debootstrap", ["--variant=minbase", `--include=${packages.join(",")}`, "bookworm", dir, debianMirror()], { log });
}

/** `tar -c` of a root filesystem into `docker import`, with the image's config changes. */
async function importRootfs(docker: Docker, dir: string, ref: string, changes: string[]): Promise<void> {
  const tar = spawn("tar", ["-C", dir, "--numeric-owner", "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
  const [repo, tag] = [ref.slice(0, ref.lastIndexOf(":")), ref.slice(ref.lastIndexOf(":") + 1)];
  const stream = await docker.importImage(tar.stdout as unknown as NodeJS.ReadableStream, { repo, tag, changes } as object);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  const code = await new Promise<number | null>((r) => (tar.exitCode !== null ? r(tar.exitCode) : tar.on("close", r)));
  if (code !== 0) throw new Error(`tar of ${dir} exited with ${code}`);
}

async function buildMesos(docker: Docker, ref: string, hash: string, work: string): Promise<void> {
  const root = path.join(work, "mesos");
  const log = path.join(work, "mesos.log");
  await bootstrap(root, MESOS_PACKAGES, log);
  await run("sh", ["-c", `zstd -dc "$0" | tar -C "$1" -x`, tarball()!, root], { log });
  await run("chroot", [root, "ldconfig"], { log });
  const version = execFileSync("chroot", [root, "/usr/local/sbin/mesos-master", "--version"], { encoding: "utf8" }).trim();
  const missing = execFileSync(
    "chroot",
    [
      root,
      "sh",
      "-c",
      'for f in /usr/local/sbin/* /usr/local/bin/* /usr/local/libexec/mesos/*; do ldd "$f" 2>/dev/null | grep \'not found\' | sed "s|^|$f: |"; done',
    ],
    { encoding: "utf8" },
  ).trim();
  if (missing) throw new Error(`the Mesos build misses libraries in the image:\n${missing}`);
  await importRootfs(docker, root, ref, [
    `ENV PATH=${PATH_ENV}`,
    `LABEL ${REAL_LABEL}=${hash}`,
    `LABEL ${REAL_LABEL}.version=${version.replace(/^mesos /, "")}`,
  ]);
}

async function buildZk(docker: Docker, ref: string, hash: string, work: string): Promise<void> {
  const root = path.join(work, "zk");
  await bootstrap(root, ZK_PACKAGES, path.join(work, "zk.log"));
  fs.writeFileSync(path.join(root, "usr/local/bin/zk-start"), ZK_START, { mode: 0o755 });
  fs.writeFileSync(path.join(root, "etc/zk-log4j.properties"), ZK_LOG4J);
  await importRootfs(docker, root, ref, [`ENV PATH=${PATH_ENV}`, 'CMD ["zk-start"]', "EXPOSE 2181", `LABEL ${REAL_LABEL}=${hash}`]);
}

const labelOf = (docker: Docker, ref: string) => imageLabel(docker, ref, REAL_LABEL);

/** What the images are made of: the build's bytes, the recipe, the packages and the ZooKeeper start script. */
export function realHash(): string {
  const h = crypto.createHash("sha256").update(RECIPE).update("\0").update(sha256File(tarball()!));
  h.update(MESOS_PACKAGES.join(",")).update(ZK_PACKAGES.join(",")).update(ZK_START).update(ZK_LOG4J);
  return h.digest("hex").slice(0, 24);
}

/**
 * The four role images for profile 1.11 on real Mesos: given ones, or built from ../shared/real-mesos when missing or
 * stale. Safe to call from several processes at once (one builds, the others wait).
 */
export async function ensureRealImages(opts: { docker?: Docker; log?: (line: string) => void } = {}): Promise<RealImages> {
  const docker = opts.docker ?? new Docker();
  const givenMesos = process.env.MESOS_LAB_REAL_IMAGE;
  const givenZk = process.env.MESOS_LAB_REAL_ZK;
  const why = missingBuild();
  if (why && !(givenMesos && givenZk)) throw new Error(why);
  const hash = givenMesos && givenZk ? "" : realHash();
  const mesos = givenMesos ?? `${REPO}/mesos:1.11-${hash.slice(0, 12)}`;
  const zk = givenZk ?? `${REPO}/zookeeper:3.8-${hash.slice(0, 12)}`;
  const want = [...(givenMesos ? [] : [{ ref: mesos, build: buildMesos }]), ...(givenZk ? [] : [{ ref: zk, build: buildZk }])];
  const stale = async () =>
    (await Promise.all(want.map(async (w) => ((await labelOf(docker, w.ref)) === hash ? undefined : w)))).filter((w) => w !== undefined);
  if ((await stale()).length) {
    await withLock(`mesos-lab-real-${hash}.lock`, async () => {
      const todo = await stale();
      if (!todo.length) return;
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "mesos-lab-real-build-"));
      const t0 = Date.now();
      opts.log?.(`building ${todo.map((w) => w.ref).join(" and ")} from ${realMesosDir()} (debootstrap from ${debianMirror()})`);
      try {
        await Promise.all(todo.map((w) => w.build(docker, w.ref, hash, work)));
      } finally {
        removeBuildDir(work);
      }
      opts.log?.(`built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await pruneStale(docker, hash);
    });
  }
  return { zk, master: mesos, agent: mesos, execute: mesos, origin: { mesos: givenMesos ? "given" : "built", zk: givenZk ? "given" : "built" } };
}

/** debootstrap mounts /proc and /sys in its target and leaves them mounted when it fails: unmount before removing. */
function removeBuildDir(work: string): void {
  const mounts = fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m.startsWith(`${work}/`));
  for (const m of mounts.sort().reverse()) {
    try {
      execFileSync("umount", ["-l", m], { stdio: "ignore" });
    } catch {
      /* already gone */
    }
  }
  const still = fs.readFileSync("/proc/mounts", "utf8").includes(` ${work}/`);
  if (!still) fs.rmSync(work, { recursive: true, force: true });
}

/** Older builds' images (~1 GB each pair) would pile up: drop those of another hash that no container uses. */
async function pruneStale(docker: Docker, hash: string): Promise<void> {
  const all = (await docker.listImages({ filters: { label: [REAL_LABEL] } })) as Array<{ Id: string; Labels?: Record<string, string> | null }>;
  for (const img of all.filter((i) => i.Labels?.[REAL_LABEL] !== hash))
    await docker
      .getImage(img.Id)
      .remove()
      .catch(() => undefined);
}
