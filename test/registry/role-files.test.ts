import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureLabMaterial } from "../../src/pki/index.js";
import { registryRoleFiles } from "../../src/registry/roles.js";
import { tempDir } from "../helpers/temp-dir.js";

/** The registry's configuration from a lab's real key material (generated here, as `up` does). */
describe("the registry container's files", () => {
  async function labMaterial() {
    const dir = tempDir("material");
    return ensureLabMaterial({ sslDir: path.join(dir, "ssl"), credentialsDir: path.join(dir, "credentials") });
  }
  const secretOf = (m: Awaited<ReturnType<typeof labMaterial>>) => {
    const conf = registryRoleFiles("registry", { tokensHost: "10.213.7.9", read: (n) => m.read(n) }).find((f) => f.path.endsWith("/registry.yml"))!;
    expect(conf.mode).toBe(0o600);
    return /^ {2}secret: (\S+)$/m.exec(String(conf.content))?.[1];
  };

  it("signs upload state with a secret of the lab's own: the same in every run of a lab, another in another lab", async () => {
    const a = await labMaterial();
    const b = await labMaterial();
    const secret = secretOf(a);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(secretOf(a)).toBe(secret);
    expect(secretOf(b)).not.toBe(secret);
  });
});
