import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "../helpers/cli.js";

/**
 * Every `mesos-lab …` that an error's fix, a hint or the README tells people to run must be a command the built
 * binary has, with the options it names: a fix that sends users to a command that does not exist is a dead end.
 */

const SUGGESTION = /`mesos-lab ([a-z][a-z-]*(?: [a-z][a-z-]*| --[a-z][a-z-]*)*)/g;

function textFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** suggestion → the files that make it */
function suggestions(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const files = [...textFiles(path.join(ROOT, "src")), ...textFiles(path.join(ROOT, "exercises")), path.join(ROOT, "README.md")];
  for (const file of files)
    for (const m of readFileSync(file, "utf8").matchAll(SUGGESTION)) out.set(m[1]!, [...(out.get(m[1]!) ?? []), path.relative(ROOT, file)]);
  return out;
}

/** The commands a help text lists under "Commands:" (commander's own `help` included). */
const commandsIn = (help: string) => [...(help.split("Commands:")[1] ?? "").matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!);

const helps = new Map<string, Promise<string>>();
/** `mesos-lab <words> --help`, once per command; commander answers an unknown command with the root's help. */
const helpOf = (words: string[]): Promise<string> => {
  const key = words.join(" ");
  if (!helps.has(key))
    helps.set(
      key,
      cli([...words, "--help"]).then((r) => {
        expect(r.stdout, `mesos-lab ${key} --help`).toMatch(new RegExp(`^Usage: mesos-lab${words.map((w) => ` ${w}`).join("")} `, "m"));
        return r.stdout;
      }),
    );
  return helps.get(key)!;
};

/** The command a suggestion runs (`help x` runs x's help) and the options it passes. */
async function check(suggestion: string): Promise<void> {
  const words = suggestion.split(" ");
  const options = words.filter((w) => w.startsWith("--"));
  const args = words.filter((w) => !w.startsWith("--"));
  if (args[0] === "help") args.shift();
  const command: string[] = [];
  let commands = commandsIn(await helpOf([]));
  // words after the command that are not one of its subcommands are its arguments (`bundle export room.tar`)
  for (const w of args) {
    if (command.length && !commands.includes(w)) break;
    expect(commands, `\`mesos-lab ${suggestion}\`: '${w}' is not a command of mesos-lab ${command.join(" ")}`.trimEnd()).toContain(w);
    command.push(w);
    commands = commandsIn(await helpOf(command));
  }
  const help = await helpOf(command);
  for (const o of options) expect(help, `\`mesos-lab ${suggestion}\`: mesos-lab ${command.join(" ")} has no ${o}`).toContain(o);
}

describe("the commands messages and docs suggest", () => {
  it("finds the suggestions it checks", () => {
    expect([...suggestions().keys()]).toEqual(expect.arrayContaining(["pull", "doctor", "ssl --force", "bundle import"]));
  });

  it("each names a command of the built binary, with options it has", async () => {
    for (const [suggestion, files] of suggestions()) {
      try {
        await check(suggestion);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n(suggested in ${[...new Set(files)].join(", ")})`, { cause: err });
      }
    }
  });
});
