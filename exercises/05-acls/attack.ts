import { observedAttack, sandboxOf } from "../_shared/attacks.js";

const OBSERVED = observedAttack("05");

/** The victim: a framework of scheduler-principal's, authenticated, whose task keeps running. */
const VICTIM_ARGS = ["--name=victim", "--command=sleep 600", "--principal=scheduler-principal", "--secret=${secret:scheduler-principal}"];

/**
 * Somebody else tears the victim's framework down. The cluster authenticates agents and frameworks, but nothing
 * authorizes the teardown endpoint: without ACLs an anonymous `POST /master/teardown` removes any framework. The
 * allow-list (`"permissive": false`, no teardown rule for anyone) refuses it: 403.
 */
export const teardownOther = {
  id: "teardown-other",
  title: "somebody else tears a framework down",
  actions: [
    { do: "execute" as const, id: "victim", args: VICTIM_ARGS, detach: true },
    {
      do: "attack" as const,
      id: "teardown",
      http: true,
      // the framework's ID from the agent's sandbox list: under the allow-list the master no longer shows it to
      // anyone, but the agent (which has no ACLs) does
      run: `${sandboxOf("victim")}; curl -si -X POST -d "frameworkId=$(echo "$s" | cut -d/ -f3)" http://\${target.master}/master/teardown`,
    },
  ],
  works: [
    {
      id: "teardown-200",
      says: "the anonymous teardown of scheduler-principal's framework is 200 OK",
      source: { attacker: "teardown", part: "status" as const },
      pattern: "^HTTP/1\\.1 200 OK$",
      cite: { at: "src/master/http.cpp:2834", ref: OBSERVED },
    },
    {
      id: "victim-removed",
      says: "the master removes the victim's framework, and kills its task",
      source: { log: "master" as const },
      pattern: "Removing framework \\S+-\\d{4,} \\(mesos-execute instance\\)",
      cite: { at: "src/master/master.cpp:10374", ref: OBSERVED },
      example: "master.cpp:10374] Removing framework f035a9c0-f607-498f-b602-c09dcf983004-0000 (mesos-execute instance)",
    },
    {
      id: "victim-told",
      says: "the victim learns its framework is gone",
      source: { execute: "stderr" as const, action: "victim" },
      // The stream's end makes it subscribe again, refused for a removed framework (master.cpp:2612 at 1.11). A call
      // it had in flight, a DECLINE of an offer made just before, may be answered first: 400 for a framework the
      // master no longer knows (http.cpp:619), an error event to the library (scheduler.cpp:718). Either way it is told.
      pattern:
        "EXIT with status 1: Received an ERROR event: (Framework has been removed|Received unexpected '400 Bad Request' \\(Framework cannot be found\\) for [A-Z_]+)",
      cite: { at: "src/cli/execute.cpp:674", ref: OBSERVED },
      example: "execute.cpp:674] EXIT with status 1: Received an ERROR event: Framework has been removed",
    },
  ],
  blocked: [
    {
      id: "teardown-403",
      says: "the teardown is 403 Forbidden: no ACL allows it",
      source: { attacker: "teardown", part: "status" as const },
      pattern: "^HTTP/1\\.1 403 Forbidden$",
      cite: { at: "src/master/http.cpp:2815", ref: OBSERVED },
    },
    {
      id: "victim-stays",
      says: "the victim's framework stays",
      source: { log: "master" as const },
      pattern: "Removing framework",
      negate: true,
      timeoutMs: 1000,
      cite: { at: "src/master/master.cpp:10374", ref: OBSERVED },
      example: "master.cpp:10374] Removing framework f035a9c0-f607-498f-b602-c09dcf983004-0000 (mesos-execute instance)",
    },
  ],
};
