/**
 * Which credentials file a UI asks a login from, when its process authenticates read-only HTTP requests (the web UI
 * reads those endpoints): the master's `--credentials` (src/master/master.cpp:521-535 at 1.11.x: "Store credentials
 * in master to use them in routes"), the agent's `--http_credentials` (src/slave/slave.cpp:320-330). The path is the
 * one inside the container; the lab's own copy of `/etc/credentials/<file>` is `<folder>/<file>` in the lab folder
 * (`folder`: lab.config.ts material.credentials).
 */
export function uiLoginFile(role: "master" | "agent", env: Record<string, string>, folder: string): string | undefined {
  if (env.MESOS_AUTHENTICATE_HTTP_READONLY !== "true") return undefined;
  const flag = role === "master" ? env.MESOS_CREDENTIALS : env.MESOS_HTTP_CREDENTIALS;
  if (!flag) return undefined;
  const file = flag.replace(/^file:\/\//, "");
  const own = /^\/etc\/credentials\/([^/]+)$/.exec(file);
  return own ? `${folder.replace(/\/+$/, "")}/${own[1]}` : `${file} (in the container)`;
}

/** What the TUI and `up` say of a protected UI: where its login comes from, never the secret. */
export const uiLoginText = (file: string): string => `asks for a login: a principal and its secret from ${file}`;
