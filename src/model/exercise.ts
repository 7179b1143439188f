import { z } from "zod";
import { describeRange, emptyRange, inRange, partitions, rangeShape, type ReleaseRange } from "./release.js";
import { CLUSTER_ROLES, ROLES, type Role } from "./roles.js";

/**
 * Exercises are data. One exercise reads like a chapter of the workshop README: per step the flag delta per role,
 * the files it needs in the containers, what the harness does, and what Mesos must (or must not) print — each
 * expectation citing the Mesos source line it relies on. What holds only for some Mesos releases says so with a
 * release range (`since`, `until`: src/model/release.ts) on the exercise, a step, an expectation, an env delta or a
 * citation; a profile runs what covers its release.
 */

const clusterRole = z.enum(CLUSTER_ROLES);
/** The roles an exercise sets flags and places files for: not the attack steps' hosts, which their actions set up. */
const configuredRole = z.enum(ROLES.filter((r): r is Exclude<Role, "attacker" | "relay"> => r !== "attacker" && r !== "relay"));

/** Env delta for one role: a value sets the variable, `null` removes one set by an earlier step. */
const envDelta = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "env names are letters, digits and _"), z.string().nullable());
const envByRole = z.partialRecord(configuredRole, envDelta);

/** A JavaScript regular expression source, checked when the exercise is loaded. */
const regexSource = z
  .string()
  .min(1)
  .superRefine((src, ctx) => {
    try {
      new RegExp(src);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(err as Error).message}` });
    }
  });

export const citationSchema = z.object({
  /** Mesos source location, e.g. `src/slave/slave.cpp:1174`, or an observed-transcript anchor. */
  at: z.string().regex(/^\S+:\d+(-\d+)?$|^observed:/, "cite a source line as path/file.cpp:LINE (or observed:<section>)"),
  /** Which facts file in docs/facts/ (and section) writes the fact down. */
  ref: z.string().min(1),
  /** True when the fact was read from code, not seen in a real run. */
  derived: z.boolean().optional(),
});

/**
 * A citation for the releases of its range, with the line as those releases print it (`example`) when it differs
 * from the expectation's own. The source lines of one fact move between releases.
 */
export const rangedCitationSchema = citationSchema.extend({ ...rangeShape, example: z.string().optional() }).strict();

/** One citation (for every release), or a list of them by release range; read as the list. */
const citesSchema = z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(rangedCitationSchema).min(1)) as unknown as z.ZodType<
  Array<z.output<typeof rangedCitationSchema>>,
  z.input<typeof rangedCitationSchema> | Array<z.input<typeof rangedCitationSchema>>
>;

/** Ranges that must not be empty. */
function checkRange(r: ReleaseRange, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  if (emptyRange(r)) ctx.addIssue({ code: "custom", path, message: `since ${r.since} is not before until ${r.until}: the range holds no release` });
}

export const sourceSchema = z.union([
  z.object({ log: clusterRole }).strict(),
  z.object({ execute: z.enum(["stdout", "stderr", "output"]), action: z.string().optional() }).strict(),
  z.object({ http: z.string(), part: z.enum(["status", "headers", "body", "all"]).default("all") }).strict(),
  z.object({ exit: z.enum([...CLUSTER_ROLES, "execute"]), action: z.string().optional() }).strict(),
  z.object({ exec: z.string() }).strict(),
  /** What an `attack` action's command printed (both streams); with `http`, a part of the HTTP answer it printed. */
  z.object({ attacker: z.string(), part: z.enum(["status", "headers", "body", "all"]).default("all") }).strict(),
  /** What a `relay` recorded of the bytes it forwarded (src/attack/relay.ts). */
  z.object({ relay: z.string() }).strict(),
]);

export const expectationSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    says: z.string().min(1),
    source: sourceSchema,
    pattern: regexSource,
    /** Must NOT match within the window. */
    negate: z.boolean().default(false),
    /** Positive: how long to wait. Negative: how long to watch after the step's actions and positives are done. */
    timeoutMs: z.number().int().positive().optional(),
    times: z.number().int().positive().default(1),
    /**
     * The Mesos source line it relies on: one citation, or one per release range when the line moved, e.g. 1.4.0's
     * line until 1.5 and the 1.11.x branch's since. The ranges follow each other and cover the expectation's own.
     */
    cite: citesSchema,
    /**
     * The line as Mesos prints it, copied from the facts file the citation names (for a negative expectation: the
     * line that must not appear). Tests check the pattern matches it and that the facts file really holds it.
     */
    example: z.string().optional(),
    /** The releases it holds for (default: every release its step runs on). */
    ...rangeShape,
  })
  .strict()
  .superRefine((e, ctx) => {
    checkRange(e, ctx);
    e.cite.forEach((c, i) => checkRange(c, ctx, ["cite", i]));
    if (!partitions(e.cite, e))
      ctx.addIssue({
        code: "custom",
        path: ["cite"],
        message: `the citations' ranges (${e.cite.map(describeRange).join("; ")}) must follow each other in order and cover the expectation's (${describeRange(e)})`,
      });
  });

/** An expectation as it runs on `release`: with that release's citation and example line. */
export function citedFor(e: Expectation, release: string): CitedExpectation {
  return { ...e, ...citationFor(e, release) };
}

/** The citation (and example line) an expectation carries under `release`. */
export function citationFor(e: Pick<Expectation, "cite" | "example">, release: string): { cite: Citation; example?: string } {
  const own = e.cite.find((c) => inRange(c, release));
  if (!own) throw new Error(`no citation for release ${release}: ${JSON.stringify(e.cite)}`);
  const { example, since: _since, until: _until, ...cite } = own;
  return { cite, example: example ?? e.example };
}

const authSchema = z.union([z.object({ principal: z.string(), secret: z.string() }).strict(), z.object({ bearer: z.string() }).strict()]);

export const actionSchema = z.discriminatedUnion("do", [
  z
    .object({
      do: z.literal("execute"),
      id: z.string().default("execute"),
      /** mesos-execute arguments after `--master=…`, which the harness adds. */
      args: z.array(z.string()),
      timeoutMs: z.number().int().positive().optional(),
      /** `relay`: the scheduler is sent to the relay's address instead of finding the master through ZooKeeper. */
      via: z.literal("relay").optional(),
      /**
       * It runs on in the background once its task is running, so that the next actions can do something to that
       * task (an attack's victim); what it prints later still reaches the expectations.
       */
      detach: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      do: z.literal("http"),
      id: z.string(),
      role: z.enum(["master", "agent"]),
      method: z.enum(["GET", "POST", "PUT", "DELETE"]).default("GET"),
      path: z.string().startsWith("/"),
      auth: authSchema.optional(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.string().optional(),
      /** Client certificate to present (mutual TLS); a lab material name like `ssl/scheduler`. */
      clientCert: z.string().optional(),
      /** CA to verify the server with; defaults to the lab CA. */
      ca: z.string().optional(),
      /** `relay`: sent to the relay's published port, which forwards it to the role (a proxy on the operator's path). */
      via: z.literal("relay").optional(),
    })
    .strict(),
  z
    .object({
      do: z.literal("exec"),
      id: z.string(),
      /** A command run inside a running role container (e.g. read a task sandbox's stdout). */
      role: clusterRole,
      cmd: z.array(z.string()).min(1),
    })
    .strict(),
  z.object({ do: z.literal("sleep"), ms: z.number().int().positive() }).strict(),
  z
    .object({
      do: z.literal("attack"),
      id: z.string(),
      /**
       * A shell command the attacker runs from its own host on the lab's network (curl, nc and openssl are there):
       * `${target.master}` / `${target.agent}` are those processes' addresses (host:port) as the attacker reaches them.
       * The attacker reaches nothing past the lab's network.
       */
      run: z.string().min(1),
      /** It prints an HTTP answer (`curl -si`): the status line, headers and body are parts of their own. */
      http: z.boolean().default(false),
      timeoutMs: z.number().int().positive().optional(),
    })
    .strict(),
  z
    .object({
      do: z.literal("relay"),
      id: z.string(),
      /**
       * The process it stands in front of: a client sent to the relay reaches that process through it, and the relay
       * records what passes (src/attack/relay.ts).
       */
      to: z.enum(["master", "agent"]),
    })
    .strict(),
  z
    .object({
      do: z.literal("push"),
      id: z.string(),
      /**
       * The lab's build machine makes a small image and pushes it to the lab registry (src/registry/push.ts), as
       * `account` of its token service. Its answer (the manifest PUT) is read like an HTTP action's.
       */
      image: z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[\w][\w.-]{0,127}$/, "an image like namespace/name:tag"),
      account: z.string().regex(/^[a-z0-9-]+$/),
    })
    .strict(),
]);

export const fileSchema = z
  .object({
    roles: z.array(configuredRole).min(1),
    /** Absolute path inside the container. */
    path: z.string().startsWith("/"),
    /** Lab material (ssl/… or credentials/…), `{role}` is replaced by the target role. */
    from: z.string().optional(),
    content: z.string().optional(),
    mode: z.number().int().default(0o600),
    /** Drop a file an earlier step placed. */
    remove: z.boolean().optional(),
  })
  .strict()
  .refine((f) => f.remove || (f.from === undefined) !== (f.content === undefined), {
    message: "a file needs exactly one of `from` or `content` (or `remove: true`)",
  });

export const stepSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    title: z.string().min(1),
    /** Attendee text (markdown): what changes, why, what to look for. */
    text: z.string().min(1),
    hint: z.string().min(1),
    /** Extra words for the solution beyond the flag delta (shown after passing). */
    solution: z.string().optional(),
    env: envByRole.optional(),
    /** Env deltas for the releases of their ranges only, applied after `env` (a flag renamed in 1.5: one each side). */
    envByRelease: z.array(z.object({ ...rangeShape, env: envByRole }).strict()).optional(),
    files: z.array(fileSchema).optional(),
    /** Which long-running roles the step runs; the rest are stopped. */
    cluster: z.array(clusterRole).default(["zk", "master", "agent"]),
    /** Wait for a role's readiness probe before the actions (false for a role the step expects to fail). */
    ready: z.partialRecord(clusterRole, z.boolean()).optional(),
    actions: z.array(actionSchema).default([]),
    /** What Mesos must (or must not) print; a step that runs an attack may leave its evidence to the attack. */
    expect: z.array(expectationSchema).default([]),
    timeoutMs: z.number().int().positive().optional(),
    /** The releases the step runs on (default: every release its exercise runs on). */
    ...rangeShape,
    /** Run the agent in the capabilities mode (Mesos' Linux launcher without --privileged); overrides the exercise's. */
    agentCapabilities: z.boolean().optional(),
    /**
     * The step runs an attack of its exercise (`attacks`) after its own actions, and asserts that it `works` (the
     * step before the control) or is `blocked` (the replay after it), with that attack's evidence.
     */
    attack: z
      .object({ id: z.string(), expect: z.enum(["works", "blocked"]) })
      .strict()
      .optional(),
  })
  .strict();

/**
 * An attack, as data: what it sends (its actions), what proves that it worked on the open cluster, and what proves
 * that the control blocked it (Mesos' own refusal line or status). The steps that run it say which they expect.
 */
export const attackSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    title: z.string().min(1),
    actions: z.array(actionSchema).min(1),
    works: z.array(expectationSchema).min(1),
    /** Unset for a baseline attack that no control of its own exercise closes (exercise 01's: the later ones do). */
    blocked: z.array(expectationSchema).min(1).optional(),
    /**
     * How the lab notices an attendee's own run of the attack (the TUI's "you exploited it"): a line of a role's log
     * that shows the exploit went through, whose named group `from` is the caller's address, from outside the lab's
     * own containers (Mesos logs an HTTP request it lets through, src/common/http.cpp:1436, and not one it answers 401).
     */
    noticed: z
      .object({
        log: clusterRole,
        pattern: regexSource.refine((p) => p.includes("(?<from>"), "name the caller's address with a group (?<from>…)"),
      })
      .strict()
      .optional(),
  })
  .strict();

export const exerciseSchema = z
  .object({
    id: z.string().regex(/^\d{2}$/, "exercise ids are two digits, e.g. 01"),
    slug: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    summary: z.string().min(1),
    text: z.string().min(1),
    /** The releases the exercise is for (default: all); a lab whose profile is outside does not list or run it. */
    ...rangeShape,
    /** Run the agent of every step in the capabilities mode (src/engine/agent-capabilities.ts); a step may say otherwise. */
    agentCapabilities: z.boolean().optional(),
    /** The attacks its steps run: each before its control (`works`) and replayed after it (`blocked`). */
    attacks: z.array(attackSchema).default([]),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .superRefine((ex, ctx) => {
    checkRange(ex, ctx);
    const seen = new Set<string>();
    const attacks = new Map(ex.attacks.map((a) => [a.id, a]));
    ex.attacks.forEach((a, i) => {
      if (ex.attacks.findIndex((b) => b.id === a.id) < i) ctx.addIssue({ code: "custom", path: ["attacks", i, "id"], message: `a second attack '${a.id}'` });
      const works = ex.steps.findIndex((s) => s.attack?.id === a.id && s.attack.expect === "works");
      const blocked = ex.steps.findIndex((s, j) => j > works && s.attack?.id === a.id && s.attack.expect === "blocked");
      if (works < 0 || (a.blocked && blocked < 0))
        ctx.addIssue({
          code: "custom",
          path: ["attacks", i],
          message: `attack '${a.id}' needs a step that expects it to work${a.blocked ? " and a later one (after the control) that expects it blocked" : ""}`,
        });
      if (!a.blocked && ex.steps.some((s) => s.attack?.id === a.id && s.attack.expect === "blocked"))
        ctx.addIssue({
          code: "custom",
          path: ["attacks", i, "blocked"],
          message: `attack '${a.id}' is replayed as blocked but has no evidence of being blocked`,
        });
    });
    ex.steps.forEach((raw, i) => {
      checkRange(raw, ctx, ["steps", i]);
      if (raw.attack && !attacks.has(raw.attack.id))
        ctx.addIssue({ code: "custom", path: ["steps", i, "attack", "id"], message: `no attack '${raw.attack.id}' in this exercise's attacks` });
      const s = withAttack(raw, ex.attacks);
      s.envByRelease?.forEach((d, j) => checkRange(d, ctx, ["steps", i, "envByRelease", j]));
      if (seen.has(s.id)) ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: `duplicate step id '${s.id}'` });
      seen.add(s.id);
      const actionIds = new Set(s.actions.filter((a) => a.do !== "sleep").map((a) => (a as { id: string }).id));
      if (s.expect.length === 0) ctx.addIssue({ code: "custom", path: ["steps", i, "expect"], message: `step '${s.id}' expects nothing (and runs no attack)` });
      const ids = new Set<string>();
      s.expect.forEach((e, j) => {
        if (ids.has(e.id))
          ctx.addIssue({
            code: "custom",
            path: ["steps", i, "expect", j, "id"],
            message: `a second expectation '${e.id}' in step '${s.id}' (its attack's included)`,
          });
        ids.add(e.id);
        const ref = actionOf(e.source);
        if (ref !== undefined && !actionIds.has(ref))
          ctx.addIssue({ code: "custom", path: ["steps", i, "expect", j, "source"], message: `no action with id '${ref}' in step '${s.id}'` });
        if ("execute" in e.source && !s.actions.some((a) => a.do === "execute"))
          ctx.addIssue({ code: "custom", path: ["steps", i, "expect", j, "source"], message: `step '${s.id}' has no execute action to read from` });
      });
    });
  });

