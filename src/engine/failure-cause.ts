import type { Role } from "../model/roles.js";
import type { ExpectationResult, StepResult, StreamTail } from "./events.js";

/**
 * The line that explains a failed step, and a hint for what that line says (not for the step in general). Reports
 * put it first: an attendee reads the top of the failure panel, and Mesos' reason was found under 600-character
 * `Flags at startup` lines or only with `-v` (issue 19). Pure: the report and the TUI call it on a StepResult.
 */

/** A line the step kept, with where it came from. */
export interface CauseLine {
  text: string;
  /** `master stderr`, `HTTP api-anonymous (status)`. */
  where: string;
  /** The container it came from, when one did. */
  role?: Role;
  /** The failed expectation whose closest or matched lines it is. */
  expectation?: ExpectationResult;
}

export interface FailureCause {
  /** Which entry of CAUSES matched. */
  id: string;
  /** The line as shown: glog's date, time and thread cut, its `file.cpp:line]` kept. */
  line: string;
  where: string;
  hint: string;
  /** The Mesos source line (and the facts file that has it) the pattern relies on. */
  cite: string;
}

interface CausePattern {
  id: string;
  re: RegExp;
  /** Further conditions on where the line came from. */
  when?: (l: CauseLine) => boolean;
  hint: (m: RegExpExecArray, l: CauseLine, r: StepResult) => string;
  cite: string;
}

const OBSERVED = "docs/facts/observed-1.11.md";
const FACTS_14 = "docs/facts/security-facts-1.4.md";

/** glog's prefix, `E1206 10:00:00.123456    17 `: severity, date, time, thread. */
const GLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ /;

/** `mesos-master-readwrite` → the role and the flag that makes that realm ask for credentials. */
function realmFlag(realm: string): { role: string; flag: string } | undefined {
  const m = /^mesos-(master|agent)-(readonly|readwrite|executor|scheduler)$/.exec(realm);
  if (!m) return undefined;
  const flag = { readonly: "READONLY", readwrite: "READWRITE", executor: "EXECUTORS", scheduler: "FRAMEWORKS" }[m[2] as "readonly"];
  return { role: m[1]!, flag: `MESOS_AUTHENTICATE_HTTP_${flag}=true` };
}

