import type { RuntimeName } from "../types.js";

/**
 * Docker and Podman's Docker-compatible service (`podman system service`) speak the same API with a few differences
 * of dialect; the Docker-API runtime reads which one answers from /_ping and treats each as its quirks say.
 */

/** The headers of `GET /_ping`, lower-cased as Node gives them. */
export type PingHeaders = Record<string, string | string[] | undefined>;

/**
 * Podman's compat API answers /_ping with `Libpod-Api-Version` and `Server: Libpod/…`; Docker with `Server: Docker/…`.
 * The ping is asked rather than /version: Podman runs conmon and runc to answer /version, seconds on a busy host.
 */
export function runtimeOf(headers: PingHeaders): RuntimeName {
  return headers["libpod-api-version"] !== undefined || /libpod|podman/i.test(String(headers.server ?? "")) ? "podman" : "docker";
}

/**
 * Whether the engine behind /info runs rootless. Each says it its own way: Podman's compat /info has a `Rootless`
 * field of its own (4.3 lists no "name=rootless" in SecurityOptions), Docker's rootless daemon lists
 * "name=rootless" in SecurityOptions.
 */
export function rootlessOf(info: { Rootless?: unknown; SecurityOptions?: unknown }): boolean {
  if (info.Rootless === true) return true;
  return Array.isArray(info.SecurityOptions) && info.SecurityOptions.some((o) => typeof o === "string" && o.split(",").includes("name=rootless"));
}

/** How the Docker-API runtime treats each engine where their Docker APIs differ. */
export interface RuntimeQuirks {
  /**
   * Podman 4.3's log follow drops lines of a burst (seen: `seq 1 3000` in four containers at once came out with
   * gaps, down to one line in fifty, both while the follow ran and when it began after the exit); its plain reads
   * are complete. There the follow only signals new output and the lines come from plain reads (log-follow.ts). Each
   * read scans the whole log file on Podman's side: the price of not losing lines.
   */
  lossyFollow: boolean;
  /**
   * Docker gives a root container's process group 0 as a supplementary group too (`id` prints `groups=0(root)`, as
   * exercise 11's nested-container session shows); Podman 4 gives it none, so the runtime adds it there.
   */
  rootNeedsGroupAdd: boolean;
}

export const RUNTIME_QUIRKS: Record<RuntimeName, RuntimeQuirks> = {
  docker: { lossyFollow: false, rootNeedsGroupAdd: false },
  podman: { lossyFollow: true, rootNeedsGroupAdd: true },
};
