/**
 * Every failure a user can cause or meet has its own exit code, one sentence naming the cause, and one naming the fix.
 * Renderers print `message` then `fix`; nothing else about the error is shown unless --debug.
 */
export const EXIT = {
  ok: 0,
  expectationsFailed: 1,
  usage: 2,
  config: 3,
  exercise: 4,
  dockerUnreachable: 5,
  imageMissing: 6,
  portTaken: 7,
  labMaterial: 8,
  /** `mesos-lab audit`: a target it was given is unreachable, or is not the Mesos process its flag says. */
  auditTarget: 9,
  /** The engine keeps a resource it refuses to remove though nothing uses it (Docker's stale network endpoint count). */
  engineStuck: 10,
  interrupted: 130,
  terminated: 143,
  internal: 70,
} as const;

export type ErrorKind = Exclude<keyof typeof EXIT, "ok" | "expectationsFailed" | "interrupted" | "terminated">;

export class LabError extends Error {
  readonly kind: ErrorKind;
  readonly fix: string;
  constructor(kind: ErrorKind, message: string, fix: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LabError";
    this.kind = kind;
    this.fix = fix;
  }
  get exitCode(): number {
    return EXIT[this.kind];
  }
}

export const isLabError = (e: unknown): e is LabError => e instanceof LabError;