/** The realms the failed expectations wanted closed: `Basic realm="…"` and `… authenticator for realm '…'`. */
function wantedRealms(r: StepResult): string[] {
  const out = new Set<string>();
  for (const e of r.expectations.filter((x) => x.status === "failed"))
    for (const m of e.pattern.matchAll(/realm[=\s]*["']?(mesos-[a-z]+-[a-z]+)/g)) out.add(m[1]!);
  return [...out];
}

const who = (l: CauseLine) => (l.role === "execute" ? "mesos-execute" : l.role ? `The ${l.role}` : "The process");

function filesIn(r: StepResult, role: Role | undefined): string {
  const files = (r.files ?? []).filter((f) => !role || f.role === role).map((f) => f.path);
  return files.length ? `The lab puts this step's files there at: ${[...new Set(files)].join(", ")}.` : "";
}

/**
 * Most specific first: the first pattern any kept line matches wins. Each cites the Mesos source line that prints
 * (or answers) what it matches.
 */
export const CAUSES: readonly CausePattern[] = [
  {
    id: "file-missing",
    // master.cpp (the --credentials loader) and the agent's --http_credentials loader; issue 19 saw it on 1.11.1
    re: /'(\/[^']+)': No such file or directory/,
    hint: (m, l, r) =>
      `Mesos found no file at ${m[1]} inside the ${l.role ?? "container"}: a file:// flag names a path in the container, not on your machine. ${filesIn(r, l.role)}`.trim(),
    cite: `src/credentials/credentials.hpp:41 ("Failed to read credentials file '<path>': …"), which src/master/master.cpp:527 EXITs with at 1.11.x (${OBSERVED}, Observed 2026-12-06, hands-on failures)`,
  },
  {
    id: "http-authenticator-without-credentials",
    re: /Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm '(mesos-(master|agent)-\w+)'/,
    hint: (m) => {
      const role = m[2]!;
      const realm = m[1]!;
      if (role === "agent")
        return realm.endsWith("executor")
          ? "The agent authenticates its executors with 'basic' too unless told otherwise: set MESOS_HTTP_AUTHENTICATORS=jwt, or give it MESOS_HTTP_CREDENTIALS."
          : `The agent was told to authenticate its ${realm} realm but has no HTTP credentials: the agent reads MESOS_HTTP_CREDENTIALS, not the master's MESOS_CREDENTIALS. If these flags were meant for the master, they belong under [master].`;
      return `The master was told to authenticate its ${realm} realm but has no credentials to check against: it needs MESOS_CREDENTIALS=file://<path of the credentials file in the container> under [master].`;
    },
    cite: `src/slave/slave.cpp:387 (${OBSERVED}, Executor authentication); src/master/master.cpp:611/622/641 (${FACTS_14} §1.8)`,
  },
  {
    id: "agent-refused-authentication",
    re: /EXIT with status \d+: Master \S+ refused authentication/,
    hint: () =>
      "The master refused the agent's credential: the principal or secret in the agent's MESOS_CREDENTIAL file is not in the master's MESOS_CREDENTIALS file.",
    cite: `src/slave/slave.cpp:1661 (${OBSERVED}, Observed 2026-11-29, mesos-lab runs)`,
  },
  {
    id: "flag-not-loaded",
    re: /Failed to load (?:unknown flag '([^']+)'|flag '([^']+)': .*)/,
    hint: (m) =>
      m[1]
        ? `This program has no flag '${m[1]}': misspelled, or another program's flag (in a workspace file, each [role] holds only that program's flags).`
        : `Mesos could not read the value of --${m[2]}: the text after the flag name says what is wrong with it.`,
    cite: `3rdparty/stout/include/stout/flags/flags.hpp (${FACTS_14} §1.9; ${OBSERVED}, Observed 2026-11-29: Failed to load flag 'task')`,
  },
  {
    id: "framework-unauthenticated",
    re: /Received unexpected '401 Unauthorized' \(.*\) for SUBSCRIBE/,
    hint: () => "The master requires frameworks to authenticate: mesos-execute needs --principal and --secret of a principal in the master's credentials file.",
    cite: `src/cli/execute.cpp:674 (${OBSERVED}, Framework authentication)`,
  },
  {
    id: "agent-not-authenticated",
    re: /Refusing registration of agent .* because it is not authenticated|No credentials provided\. Attempting to register without authentication/,
    hint: () =>
      "The master only lets authenticated agents register and the agent has no credential: the agent needs MESOS_CREDENTIAL=file://<its credential file in the container>.",
    cite: `src/master/master.cpp:6239 (test/catalogue/real-1.11-outcomes.json); src/slave/slave.cpp:1527 (${OBSERVED}, Agent authentication)`,
  },
  {
    id: "agent-bad-secret",
    re: /Authentication of \S+ was unsuccessful: Invalid credentials|Authentication failure: /,
    hint: () => "The master rejected the agent's secret: the agent's credential must match an entry of the master's credentials file.",
    cite: `src/master/master.cpp:9807 (${OBSERVED}, Observed 2026-11-29)`,
  },
  {
    id: "not-authorized",
    re: /Not authorized to .*|no authorized to launch task .*|Forbidden/,
    hint: () => "Authentication worked; an ACL refused the request. Check MESOS_ACLS: which principal may do what, and as which user.",
    cite: `src/master/master.cpp:2747 (${OBSERVED}, Authorization)`,
  },
  {
    id: "tls-mismatch",
    re: /Failed to (?:accept socket|complete SSL connection|recv on socket|link to)|SSL routines|No DNS name given|Connection reset by peer/,
    hint: () =>
      "A TLS connection failed: one side speaks TLS and the other does not, or a certificate is not trusted. Every Mesos process (mesos-execute and executors too) needs the same LIBPROCESS_SSL_* settings.",
    cite: `3rdparty/libprocess/src/process.cpp:911 and :1431 (${OBSERVED}, TLS)`,
  },
  {
    id: "answered-anonymously",
    re: /^HTTP\/1\.1 2\d\d /,
    when: (l) => !!l.expectation && /401 Unauthorized|realm/.test(l.expectation.pattern),
    hint: (_m, l, r) => {
      const closes = wantedRealms(r)
        .map((realm) => ({ realm, f: realmFlag(realm) }))
        .filter((x) => x.f);
      // `POST /api/v1 without credentials is 401 Unauthorized` → the request, as the step names it
      const what = l.expectation!.says.replace(/ is 401 Unauthorized$/, "") || l.where;
      if (!closes.length) return `The endpoint answered ${what} with ${l.text.trim()}: its realm does not ask who is calling.`;
      return closes
        .map(
          ({ realm, f }) =>
            `The ${f!.role} answered ${what} with ${l.text.trim()}: its realm ${realm} does not ask who is calling. ${f!.flag} is missing under [${f!.role}] (or set for another role).`,
        )
        .join(" ");
    },
    cite: "3rdparty/libprocess/src/authenticator.cpp:89 (the 401 a protected realm answers, docs/facts/source-1.11.md §6)",
  },
  {
    id: "exit",
    re: /EXIT with status \d+: .*/,
    hint: (_m, l) => `${who(l)} stopped itself: the text after 'EXIT with status' is Mesos' reason.`,
    cite: `3rdparty/stout/include/stout/exit.hpp (the EXIT macro; ${OBSERVED})`,
  },
  {
    id: "glog-error",
    re: /^[EF]\d{4} \d\d:\d\d:\d\d/,
    hint: (_m, l) => `${who(l)} logged an error (glog E for error, F for fatal): the text after the \`file.cpp:line]\` says what went wrong.`,
    cite: "glog severity letters E (error) and F (fatal)",
  },
];

function tailLines(t: StreamTail): string[] {
  return [...t.head, ...t.tail];
}

/** Every line the result kept, the processes that ended first (stderr before stdout), then the failed expectations'. */
export function causeLines(r: StepResult): CauseLine[] {
  const out: CauseLine[] = [];
  for (const d of r.died ?? []) {
    const who = d.role === "execute" ? `mesos-execute${d.action ? ` (${d.action})` : ""}` : d.role;
    for (const s of ["stderr", "stdout"] as const) for (const text of tailLines(d[s])) out.push({ text, where: `${who} ${s}`, role: d.role });
  }
  for (const e of r.expectations.filter((x) => x.status === "failed")) {
    const role = /^(master|agent|zk) log$/.exec(e.source)?.[1] as Role | undefined;
    for (const text of [e.matched, ...(e.closest ?? [])]) if (text) out.push({ text, where: e.source, role, expectation: e });
    if (e.reason) out.push({ text: e.reason, where: e.source, expectation: e });
  }
  if (r.error) out.push({ text: r.error, where: "error" });
  return out;
}

/** Shown without glog's date and thread: `E master.cpp:527] EXIT with status 1: …`. */
export function shortLine(text: string): string {
  const m = GLOG.exec(text);
  return m ? `${m[1]} ${text.slice(m[0].length)}` : text;
}

export function failureCause(r: StepResult): FailureCause | undefined {
  if (r.status === "passed") return undefined;
  const lines = causeLines(r);
  for (const p of CAUSES)
    for (const l of lines) {
      const m = p.re.exec(l.text);
      if (m && (!p.when || p.when(l))) return { id: p.id, line: shortLine(l.text), where: l.where, hint: p.hint(m, l, r), cite: p.cite };
    }
  return undefined;
}
