import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { compileConfigModule, type NativeTargets } from "../../src/config/native-config.js";
import { entryName, filesSignature, installedPackage, memoPath, plainJson, recall, remember } from "../../src/util/memo.js";
import { ROOT } from "../helpers/cli.js";
import { tempDir, tempTree } from "../helpers/temp-dir.js";

const configIndex = path.join(ROOT, "src", "config", "index.ts");

/** A stand-in for the build's define.js, so that a compiled config can be imported here. */
function targets(): NativeTargets {
  const dir = tempTree("define", { "define.mjs": "export function defineConfig(c) { return c; }\n" });
  return { configIndex, defineUrl: pathToFileURL(path.join(dir, "define.mjs")).href };
}

const compile = (source: string, file = path.join(ROOT, "lab.config.ts"), t = targets()) => compileConfigModule(ts, source, file, t);
const unfit = (source: string) => {
  const out = compile(source);
  return "unfit" in out ? out.unfit : undefined;
};
const importLine = 'import { defineConfig } from "./src/config/index.js";\n';

describe("lab.config.ts compiled for a native import (src/config/native-config.ts)", () => {
  it("compiles the repository's own config: its import names the build's defineConfig, and it gives the same object", async () => {
    const t = targets();
    const out = compile(readFileSync(path.join(ROOT, "lab.config.ts"), "utf8"), undefined, t);
    if (!("code" in out)) throw new Error(out.unfit);
    expect(out.code).toContain(`from ${JSON.stringify(t.defineUrl)}`);
    expect(out.code).not.toContain("./src/config/index.js");
    const file = path.join(tempDir("native-config"), "lab.config.mjs");
    writeFileSync(file, out.code);
    const { default: compiled } = (await import(pathToFileURL(file).href)) as { default: unknown };
    const { default: original } = (await import("../../lab.config.js")) as { default: unknown };
    expect(compiled).toEqual(original);
  });

  it("strips types, and takes defineConfig by any of the paths jiti resolves, renamed or not, and Node built-ins", () => {
    for (const spec of ["./src/config/index.js", "./src/config/index.ts", "./src/config/index", configIndex, pathToFileURL(configIndex).href])
      expect(unfit(`import { defineConfig } from ${JSON.stringify(spec)};\nexport default defineConfig({});\n`), spec).toBeUndefined();
    const out = compile(
      `import os from "node:os";\nimport { defineConfig as define, type LabConfigInput } from "./src/config/index.js";\n` +
        `const agents: number = 2;\nconst images = { zk: "zookeeper:3.9" } as const;\nexport default define({ agents, images, extraEnv: { H: os.EOL } } satisfies LabConfigInput);\n`,
    );
    if (!("code" in out)) throw new Error(out.unfit);
    expect(out.code).toContain('import os from "node:os"');
    expect(out.code).not.toMatch(/: number|as const|satisfies|LabConfigInput/);
  });

  it("leaves to jiti every config whose meaning could differ as a native module", () => {
    expect(unfit(`import { defineConfig } from "./other.js";\nexport default defineConfig({});\n`)).toBe("it imports ./other.js");
    expect(
      unfit(`import { defineConfig, DEFAULT_IMAGES } from "./src/config/index.js";\nexport default defineConfig({ images: DEFAULT_IMAGES["1.11"] });\n`),
    ).toBe("it imports more than defineConfig from ./src/config/index.js");
    expect(unfit(`import cfg from "./src/config/index.js";\nexport default cfg.defineConfig({});\n`)).toMatch(/more than defineConfig/);
    expect(unfit(`import * as cfg from "./src/config/index.js";\nexport default cfg.defineConfig({});\n`)).toMatch(/more than defineConfig/);
    expect(unfit(`import { z } from "zod";\nexport default { agents: z.number().parse(1) };\n`)).toBe("it imports zod");
    expect(unfit(`${importLine}export default defineConfig({ material: { ssl: __dirname + "/ssl" } });\n`)).toBe("it uses __dirname");
    expect(unfit(`${importLine}export default defineConfig({ material: { ssl: new URL("ssl", import.meta.url).pathname } });\n`)).toBe("it uses import.meta");
    expect(unfit(`${importLine}const x = require("node:os");\nexport default defineConfig({});\n`)).toBe("it uses require");
    expect(unfit(`${importLine}const m = await import("node:os");\nexport default defineConfig({});\n`)).toBe("it imports dynamically");
    expect(unfit(`${importLine}class A { x = 1 }\nexport default defineConfig({ agents: new A().x });\n`)).toBe("it declares a class");
    expect(unfit(`${importLine}export default defineConfig({ agents: this === undefined ? 1 : 2 });\n`)).toBe("it uses this");
    expect(unfit(`${importLine}export const config = defineConfig({});\n`)).toBe("it has no default export");
    expect(unfit(`export { x } from "./x.js";\nexport default {};\n`)).toBe("it re-exports a module");
    expect(unfit(`export default { profile: "1.4" ;\n`)).toMatch(/^it does not compile: /);
  });
});

describe("the start memo (src/util/memo.ts)", () => {
  const saved = process.env.XDG_CACHE_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });

  it("gives a value back only for exactly the inputs it was kept with", () => {
    process.env.XDG_CACHE_HOME = tempDir("cache");
    expect(memoPath("config", "x.json")).toBe(path.join(process.env.XDG_CACHE_HOME, "mesos-lab", "config", "x.json"));
    const name = entryName("lab one");
    expect(name).toMatch(/^[0-9a-f]{16}$/);
    expect(entryName("lab two")).not.toBe(name);
    expect(recall("config", name, "inputs")).toBeUndefined();
    remember("config", name, "inputs", { agents: 1 });
    expect(recall("config", name, "inputs")).toEqual({ agents: 1 });
    expect(recall("config", name, "inputs ")).toBeUndefined();
    expect(recall("listing", name, "inputs")).toBeUndefined();
  });

  it("keeps only plain data, which JSON gives back as it was", () => {
    expect(plainJson({ a: [1, "x", null, true, { b: {} }] })).toBe('{"a":[1,"x",null,true,{"b":{}}]}');
    expect(plainJson(Object.assign(Object.create(null), { a: 1 }))).toBe('{"a":1}');
    for (const v of [{ a: undefined }, new Array(2), { f() {} }, new Date(0), /x/, Number.NaN, -0, 1n, { [Symbol("s")]: 1 }, new Map()])
      expect(plainJson(v)).toBeUndefined();
    const hidden = {};
    Object.defineProperty(hidden, "agents", { value: 2, enumerable: false });
    expect(plainJson(hidden)).toBeUndefined();
    expect(
      plainJson({
        get agents() {
          return 2;
        },
      }),
    ).toBeUndefined();
  });

  it("signs files by name, size and time, a folder by its .js files, and a package by its package.json", () => {
    const root = tempTree("signature", { "a/x.js": "1", "a/b/y.js": "2", "a/z.ts": "3", "node_modules/zod/package.json": '{"version":"4.0.0"}' });
    const sign = () => filesSignature(root, [path.join(root, "a"), path.join(root, "gone.js")]);
    const before = sign();
    expect(before.split("\n").map((l) => l.split(" ")[0])).toEqual(["a/b/y.js", "a/x.js", "gone.js"]);
    expect(before).toContain("gone.js missing");
    utimesSync(path.join(root, "a/x.js"), new Date(1_000), new Date(1_000));
    expect(sign()).not.toBe(before);
    expect(installedPackage("zod", path.join(root, "a", "b"))).toContain('"version":"4.0.0"');
    expect(installedPackage("nothing-here", root)).toBe("nothing-here: not installed");
  });
});
