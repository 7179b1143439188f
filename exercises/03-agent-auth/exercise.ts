import { defineExercise } from "../../src/model/exercise.js";
import { observedAttack } from "../_shared/attacks.js";
import { agentNotRegistered, agentRegistered, ATTACKS_SINCE, cites, OBSERVED_111, FACTS_14 } from "../_shared/expect.js";
import { rogueAgentJoins } from "./attack.js";
const OBSERVED_2026_11_29 = `${OBSERVED_111} Observed 2026-11-29`;
const OBSERVED_FAILURE_MODES = `${OBSERVED_111} More failure modes (observed)`;
const OBSERVED_AGENT_AUTH = `${OBSERVED_111} Agent authentication (master MESOS_CREDENTIALS + MESOS_AUTHENTICATE_AGENTS=1)`;
const OBSERVED_LAB_RUNS = `${OBSERVED_111} Observed 2026-11-29, mesos-lab runs`;
const CREDS = "/etc/credentials/credentials.json";
const CRED = "/etc/credentials/credential.json";

export default defineExercise({
  id: "03",
  slug: "agent-auth",
  title: "Agent authentication (CRAM-MD5)",
  summary: "Make the master refuse agents that cannot prove who they are, then give the agent a credential.",
  text: `Out of the box any machine that reaches the master can join as an agent and be sent tasks — and with them the
frameworks' secrets. Agent authentication makes every agent prove a principal and secret with CRAM-MD5 before it
registers.

The master gets the list of principals (\`MESOS_CREDENTIALS\`, the workshop's \`credentials.json\`) and
\`MESOS_AUTHENTICATE_AGENTS=true\`; each agent gets its own single credential (\`MESOS_CREDENTIAL\`). The harness copies
both files in with mode 0600 — Mesos warns when they are readable by others.`,
  attacks: [rogueAgentJoins],
  steps: [
    {
      id: "rogue-agent",
      title: "Attack: a rogue agent joins and is handed a task",
      text: `The attacker starts an agent of its own (Mesos' own \`mesos-agent\`, on the attacker's host) and points it at the
lab's ZooKeeper. Nothing asks it who it is: the master registers it and offers its resources to the frameworks. A
framework's next task, \`DB_PASSWORD\` in its environment, runs on the attacker's machine, and the secret lands in the
attacker's sandbox. (The lab's own agent is stopped for this step, so the task has nowhere else to go; on a real
cluster the rogue simply gets its share of the tasks.)`,
      hint: "Read the master log: which agents did it register? Then the attacker's pane: what landed in its sandbox?",
      cluster: ["zk", "master"],
      attack: { id: "rogue-agent", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "master-requires",
      title: "The master requires authenticated agents",
      text: `Only the master changes: it loads \`credentials.json\` and now refuses agents that do not authenticate. The agent
still has no credential, so it tries to register without authentication and is turned away.

In Mesos 1.4 the master tells the agent to shut down (\`Agent is not authenticated\`) and the agent process exits
with code 0 — its container stops. Since 1.7 the master only logs the refusal and the agent keeps retrying.`,
      hint: "Look for `Refusing registration of agent` in the master log: the agent never said who it is.",
      solution: "master: + MESOS_AUTHENTICATE_AGENTS=true, + MESOS_CREDENTIALS=file:///etc/credentials/credentials.json",
      env: { master: { MESOS_AUTHENTICATE_AGENTS: "true", MESOS_CREDENTIALS: `file://${CREDS}` } },
      files: [{ roles: ["master"], path: CREDS, from: "credentials/credentials.json" }],
      ready: { agent: false },
      expect: [
        {
          id: "master-requires",
          says: "the master only lets authenticated agents register",
          source: { log: "master" },
          pattern: "Master only allowing authenticated agents to register",
          cite: cites(
            { at: "src/master/master.cpp:508", ref: `${FACTS_14} §1.5` },
            { at: "src/master/master.cpp:508", ref: OBSERVED_AGENT_AUTH, example: "master.cpp:508] Master only allowing authenticated agents to register" },
          ),
          example: "Master only allowing authenticated agents to register",
        },
        {
          id: "loads-credentials",
          says: "the master loads the credentials file",
          source: { log: "master" },
          pattern: "Loading credentials for authentication from '/etc/credentials/credentials\\.json'",
          cite: cites(
            { at: "src/credentials/credentials.hpp:37", ref: `${FACTS_14} §1.5` },
            {
              at: "src/credentials/credentials.hpp:37",
              ref: OBSERVED_AGENT_AUTH,
              example: "credentials.hpp:37] Loading credentials for authentication from '/etc/credentials/credentials.json'",
            },
          ),
          example: "Loading credentials for authentication from '/etc/credentials/credentials.json'",
        },
        {
          id: "no-credential",
          says: "the agent has no credential and tries without",
          source: { log: "agent" },
          pattern: "No credentials provided\\. Attempting to register without authentication",
          cite: cites(
            { at: "src/slave/slave.cpp:995", ref: `${FACTS_14} §1.5` },
            {
              at: "src/slave/slave.cpp:1527",
              ref: OBSERVED_AGENT_AUTH,
              example: "slave.cpp:1527] No credentials provided. Attempting to register without authentication",
            },
          ),
          example: "No credentials provided. Attempting to register without authentication",
        },
        {
          id: "refused",
          says: "the master refuses the unauthenticated agent",
          source: { log: "master" },
          pattern: "Refusing registration of agent at slave\\(1\\)@\\S+ because it is not authenticated",
          // 1.11 prints it too, at WARNING (seen on the real build: the attack on this exercise asserts it)
          cite: cites(
            { at: "src/master/master.cpp:5689", ref: `${FACTS_14} §1.5` },
            {
              at: "src/master/master.cpp:6239",
              ref: observedAttack("03"),
              example: "master.cpp:6239] Refusing registration of agent at slave(1)@10.213.111.4:5051 because it is not authenticated",
            },
          ),
          example: "Refusing registration of agent at slave(1)@10.213.1.4:5051 because it is not authenticated",
        },
        {
          id: "shut-down",
          says: "the agent is told to shut down: it is not authenticated",
          source: { log: "agent" },
          pattern: "Agent asked to shut down by master@\\S+ because 'Agent is not authenticated'",
          cite: { at: "src/slave/slave.cpp:885", ref: `${FACTS_14} §1.5` },
          example: "Agent asked to shut down by master@10.213.1.3:5050 because 'Agent is not authenticated'",
          until: "1.4.2", // the master stopped sending ShutdownMessage in 1.4.2 and 1.7.0 (e4ea236da, backported as 9cca4544f)
        },
        agentNotRegistered,
      ],
    },
    {
      id: "agent-credential",
      title: "Give the agent its credential",
      text: `The agent gets \`MESOS_CREDENTIAL\` pointing at \`credential.json\` (principal \`agent-principal\` and its
secret). It now authenticates with CRAM-MD5 before registering: the secret never crosses the wire, only an HMAC of the
master's challenge.`,
      hint: "The agent's credential file holds one principal/secret pair, not the master's list.",
      solution: "agent: + MESOS_CREDENTIAL=file:///etc/credentials/credential.json",
      env: { agent: { MESOS_CREDENTIAL: `file://${CRED}` } },
      files: [{ roles: ["agent"], path: CRED, from: "credentials/credential.json" }],
      expect: [
        {
          id: "agent-principal",
          says: "the agent uses its credential",
          source: { log: "agent" },
          pattern: "Agent using credential for: agent-principal",
          cite: cites(
            { at: "src/slave/slave.cpp:283", ref: `${FACTS_14} §1.5` },
            { at: "src/slave/slave.cpp:314", ref: OBSERVED_AGENT_AUTH, example: "slave.cpp:314] Agent using credential for: agent-principal" },
          ),
          example: "Agent using credential for: agent-principal",
        },
        {
          id: "authenticating",
          says: "the agent authenticates with the master",
          source: { log: "agent" },
          pattern: "Authenticating with master master@\\S+",
          cite: cites(
            { at: "src/slave/slave.cpp:1033", ref: `${FACTS_14} §1.5` },
            { at: "src/slave/slave.cpp:1565", ref: OBSERVED_AGENT_AUTH, example: "slave.cpp:1565] Authenticating with master master@10.213.1.3:5050" },
          ),
          example: "Authenticating with master master@10.213.1.3:5050",
        },
        {
          id: "authenticated",
          says: "the master accepts the agent's principal",
          source: { log: "master" },
          pattern: "Successfully authenticated principal 'agent-principal' at slave\\(1\\)@\\S+",
          cite: cites(
            { at: "src/master/master.cpp:7862", ref: `${FACTS_14} §1.5` },
            {
              at: "src/master/master.cpp:9802",
              ref: OBSERVED_LAB_RUNS,
              example: "master.cpp:9802] Successfully authenticated principal 'agent-principal' at slave(1)@10.213.46.4:5051",
            },
          ),
          example: "Successfully authenticated principal 'agent-principal' at slave(1)@10.213.1.4:5051",
        },
        agentRegistered,
      ],
    },
    {
      id: "rogue-agent-replay",
      title: "Replay: the rogue agent, now that agents must authenticate",
      text: `The same rogue agent, started the same way, with no credential. The master refuses it, at every retry
(\`Refusing registration of agent … because it is not authenticated\`), and the task runs on the lab's own agent.

**Not the whole story.** A credential is a file on the agent's disk, mode 0600, owned by root, and nothing here
authenticates the frameworks: any framework's task, running as root beside the agent (exercise 01), can read
\`/etc/credentials/credential.json\`, and a rogue agent with the stolen credential authenticates and registers. Exercises
04, 05 and 10 close that road.`,
      hint: "Compare the master's lines for the rogue agent with the open cluster's.",
      attack: { id: "rogue-agent", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
    {
      id: "wrong-secret",
      title: "A wrong secret is refused",
      text: `The agent now presents \`agent-principal\` with a wrong secret (\`wrong-credential.json\`). CRAM-MD5 fails on
the master: the HMAC the agent computed with its secret does not match the one the master computes with the secret
in \`credentials.json\`. The master logs the failed attempt, and the agent exits with code 1: \`Master … refused
authentication\`.

The master's wording depends on the release. Mesos 1.4.0 and 1.4.1 log a warning, \`Failed to authenticate … Refused
authentication\`. From 1.4.2 on (and in 1.11) a refused secret is no error at all but an INFO line: \`Authentication
of … was unsuccessful: Invalid credentials\`, after Cyrus SASL's own \`Authentication failure: authentication
failure\`.`,
      hint: "Compare the secret in credential.json with the master's credentials.json entry for agent-principal.",
      solution: "agent: MESOS_CREDENTIAL pointing at a file whose secret does not match the master's list",
      files: [{ roles: ["agent"], path: CRED, from: "credentials/wrong-credential.json" }],
      ready: { agent: false },
      expect: [
        {
          id: "master-refuses",
          says: "the master fails the agent's authentication: refused",
          source: { log: "master" },
          pattern: "Failed to authenticate slave\\(1\\)@\\S+: Refused authentication",
          cite: { at: "src/master/master.cpp:7859", ref: `${FACTS_14} §1.5`, derived: true },
          example: "Failed to authenticate slave(1)@10.213.1.4:5051: Refused authentication",
          until: "1.4.2",
        },
        {
          id: "master-invalid-credentials",
          says: "the master logs the agent's authentication as unsuccessful: invalid credentials",
          source: { log: "master" },
          pattern: "Authentication of slave\\(1\\)@\\S+ was unsuccessful: Invalid credentials",
          cite: { at: "src/master/master.cpp:9807", ref: OBSERVED_2026_11_29 },
          example: "master.cpp:9807] Authentication of slave(1)@10.213.34.4:5051 was unsuccessful: Invalid credentials",
          since: "1.4.2",
        },
        {
          id: "agent-exits",
          says: "the agent exits: the master refused authentication",
          source: { log: "agent" },
          pattern: "EXIT with status 1: Master master@\\S+ refused authentication",
          cite: cites(
            { at: "src/slave/slave.cpp:1124", ref: `${FACTS_14} §1.5`, derived: true },
            {
              at: "src/slave/slave.cpp:1661",
              ref: OBSERVED_FAILURE_MODES,
              example: "slave.cpp:1661] EXIT with status 1: Master master@192.168.0.3:5050 refused authentication",
            },
          ),
          example: "EXIT with status 1: Master master@10.213.1.3:5050 refused authentication",
        },
        agentNotRegistered,
      ],
    },
  ],
});
