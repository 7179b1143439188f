import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellArg, shellLine } from "../../src/util/shell.js";

/** A command line as shown is one a shell gives back as the same arguments: sh itself is the judge. */
describe("shellLine", () => {
  const args = [
    "--name=payroll",
    '--env={"DB_PASSWORD":"payroll-db-4f8a2c19"}',
    "--command=echo DB_PASSWORD=$DB_PASSWORD; sleep 600",
    "--command=sleep 600",
    "it's",
    "--master=zk://10.0.0.2:2181/mesos",
    "",
  ];

  it("quotes only what needs it, the value alone after a --flag=", () => {
    expect(shellArg("--name=payroll")).toBe("--name=payroll");
    expect(shellArg("--command=sleep 600")).toBe("--command='sleep 600'");
    expect(shellArg("it's")).toBe(`'it'\\''s'`);
    expect(shellArg("")).toBe("''");
  });

  it("sh reads the shown line back as the same arguments", () => {
    const back = execFileSync("sh", ["-c", `for a in ${shellLine(args)}; do printf '%s\\0' "$a"; done`], { encoding: "utf8" });
    expect(back.split("\0").slice(0, -1)).toEqual(args);
  });
});
