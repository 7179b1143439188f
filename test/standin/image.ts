/**
 * Builds the Mesos stand-in images without any registry: a rootfs tarball (host node + its libraries, static
 * busybox, the stand-in sources) is imported as a base image, and the four role images are commits of it with the
 * ENTRYPOINT/CMD shape of the real images. Everything is labelled with a content hash so a warm call is a handful of
 * image inspects.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { pack } from "tar-stream";
import { BUILTIN_PROFILES } from "../../src/model/profiles/index.js";
import { imageLabel } from "../helpers/image-label.js";
import { withLock } from "../helpers/lock.js";

export type StandinProfile = "1.4" | "1.11";
export interface StandinImages {
  zk: string;
  master: string;
  agent: string;
  execute: string;
  /** Not stand-ins: the lab registry's two roles run the real thing, Debian's docker-registry and Node.js. */
  registry: string;
  tokens: string;
}

export const STANDIN_LABEL = "io.mesos-lab.standin";
export const STANDIN_REPO = "mesos-lab-standin";

/** Bump when the rootfs layout or the role image shape changes, so old images are rebuilt. */
const RECIPE = "standin-image-v3";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE = "/usr/bin/node";
const BUSYBOX = "/bin/busybox";
/**
 * Debian's /bin/sh, as the real images have it (Debian 12 for the real 1.11 build, Ubuntu for 1.4's): a task's
 * `sh -c` then finds its commands on the PATH (busybox' own sh runs its applets first, whatever the PATH says) and
 * words its errors as dash does (`sh: 1: cannot open …`). Linked against libc only, which node brings; without it
 * the image keeps busybox' sh.
 */
const DASH = "/bin/dash";
/** Debian's docker-registry (the CNCF distribution registry, linked against libc only), as `registry` on the PATH. */
const REGISTRY = "/usr/bin/docker-registry";
const PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const WRAPPERS = ["zk", "mesos-master", "mesos-slave", "mesos-agent", "mesos-execute", "mesos-executor", "mesos-default-executor"];

/**
 * Commands the real Mesos image has (Debian's procps and coreutils) and the attack commands use, where busybox has
 * none or words it otherwise: `pkill` (by process name, /proc/PID/comm, as procps' does; the stand-in's processes name
 * themselves after their role), `nohup`, and a `cat` that reports a file it cannot read as coreutils does
 * (`cat: FILE: Permission denied`, busybox says `cat: can't open 'FILE': …`).
 */
const SHIMS: Record<string, string> = {
  pkill: `#!/bin/sh
# pkill [-SIGNAL] [-x] NAME: signals the processes named NAME (-x) or whose name contains NAME; exit 1 if none
sig=TERM
exact=
while [ $# -gt 1 ]; do
  case "$1" in
    -x) exact=1 ;;
    -[0-9]* | -[A-Z]*) sig=\${1#-} ;;
    *) break ;;
  esac
  shift
done
[ $# -eq 1 ] || { echo "pkill: no matching criteria specified" >&2; exit 2; }
rc=1
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}
  [ "$pid" = "$$" ] && continue
  read -r comm < "$d/comm" 2>/dev/null || continue
  if [ -n "$exact" ]; then [ "$comm" = "$1" ] || continue; else case "$comm" in *"$1"*) ;; *) continue ;; esac; fi
  kill -"$sig" "$pid" 2>/dev/null && rc=0
done
exit $rc
`,
  nohup: `#!/bin/sh
# nohup COMMAND [ARG]...: COMMAND immune to hangups (output to nohup.out when it would go to a terminal)
trap '' HUP
[ -t 1 ] && exec >>nohup.out
[ -t 2 ] && exec 2>&1
exec "$@"
`,
  cat: `#!/bin/sh
# busybox cat, with coreutils' messages for the files it cannot read
case "$*" in -?*) exec /bin/busybox cat "$@" ;; esac
[ $# -eq 0 ] && exec /bin/busybox cat
rc=0
for f in "$@"; do
  if [ "$f" = - ]; then /bin/busybox cat || rc=1
  elif [ -d "$f" ]; then echo "cat: $f: Is a directory" >&2; rc=1
  elif [ ! -e "$f" ]; then echo "cat: $f: No such file or directory" >&2; rc=1
  elif [ ! -r "$f" ]; then echo "cat: $f: Permission denied" >&2; rc=1
  else /bin/busybox cat "$f" || rc=1
  fi
done
exit $rc
`,
};

type Role = keyof StandinImages;

/** How each role image looks from the outside (mirrors mesosphere/mesos-*, netflixoss/exhibitor). */
function roleChanges(role: Role): string[] {
  switch (role) {
    case "master":
      return ['ENTRYPOINT ["mesos-master"]', "CMD []", "EXPOSE 5050"];
    case "agent":
      return ['ENTRYPOINT ["mesos-slave"]', "CMD []", "EXPOSE 5051"];
    case "execute":
      return ['CMD ["/bin/sh"]'];
    case "zk":
      // one port per EXPOSE: Podman's commit takes no list
      return ['CMD ["zk"]', "EXPOSE 2181", "EXPOSE 2888", "EXPOSE 3888", "EXPOSE 8080"];
    case "registry":
      // as the official registry:2.8 image declares it: the pushed images live in an anonymous volume
      return ['CMD ["/bin/sh"]', 'VOLUME ["/var/lib/registry"]'];
    case "tokens":
      return ['CMD ["/bin/sh"]'];
  }
}

