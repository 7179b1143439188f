import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { byHandCommands } from "../../src/attack/by-hand.js";
import { shellQuote } from "../../src/util/shell.js";
import { loadCatalogue } from "../../src/catalogue/load.js";

describe("the attacks' commands by hand", () => {
  it("give a command that talks to published ports with those addresses, and one that needs the lab's network as a docker exec", async () => {
    const catalogue = await loadCatalogue();
    const http = catalogue.find((e) => e.id === "06")!.attacks[0]!;
    const cmds = byHandCommands(http, { master: "127.0.0.1:5050", agent: "127.0.0.1:5051" }, "mesos-lab-x-attacker");
    expect(cmds.map((c) => c.where)).toEqual(["host", "host", "host"]);
    expect(cmds[0]!.command).toBe("curl -si http://127.0.0.1:5050/master/flags");
    expect(cmds[1]!.command).toContain("curl -s http://127.0.0.1:5051/files/debug");
    const rogue = byHandCommands(
      catalogue.find((e) => e.id === "03")!.attacks[0]!,
      { master: "127.0.0.1:5050", agent: "127.0.0.1:5051" },
      "mesos-lab-x-attacker",
    );
    expect(rogue[0]!.where).toBe("attacker");
    expect(rogue[0]!.command).toMatch(/^docker exec mesos-lab-x-attacker sh -c '/);
    // without a published agent port the agent's commands cannot run from this machine
    expect(byHandCommands(http, { master: "127.0.0.1:5050" })[1]!.where).toBe("attacker");
  });

  it("quotes a command so that sh gets it back whole", () => {
    const cmd = `s=$(curl -s x | grep -o '/a"b' | head -n 1); echo "it's $s"`;
    expect(execFileSync("sh", ["-c", `printf %s ${shellQuote(cmd)}`], { encoding: "utf8" })).toBe(cmd);
  });
});
