import { Command, CommanderError } from "commander";
import { EXIT, LabError } from "../util/errors.js";
import type { GlobalOpts } from "../lab/global-options.js";
import { shutdown } from "../lab/signal-cleanup.js";
import { reportError } from "./output.js";

/** Lazy imports keep `--help` and `list` fast: Docker and Ink load only for the commands that need them. */
export function buildProgram(run: (code: number) => void): Command {
  const program = new Command();
  const g = () => program.opts<GlobalOpts>();
  const act =
    <A extends unknown[]>(fn: (...a: A) => Promise<number>) =>
    async (...a: A) => {
      try {
        run(await fn(...a));
      } catch (err) {
        // an interrupted run fails underneath the cleanup; the signal handler reports and exits
        if (shutdown.requested) return new Promise<void>(() => undefined);
        run(reportError(err, g().debug));
      }
    };

  program
    .name("mesos-lab")
    .description("Hands-on Apache Mesos security lab: TLS, authentication, ACLs and executor JWT, asserted step by step.")
    .option("-c, --config <file>", "lab config file (default: lab.config.ts here or above)")
    .option("--debug", "print stack traces")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("list")
    .description("list the exercises and their steps")
    .option("--json", "machine-readable")
    .action(act(async (opts: { json?: boolean }) => (await import("./commands/list.js")).listCommand(g(), opts)));

  program
    .command("check")
    .description("check the catalogue without Docker: exercise files, citations, ACL keys, recorded real outcomes, attacks")
    .option("--json", "machine-readable")
    .action(act(async (opts: { json?: boolean }) => (await import("./commands/check.js")).checkCommand(g(), opts)));

  program
    .command("verify")
    .description("run exercises and check every expectation (exit 0 only when all held)")
    .argument("[ids...]", "exercise ids, e.g. 01 03 or 01:cluster")
    .option("--all", "the whole catalogue")
    .option("-r, --reporter <name>", "plain | json | junit", "plain")
    .option("-o, --output <file>", "write the json/junit report to a file")
    .option("-j, --jobs <n>", "exercises in parallel, each on its own network", "1")
    .option("--pull", "pull missing images instead of failing")
    .option("-v, --verbose", "show every log line and flag change")
    .option("--hands-on", "check one step with the flags you wrote in workspace/NN-slug.env (e.g. verify 03:agent-credential --hands-on)")
    .option("--shard <i/n>", "run part i of n (CI across machines): whole exercises, parts balanced by recorded step durations")
    .action(act(async (ids: string[], opts) => (await import("./commands/verify.js")).verifyCommand(g(), ids, opts)));

  program
    .command("junit-merge")
    .description("merge the JUnit reports of verify --shard 1/n … n/n into one (every part once, each exercise once)")
    .argument("<files...>", "the reports the parts wrote with --reporter junit --output")
    .option("-o, --output <file>", "write the merged report to a file instead of stdout")
    .action(act(async (files: string[], opts: { output?: string }) => (await import("./commands/junit-merge.js")).junitMergeCommand(files, opts)));

  program
    .command("up")
    .description("run an exercise up to a step and leave the cluster running to explore")
    .argument("<exercise[:step]>", "e.g. 03 or 03:agent-credential")
    .option("--no-pull", "fail instead of pulling missing images")
    .option("-v, --verbose", "show every log line")
    .option("--watch", "then wait until you run the step's attack by hand, and say when the lab sees it go through")
    .action(act(async (target: string, opts) => (await import("./commands/up.js")).upCommand(g(), target, opts)));

  program
    .command("attack")
    .description("run an exercise's attack against the cluster `up` left running, and say whether it worked or was blocked")
    .argument(
      "<exercise[:step]>",
      "e.g. 06, or 06:anonymous-replay for that step's attack (default: the last attack step whose configuration the cluster is at)",
    )
    .option("-v, --verbose", "show every line the attack's sources printed")
    .option("--json", "the outcome and its evidence as JSON")
    .action(act(async (target: string, opts) => (await import("./commands/attack.js")).attackCommand(g(), target, opts)));

  program
    .command("audit")
    .description("scan a real Mesos cluster for what the exercises close (read-only): findings with evidence, exercise and flags")
    .option("--master <url>", "the master, http://HOST:5050 or https://HOST:5050")
    .option("--agent <url>", "an agent, http://HOST:5051 (repeat for more)", (v: string, all: string[] = []) => [...all, v])
    .option("--zk <host:port>", "ZooKeeper: asks it `srvr` (read-only)")
    .option("--principal <name>", "read /flags as this principal when they are not open")
    .option("--secret-file <file>", "the principal's secret, from a file (mode 0600)")
    .option("--secret-env <var>", "the principal's secret, from an environment variable")
    .option("--secret <secret>", "refused: a secret on the command line is visible to every user of this machine")
    .option("--ca <file>", "CA certificate(s) to verify https targets (credentials go only to a verified one)")
    .option("--cert <file>", "client certificate, for targets that require one (mutual TLS)")
    .option("--key <file>", "the client certificate's key")
    .option("--json", "the report as JSON (docs/audit/report.schema.json)")
    .option("--sarif", "the report as SARIF 2.1.0, for code scanning")
    .option("--fail-on <level>", "exit 1 when a finding is at or above info|low|medium|high", "low")
    .option("--active", "also run the probes that change state (harmless, labelled, self-removing): none exist yet")
    .option("--timeout <ms>", "bound of each request", "3000")
    .option("--list", "print every probe (what it sends, what proves the finding or its absence) and exit")
    .addHelpText(
      "after",
      [
        "",
        "Read-only by default: GETs and one POST of the agent's read-only GET_CONTAINERS call, only to the addresses given",
        "(their port, over http and https); nothing is written, torn down, launched or opened. Each request waits at",
        "most --timeout ms, the whole audit 5 × --timeout + 1 s.",
        "Active probes (--active), which change state harmlessly and remove what they made: none yet. Every control",
        "such a probe would prove already shows as a 401 challenge on a read-only request to the same route.",
        "Credentials (--principal with --secret-file or --secret-env) are sent only where /flags asks for them, and over",
        "https only to a certificate that verifies (--ca).",
        "Exit codes: 0 nothing at or above --fail-on · 1 findings at or above it · 2 usage · 9 a target is unreachable,",
        "is not the Mesos process its flag says, or refused the audit's TLS handshake (a client certificate it was not",
        "given): an audit that could not probe its endpoints is not a clean one. `mesos-lab audit --list` prints every probe.",
      ].join("\n"),
    )
    .action(act(async (opts) => (await import("./commands/audit.js")).auditCommand(opts)));

  program
    .command("down")
    .description("stop and remove this lab's cluster")
    .action(act(async () => (await import("./commands/down.js")).downCommand(g(), {})));

  program
    .command("reset")
    .description("remove this lab's containers and networks (instructors: --all for every mesos-lab run on this engine)")
    .argument("[exercise]", "only this exercise's containers")
    .option("--all", "every container/network/volume labelled by mesos-lab, whatever lab made it")
    .action(
      act(async (exercise: string | undefined, opts: { all?: boolean }) => (await import("./commands/down.js")).downCommand(g(), { all: opts.all, exercise })),
    );

  program
    .command("doctor")
    .description("check Docker, images, ports, cgroups and architecture before a workshop")
    .action(act(async () => (await import("./commands/doctor.js")).doctorCommand(g())));

  program
    .command("pull")
    .description("pull every configured image (with progress)")
    .action(act(async () => (await import("./commands/pull.js")).pullCommand(g())));

  program
    .command("tui")
    .description("the interactive lab (what `mesos-lab` with no arguments opens on a terminal)")
    .option("--hands-on", "write each step's flags yourself in workspace/NN-slug.env instead of the harness applying them")
    .action(
      act(async (opts: { handsOn?: boolean }) => {
        if (!process.stdout.isTTY || !process.stdin.isTTY)
          throw new LabError(
            "usage",
            "the TUI needs a terminal (stdin and stdout are not a TTY)",
            "Run it in a terminal, or use `mesos-lab list` / `mesos-lab verify` in scripts and CI.",
          );
        return (await import("../tui/launch.js")).launchTui(g(), opts);
      }),
    );

  program
    .command("progress")
    .description("where you are in the lab and which steps passed (kept in $XDG_STATE_HOME/mesos-lab/progress.json)")
    .option("--reset", "forget this lab's progress")
    .option("--all", "with --reset: every lab's progress")
    .option("--json", "machine-readable")
    .action(act(async (opts: { reset?: boolean; all?: boolean; json?: boolean }) => (await import("./commands/progress.js")).progressCommand(g(), opts)));

  program
    .command("solve")
    .description("hands-on mode: write a step's solution into workspace/NN-slug.env (your file is kept as .bak)")
    .argument("<exercise[:step]>", "e.g. 02 or 02:agent-credential (default step: where you are)")
    .action(act(async (target: string) => (await import("./commands/progress.js")).solveCommand(g(), target)));

  const bundle = program.command("bundle").description("offline bundle for a room without a registry (instructors)");
  bundle
    .command("export")
    .description("save every configured image (and with --with-material the lab CA, certificates, credentials) to one tar")
    .argument("<file>", "e.g. mesos-lab-bundle.tar, or .tar.gz to compress it")
    .option("--with-material", "include the generated lab material (ssl/, credentials/)")
    .action(act(async (file: string, opts: { withMaterial?: boolean }) => (await import("./commands/bundle.js")).bundleExportCommand(g(), file, opts)));
  bundle
    .command("import")
    .description("load a bundle's images (and material) on this engine, no registry needed")
    .argument("<file>", "the tar `bundle export` wrote")
    .option("--force", "replace lab material that already exists")
    .action(act(async (file: string, opts: { force?: boolean }) => (await import("./commands/bundle.js")).bundleImportCommand(g(), file, opts)));
  bundle
    .command("inspect")
    .description("show what a bundle holds (images with ids and sizes, lab material, profile, date) and check it, importing nothing")
    .argument("<file>", "the tar `bundle export` wrote")
    .option("--json", "machine-readable")
    .action(act(async (file: string, opts: { json?: boolean }) => (await import("./commands/bundle.js")).bundleInspectCommand(g(), file, opts)));

  program
    .command("ssl")
    .description("generate the lab CA, certificates and credentials (ssl/, credentials/; mode 0600)")
    .option("--force", "regenerate everything")
    .action(act(async (opts: { force?: boolean }) => (await import("./commands/ssl.js")).sslCommand(g(), opts)));

  return program;
}

