import { usesTls } from "../render.js";
import type { AddressPlan } from "./address-plan.js";

/**
 * How the harness itself talks to a Mesos process that runs with `env`: over TLS when the process does, presenting the
 * scheduler's leaf (a process that requires client certificates accepts it), and verifying the server with the lab
 * CA only when the process has a certificate of the lab's (the workshop's self-signed cert.pem cannot be verified).
 */
export function clientTls(plan: AddressPlan, env: Record<string, string>): { tls: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer } {
  if (!usesTls(env)) return { tls: false };
  return {
    tls: true,
    ca: env.LIBPROCESS_SSL_CERT_FILE ? plan.material("ssl/ca.pem") : undefined,
    cert: plan.material("ssl/scheduler.pem"),
    key: plan.material("ssl/scheduler-key.pem"),
  };
}
