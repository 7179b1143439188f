// Process-level helpers shared by the roles: own address, test knobs, signal policy.
import os from "node:os";
import * as glog from "./glog.mjs";

/** libprocess' address: --ip, else LIBPROCESS_IP, else the first routable interface. */
export function selfIp(flagIp) {
  if (flagIp) return flagIp;
  if (process.env.LIBPROCESS_IP) return process.env.LIBPROCESS_IP;
  for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return "127.0.0.1";
}

/**
 * Test knobs (never set by the product): STANDIN_STARTUP_DELAY_MS before anything happens, STANDIN_EXIT_AFTER_MS +
 * STANDIN_EXIT_CODE to die mid-step, STANDIN_CHATTY_LINES_PER_SEC to flood stderr like GLOG_v=2.
 */
export async function applyKnobs(role) {
  const delay = Number(process.env.STANDIN_STARTUP_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const after = Number(process.env.STANDIN_EXIT_AFTER_MS ?? 0);
  if (after > 0) setTimeout(() => process.exit(Number(process.env.STANDIN_EXIT_CODE ?? 1)), after).unref();
  const rate = Number(process.env.STANDIN_CHATTY_LINES_PER_SEC ?? 0);
  if (rate > 0) {
    const tick = 50;
    let carry = 0;
    let n = 0;
    const who = role === "mesos-slave" ? "slave(1)" : role === "mesos-master" ? "master" : "scheduler-1";
    setInterval(() => {
      carry += (rate * tick) / 1000;
      for (; carry >= 1; carry--) glog.info("process.cpp:3580", `Handling HTTP event for process '${who}' with path: '/${who}/state' (#${n++})`);
    }, tick).unref();
  }
}

/** Master and agent stop promptly on SIGTERM/SIGINT so `docker stop` is fast (mesos-execute keeps node's default). */
export function exitOnTerm(cleanup) {
  const h = () => {
    try {
      cleanup?.();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", h);
  process.on("SIGINT", h);
}

export const TERMINAL = new Set([
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_LOST",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
]);
