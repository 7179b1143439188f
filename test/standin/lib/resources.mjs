// Scalar resources plus a ports range, in both text forms Mesos uses: `cpus:1;mem:128` and the JSON Resource list.
import os from "node:os";
import { is111 } from "./flags.mjs";

const ORDER = ["cpus", "gpus", "mem", "disk"];

export function parseResources(v) {
  const out = {};
  if (v === undefined || v === null || v === "") return out;
  if (Array.isArray(v) || (typeof v === "string" && v.trim().startsWith("["))) {
    const list = Array.isArray(v) ? v : JSON.parse(v);
    for (const r of list) {
      if (r.type === "RANGES" || r.ranges) out[r.name] = `[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(", ")}]`;
      else out[r.name] = (out[r.name] ?? 0) + Number(r.scalar?.value ?? 0);
    }
    return out;
  }
  for (const part of String(v).split(";")) {
    const m = /^\s*([a-z_]+)(?:\([^)]*\))?\s*:\s*(.+?)\s*$/.exec(part);
    if (!m) continue;
    out[m[1]] = m[2].startsWith("[") ? m[2] : Number(m[2]);
  }
  return out;
}

export function toProto(res) {
  return Object.entries(res).map(([name, v]) =>
    typeof v === "number"
      ? { name, type: "SCALAR", scalar: { value: v } }
      : {
          name,
          type: "RANGES",
          ranges: {
            range: v
              .replace(/[[\]]/g, "")
              .split(",")
              .filter(Boolean)
              .map((r) => {
                const [b, e] = r.trim().split("-");
                return { begin: Number(b), end: Number(e) };
              }),
          },
        },
  );
}

function names(res) {
  return Object.keys(res).sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
}

const num = (v) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000));

/** `cpus(*):2; mem(*):1024` in 1.4, `cpus:2; mem:1024` in 1.11; `allocated` adds the allocation role like Mesos does. */
export function formatResources(res, { allocated = false } = {}) {
  return names(res)
    .filter((n) => res[n] !== 0)
    .map((n) => {
      const v = typeof res[n] === "number" ? num(res[n]) : res[n];
      if (is111) return allocated ? `${n}(allocated: *):${v}` : `${n}:${v}`;
      return allocated ? `${n}(*)(allocated: *):${v}` : `${n}(*):${v}`;
    })
    .join("; ");
}

export function add(a, b) {
  const o = { ...a };
  for (const [k, v] of Object.entries(b)) if (typeof v === "number") o[k] = (o[k] ?? 0) + v;
  return o;
}

export function subtract(a, b) {
  const o = { ...a };
  for (const [k, v] of Object.entries(b)) if (typeof v === "number") o[k] = Math.max(0, Math.round(((o[k] ?? 0) - v) * 1000) / 1000);
  return o;
}

export function contains(have, want) {
  for (const [k, v] of Object.entries(want)) if (typeof v === "number" && v > 0 && (typeof have[k] !== "number" || have[k] + 1e-9 < v)) return false;
  return true;
}

export function scalarsOnly(res) {
  return Object.fromEntries(Object.entries(res).filter(([, v]) => typeof v === "number"));
}

/** What a real agent would detect: all cpus, memory less 1 GB headroom, a fixed disk. */
export function detectAgentResources(flagValue) {
  const r = { cpus: os.cpus().length || 1, mem: Math.max(256, Math.floor(os.totalmem() / 1048576) - 1024), disk: 252899, ports: "[31000-32000]" };
  return { ...r, ...parseResources(flagValue) };
}