/**
 * What the stand-in shares with the product, as data, per built-in profile (src/model/profiles/): the release it
 * reports, its ACL tables, and the libprocess SSL settings it reads (LIBPROCESS_SSL_X as `x`).
 */
function standinTables(): string {
  const profiles = Object.fromEntries(
    BUILTIN_PROFILES.map((p) => [
      p.name,
      {
        release: p.release,
        acls: { objects: p.acls.objects, anyOrNoneOnly: p.acls.anyOrNoneOnly, authorizablePaths: p.acls.authorizablePaths },
        sslKeys: p.flags.flatMap((f) => /^LIBPROCESS_SSL_(.+)$/.exec(f)?.[1]?.toLowerCase() ?? []),
      },
    ]),
  );
  return `${JSON.stringify({ profiles }, null, 2)}\n`;
}

function standinSources(): string[] {
  const lib = path.join(HERE, "lib");
  return [
    path.join(HERE, "standin.mjs"),
    ...fs
      .readdirSync(lib)
      .filter((f) => f.endsWith(".mjs"))
      .sort()
      .map((f) => path.join(lib, f)),
  ];
}

/** Content hash: stand-in sources, the recipe, and which node/busybox binaries go in. */
export function standinHash(): string {
  const h = crypto.createHash("sha256").update(RECIPE);
  for (const f of standinSources()) h.update(path.relative(HERE, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  h.update(standinTables());
  for (const [name, text] of Object.entries(SHIMS)) h.update(`${name}\0${text}\0`);
  for (const b of [NODE, BUSYBOX]) h.update(`${b}:${fs.statSync(b).size}\0`);
  h.update(`${DASH}:${fs.existsSync(DASH) ? fs.statSync(DASH).size : "absent"}\0`);
  h.update(`${REGISTRY}:${fs.existsSync(REGISTRY) ? fs.statSync(REGISTRY).size : "absent"}\0`);
  return h.digest("hex").slice(0, 24);
}

/** `ldd /usr/bin/node`: every library path it resolves, plus the ELF interpreter. */
function nodeLibraries(): string[] {
  const out = execFileSync("ldd", [NODE], { encoding: "utf8" });
  const libs = new Set<string>();
  for (const line of out.split("\n")) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  libs.add("/lib64/ld-linux-x86-64.so.2");
  return [...libs];
}

function rootfsTar(): NodeJS.ReadableStream {
  const p = pack();
  const dirs = new Set<string>();
  const mtime = new Date(0);
  const dir = (name: string, mode = 0o755) => {
    const parts = name.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (dirs.has(d)) continue;
      dirs.add(d);
      p.entry({ name: `${d}/`, type: "directory", mode: i === parts.length ? mode : 0o755, mtime });
    }
  };
  const file = (name: string, content: Buffer | string, mode = 0o644) => {
    dir(path.posix.dirname(name));
    p.entry({ name, mode, mtime }, typeof content === "string" ? Buffer.from(content) : content);
  };
  const symlink = (name: string, target: string) => {
    dir(path.posix.dirname(name));
    p.entry({ name, type: "symlink", linkname: target, mode: 0o777, mtime });
  };

  dir("tmp", 0o1777);
  dir("var/tmp", 0o1777);
  for (const d of ["root", "proc", "sys", "dev", "etc", "usr/local/bin", "usr/sbin", "sbin", "var/log", "var/run"]) dir(d);
  file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  file("etc/group", "root:x:0:\nnogroup:x:65534:\n");
  file("etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");

  file("usr/bin/node", fs.readFileSync(NODE), 0o755);
  // Real contents under the paths ldd printed: /lib is a real directory here, not Debian's /usr/lib symlink.
  for (const lib of nodeLibraries()) file(lib.replace(/^\//, ""), fs.readFileSync(fs.realpathSync(lib)), 0o755);

  file("bin/busybox", fs.readFileSync(BUSYBOX), 0o755);
  if (fs.existsSync(REGISTRY)) file("usr/local/bin/registry", fs.readFileSync(REGISTRY), 0o755);
  const applets = execFileSync(BUSYBOX, ["--list"], { encoding: "utf8" })
    .split("\n")
    .filter((a) => /^[\w.[-]+$/.test(a) && a !== "busybox");
  const dash = fs.existsSync(DASH);
  for (const a of applets) if (!(dash && a === "sh")) symlink(`bin/${a}`, "busybox");
  if (dash) file("bin/sh", fs.readFileSync(DASH), 0o755);

  for (const f of standinSources()) file(`opt/standin/${path.relative(HERE, f)}`, fs.readFileSync(f));
  file("opt/standin/lib/tables.json", standinTables());
  for (const w of WRAPPERS) file(`usr/local/bin/${w}`, `#!/bin/sh\nexec /usr/bin/node /opt/standin/standin.mjs ${w} "$@"\n`, 0o755);
  for (const w of ["mesos-executor", "mesos-default-executor"]) symlink(`usr/libexec/mesos/${w}`, `/usr/local/bin/${w}`);
  // the attack commands' curl (the real Mesos image has curl; busybox has none)
  file("usr/local/bin/curl", '#!/bin/sh\nexec /usr/bin/node /opt/standin/lib/curl.mjs "$@"\n', 0o755);
  for (const [name, text] of Object.entries(SHIMS)) file(`usr/local/bin/${name}`, text, 0o755);
  p.finalize();
  return p as unknown as NodeJS.ReadableStream;
}

async function drain(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
  const text = Buffer.concat(chunks).toString("utf8");
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const msg = JSON.parse(line) as { error?: string };
      if (msg.error) throw new Error(msg.error);
    } catch (e) {
      if (e instanceof SyntaxError) continue;
      throw e;
    }
  }
  return text;
}

const labelOf = (docker: Docker, ref: string) => imageLabel(docker, ref, STANDIN_LABEL);

/** Tagged by content hash too, so checkouts (worktrees) with different stand-in sources do not retag each other's images. */
function refsFor(profile: StandinProfile, hash: string): StandinImages {
  const tag = `${profile}-${hash.slice(0, 12)}`;
  const refs = {
    zk: `${STANDIN_REPO}/zk:${tag}`,
    master: `${STANDIN_REPO}/master:${tag}`,
    agent: `${STANDIN_REPO}/agent:${tag}`,
    execute: `${STANDIN_REPO}/execute:${tag}`,
  };
  return { ...refs, registry: `${STANDIN_REPO}/registry:${tag}`, tokens: `${STANDIN_REPO}/tokens:${tag}` };
}

async function allCurrent(docker: Docker, refs: StandinImages, hash: string): Promise<boolean> {
  const labels = await Promise.all(Object.values(refs).map((r) => labelOf(docker, r)));
  return labels.every((l) => l === hash);
}

async function build(docker: Docker, refs: StandinImages, hash: string, profile: StandinProfile): Promise<void> {
  const base = `${STANDIN_REPO}/base:${hash}`;
  if ((await labelOf(docker, base)) !== hash) {
    // the tag goes inside `repo`: Podman's compat API ignores a separate `tag` on import (and tags :latest)
    const out = await docker.importImage(rootfsTar(), {
      repo: base,
      changes: [`ENV PATH=${PATH_ENV}`, `LABEL ${STANDIN_LABEL}=${hash}`, 'CMD ["/bin/sh"]'],
    });
    await drain(out);
  }
  for (const role of Object.keys(refs) as Role[]) {
    const ref = refs[role];
    const [repo, tag] = [ref.slice(0, ref.lastIndexOf(":")), ref.slice(ref.lastIndexOf(":") + 1)];
    const c = await docker.createContainer({ Image: base, Cmd: ["/bin/true"], Labels: { [STANDIN_LABEL]: hash } });
    try {
      await c.commit({
        repo,
        tag,
        comment: `mesos-lab stand-in ${role} (profile ${profile})`,
        changes: [
          ...roleChanges(role),
          `ENV STANDIN_PROFILE=${profile}`,
          `ENV PATH=${PATH_ENV}`,
          `LABEL ${STANDIN_LABEL}=${hash}`,
          `LABEL ${STANDIN_LABEL}.role=${role}`,
          `LABEL ${STANDIN_LABEL}.profile=${profile}`,
        ],
      });
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }
  // Images of older stand-in versions would pile up (each base is ~100 MB): drop those built over a day ago (another
  // checkout may still use a recent one); the ones still used by containers stay.
  const all = (await docker.listImages({ all: true, filters: { label: [STANDIN_LABEL] } })) as Array<{
    Id: string;
    Created: number;
    Labels?: Record<string, string> | null;
  }>;
  const stale = all.filter((img) => img.Labels?.[STANDIN_LABEL] !== hash && img.Created * 1000 < Date.now() - 86_400_000);
  for (let pass = 0; pass < 2; pass++)
    for (const img of stale)
      await docker
        .getImage(img.Id)
        .remove()
        .catch(() => undefined);
}

/**
 * Returns the four role image references for `profile` (default 1.4), building them when missing or stale.
 * Safe to call from several processes at once; a warm call only inspects images.
 */
export async function ensureStandinImages(opts: { profile?: StandinProfile; docker?: Docker } = {}): Promise<StandinImages> {
  const profile = opts.profile ?? "1.4";
  const docker = opts.docker ?? new Docker();
  const hash = standinHash();
  const refs = refsFor(profile, hash);
  if (await allCurrent(docker, refs, hash)) return refs;
  await withLock(`mesos-lab-standin-${hash}.lock`, async () => {
    if (!(await allCurrent(docker, refs, hash))) await build(docker, refs, hash, profile);
  });
  return refs;
}