/** The global options when `args` hold nothing else (no command, no stray word); otherwise undefined. */
export function globalsOnly(args: string[]): GlobalOpts | undefined {
  const g: GlobalOpts = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--debug") g.debug = true;
    else if ((a === "-c" || a === "--config") && i + 1 < args.length) g.config = args[++i];
    else if (a.startsWith("--config=")) g.config = a.slice("--config=".length);
    else return undefined;
  }
  return g;
}

export async function main(argv: string[]): Promise<void> {
  // `mesos-lab list | head`: a reader that stops early is not an error
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  let exitCode: number | undefined;
  const program = buildProgram((code) => (exitCode = code));
  try {
    const globals = globalsOnly(argv.slice(2));
    if (globals) {
      // no command (`mesos-lab`, `mesos-lab --config FILE`): the TUI on a terminal, otherwise the list (CI and pipes
      // never get Ink)
      const tty = process.stdout.isTTY && process.stdin.isTTY && !process.env.CI;
      argv = [...argv, tty ? "tui" : "list"];
      if (tty) {
        try {
          const tui = await import("../tui/launch.js").catch((err: unknown) => {
            // say why, then list: an attendee still sees the exercises
            process.stderr.write(`mesos-lab: the TUI could not start (${(err as Error).message.split("\n")[0]}); showing the list instead\n`);
            return undefined;
          });
          if (tui) {
            process.exitCode = await tui.launchTui(globals);
            if (shutdown.requested) return new Promise<void>(() => undefined);
            return;
          }
        } catch (err) {
          process.exitCode = reportError(err);
          return;
        }
        argv[argv.length - 1] = "list";
      }
    }
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = reportError(err);
    return;
  }
  process.exitCode = exitCode ?? EXIT.ok;
}

void main(process.argv).then(() => {
  // lingering sockets (docker log streams) must not keep a finished command alive; after a signal, the
  // signal handler exits once its cleanup is done
  if (!shutdown.requested) setImmediate(() => process.exit(process.exitCode ?? 0));
});
