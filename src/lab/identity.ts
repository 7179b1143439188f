import { createHash } from "node:crypto";
import type { LabConfig } from "../config/schema.js";

/** One lab per config folder: two checkouts on one machine keep their containers apart. */
export function labIdOf(config: Pick<LabConfig, "root">): string {
  return createHash("sha1").update(config.root).digest("hex").slice(0, 8);
}
