import { jsonReporter } from "./json.js";
import { junitReporter } from "./junit.js";
import { plainReporter } from "./plain.js";
import type { Reporter, ReporterOptions } from "./reporter.js";

export type { ExerciseSkipped, ReportEvent, Reporter, ReporterOptions, ShardLabel } from "./reporter.js";

export interface ReporterEntry {
  /** `stream`: writes text, and `verify --reporter` may name it; `screen`: feeds an interactive screen (the TUI). */
  kind: "stream" | "screen";
  create(o: ReporterOptions): Reporter;
}

const stdout = (t: string) => void process.stdout.write(t);

/** The reporters by name: `verify --reporter <name>`, `up` (plain), the TUI (tui). */
export class ReporterRegistry {
  private readonly entries = new Map<string, ReporterEntry>();

  register(name: string, entry: ReporterEntry): this {
    this.entries.set(name, entry);
    return this;
  }

  get(name: string): ReporterEntry | undefined {
    return this.entries.get(name);
  }

  /** The names `verify --reporter` accepts, in the order registered. */
  streamNames(): string[] {
    return [...this.entries].filter(([, e]) => e.kind === "stream").map(([n]) => n);
  }
}

/** plain, json, junit and the TUI's: what the binary ships. */
export function builtinReporters(): ReporterRegistry {
  return new ReporterRegistry()
    .register("plain", { kind: "stream", create: (o) => plainReporter(o.write ?? stdout, { verbose: o.verbose, shard: o.shard }) })
    .register("json", { kind: "stream", create: (o) => jsonReporter(o.write ?? stdout, o.shard) })
    .register("junit", { kind: "stream", create: (o) => junitReporter(o.write ?? stdout, o.shard) })
    .register("tui", {
      kind: "screen",
      create: (o) => ({
        // the screen takes the engine's events; the TUI marks an exercise that cannot run itself (its list)
        event: (ev) => {
          if (ev.type !== "exercise:skipped") o.screen?.emit(ev);
        },
        close() {},
      }),
    });
}

let active = builtinReporters();

/** The registry every front end picks its reporters from. */
export function reporters(): ReporterRegistry {
  return active;
}

/** Replaces the registry (a test's capturing reporters); the returned function puts the previous one back. */
export function useReporters(registry: ReporterRegistry): () => void {
  const previous = active;
  active = registry;
  return () => {
    active = previous;
  };
}
