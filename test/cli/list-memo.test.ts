import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempLab } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

/** The entries of one kind in a cache folder (XDG_CACHE_HOME). */
const entries = (cache: string, kind: string) => readdirSync(path.join(cache, "mesos-lab", kind)).map((n) => path.join(cache, "mesos-lab", kind, n));

describe("list from the start memo (src/util/memo.ts; the real binary)", () => {
  it("a second start prints what the first did, from the config module, validated config and listing the first kept", async () => {
    const env = { XDG_CACHE_HOME: tempDir("cache") };
    const first = [await cli(["list"], { env }), await cli(["list", "--json"], { env })];
    const second = [await cli(["list"], { env }), await cli(["list", "--json"], { env })];
    for (const [i, r] of [...first, ...second].entries()) expect(r.exitCode, `run ${i}: ${r.stderr}`).toBe(0);
    expect(second.map((r) => r.stdout)).toEqual(first.map((r) => r.stdout));
    expect(first[0]!.stdout).toMatch(/01\s+The default configuration \(insecure\)/);

    const modules = entries(env.XDG_CACHE_HOME, "config-module").filter((f) => f.endsWith(".mjs"));
    expect(modules).toHaveLength(1);
    expect(readFileSync(modules[0]!, "utf8")).toContain(JSON.stringify(pathToFileURL(path.join(ROOT, "dist", "src", "config", "define.js")).href));
    expect(entries(env.XDG_CACHE_HOME, "config")).toHaveLength(1);
    const [listing] = entries(env.XDG_CACHE_HOME, "listing");

    // what list prints is the entry's value while its inputs are those of now, and never once they are not
    const entry = JSON.parse(readFileSync(listing!, "utf8")) as { inputs: string; value: Array<{ title: string }> };
    entry.value[0]!.title = "a title only the memo holds";
    writeFileSync(listing!, JSON.stringify(entry));
    expect((JSON.parse((await cli(["list", "--json"], { env })).stdout) as Array<{ title: string }>)[0]!.title).toBe("a title only the memo holds");
    writeFileSync(listing!, JSON.stringify({ ...entry, inputs: `${entry.inputs} (another build)` }));
    expect((await cli(["list", "--json"], { env })).stdout).toBe(first[1]!.stdout);
  });

  it("a config left to jiti (it imports another module) lists the same on every start, and its profile's own exercises", async () => {
    const env = { XDG_CACHE_HOME: tempDir("cache") };
    const dir = tempLab(`{ profile: "1.4", agents }`);
    writeFileSync(path.join(dir, "agents.ts"), "export const agents: number = 1;\n");
    writeFileSync(path.join(dir, "lab.config.ts"), `import { agents } from "./agents.js";\n${readFileSync(path.join(dir, "lab.config.ts"), "utf8")}`);
    const runs = [await cli(["list"], { cwd: dir, env }), await cli(["list"], { cwd: dir, env })];
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
    expect(runs[0]!.stdout).toContain("Exercises (profile 1.4:");
    const [unfit] = entries(env.XDG_CACHE_HOME, "config-module");
    expect(JSON.parse(readFileSync(unfit!, "utf8")).value).toEqual({ unfit: "it imports ./agents.js" });
  });
});
