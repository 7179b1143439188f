import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { specifiersOf } from "../../scripts/import-cycles.js";
import { ROOT } from "../helpers/cli.js";
import { tempTree } from "../helpers/temp-dir.js";

/**
 * The container runtime's boundary: the Docker client library (dockerode, docker-modem) is imported only inside
 * src/runtime/docker-api/, and that folder only by the factory. Everything else sees the ContainerRuntime interface
 * and plain data, so a runtime with another API could replace it without touching the engine, the CLI or the TUI.
 */
const CLIENT_LIBRARIES = /^(dockerode|docker-modem)(\/|$)/;

function boundaryViolations(srcRoot: string): string[] {
  const files = readdirSync(srcRoot, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
  const implementation = path.join(srcRoot, "runtime", "docker-api") + path.sep;
  const factory = path.join(srcRoot, "runtime", "factory.ts");
  const out: string[] = [];
  for (const file of files) {
    const rel = path.relative(srcRoot, file);
    const inside = file.startsWith(implementation);
    for (const spec of specifiersOf(file, readFileSync(file, "utf8"), { withTypes: true })) {
      if (CLIENT_LIBRARIES.test(spec) && !inside) out.push(`${rel} imports ${spec}`);
      const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : undefined;
      if (target?.startsWith(implementation) && !inside && file !== factory) out.push(`${rel} imports ${spec}`);
    }
  }
  return out.sort();
}

describe("the container runtime's boundary", () => {
  it("src/ imports the Docker client only in src/runtime/docker-api/, and that folder only from the factory", () => {
    expect(boundaryViolations(path.join(ROOT, "src"))).toEqual([]);
  });

  it("names a module that imports dockerode or reaches into the implementation from outside", () => {
    const root = tempTree("boundary", {
      "runtime/docker-api/connection.ts": 'import Docker from "dockerode";\nexport const c = new Docker();\n',
      "runtime/factory.ts": 'export { c } from "./docker-api/connection.js";\n',
      "engine/cluster.ts": 'import type { ContainerCreateOptions } from "dockerode";\nexport type X = ContainerCreateOptions;\n',
      "lab/doctor.ts": 'import { c } from "../runtime/docker-api/connection.js";\nexport const d = c;\n',
      "lab/ok.ts": 'import { c } from "../runtime/factory.js";\nexport const e = c;\n',
    });
    expect(boundaryViolations(root)).toEqual(["engine/cluster.ts imports dockerode", "lab/doctor.ts imports ../runtime/docker-api/connection.js"]);
  });
});