/** The action an expectation's source reads, if it reads one. */
function actionOf(source: z.infer<typeof sourceSchema>): string | undefined {
  if ("http" in source) return source.http;
  if ("exec" in source) return source.exec;
  if ("attacker" in source) return source.attacker;
  if ("relay" in source) return source.relay;
  return "action" in source ? source.action : undefined;
}

/** A step with its attack's actions before its own, and the evidence it expects (`works` or `blocked`) in its expect. */
export function withAttack<S extends { actions: Action[]; expect: Expectation[]; attack?: { id: string; expect: "works" | "blocked" } }>(
  step: S,
  attacks: Attack[],
): S {
  const a = step.attack && attacks.find((x) => x.id === step.attack!.id);
  if (!a) return step;
  // the attack first: what the step does besides (a door that stays open, say) may need its victim
  return { ...step, actions: [...a.actions, ...step.actions], expect: [...step.expect, ...(a[step.attack!.expect] ?? [])] };
}

export type Citation = z.infer<typeof citationSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type Expectation = z.infer<typeof expectationSchema>;
/** An expectation as it runs under one release: the citation and example line of that release. */
export type CitedExpectation = Omit<Expectation, "cite"> & { cite: Citation };
export type Action = z.infer<typeof actionSchema>;
export type ExecuteAction = Extract<Action, { do: "execute" }>;
export type HttpAction = Extract<Action, { do: "http" }>;
export type ExecAction = Extract<Action, { do: "exec" }>;
export type PushAction = Extract<Action, { do: "push" }>;
export type FileSpec = z.infer<typeof fileSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Attack = z.infer<typeof attackSchema>;
export type AttackAction = Extract<Action, { do: "attack" }>;
export type RelayAction = Extract<Action, { do: "relay" }>;
export type Exercise = z.infer<typeof exerciseSchema>;
export type EnvDelta = z.infer<typeof envDelta>;
export type EnvByRole = z.infer<typeof envByRole>;

/** What exercise authors write: defaults may be left out. */
export type ExerciseInput = z.input<typeof exerciseSchema>;
export const defineExercise = (ex: ExerciseInput): ExerciseInput => ex;
