import net from "node:net";
import { LabError } from "../util/errors.js";
import type { Address } from "./http.js";
import type { Role } from "./types.js";

export interface Target {
  role: Role;
  /** The address as the report names it: `http://host:port` (scheme as given), or `zk://host:port` for ZooKeeper. */
  url: string;
  address: Address;
  /** The scheme the user wrote (the audit probes both on the same port). */
  given: "http" | "https" | "tcp";
}

const DEFAULT_PORT: Record<Role, number> = { master: 5050, agent: 5051, zk: 2181 };

const hostOf = (h: string) => h.replace(/^\[(.*)\]$/, "$1");
const urlHost = (h: string) => (net.isIPv6(h) ? `[${h}]` : h);

/**
 * `--master`/`--agent`: `http://host:port` or `https://host:port` (`host:port` means http; no port: 5050, 5051). A
 * user and password in the address are refused: a secret on the command line is in the shell's history and in `ps`.
 */
export function parseHttpTarget(role: "master" | "agent", raw: string): Target {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LabError("usage", `--${role} ${raw} is not an address`, `Give the ${role}'s address as http://HOST:PORT or https://HOST:PORT.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new LabError("usage", `--${role} ${raw}: the scheme must be http or https`, `Give the ${role}'s address as http://HOST:PORT or https://HOST:PORT.`);
  if (url.username || url.password)
    throw new LabError(
      "usage",
      `--${role} ${raw} carries a user or password: a secret on the command line is visible to every user of this machine`,
      "Drop it from the address and give --principal with --secret-file FILE or --secret-env VAR.",
    );
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash)
    throw new LabError(
      "usage",
      `--${role} ${raw} has a path or query`,
      `Give only the ${role}'s scheme, host and port: the audit chooses the paths it probes.`,
    );
  const host = hostOf(url.hostname);
  // URL drops a port equal to the scheme's default (80, 443): an explicit one is kept as written
  const explicit = /^[a-z]+:\/\/[^/]*:(\d+)\/?$/i.exec(text)?.[1];
  const port = url.port ? Number(url.port) : explicit ? Number(explicit) : DEFAULT_PORT[role];
  const scheme = url.protocol === "https:" ? "https" : "http";
  return { role, url: `${scheme}://${urlHost(host)}:${port}`, address: { host, port }, given: scheme };
}

/** `--zk HOST:PORT` (or `zk://HOST:PORT/path` as Mesos' --zk writes it, one host, no user). */
export function parseZkTarget(raw: string): Target {
  const m = /^(?:zk:\/\/)?([^/@,\s]+?)(?::(\d+))?(?:\/.*)?$/.exec(raw);
  if (raw.includes("@"))
    throw new LabError(
      "usage",
      `--zk ${raw} carries a user or password: a secret on the command line is visible to every user of this machine`,
      "Give only HOST:PORT: the audit sends ZooKeeper a read-only four-letter word, which needs no credential.",
    );
  if (!m || raw.includes(","))
    throw new LabError("usage", `--zk ${raw} is not one ZooKeeper address`, "Give one ZooKeeper server as HOST:PORT (e.g. zk:2181).");
  const host = hostOf(m[1]!);
  const port = m[2] ? Number(m[2]) : DEFAULT_PORT.zk;
  return { role: "zk", url: `zk://${urlHost(host)}:${port}`, address: { host, port }, given: "tcp" };
}
