#!/usr/bin/env node
// Mesos stand-in for the harness' tests: one program, the role picked from the first argument or argv[1]'s name.
// It replays what Mesos 1.4 (or 1.11 with STANDIN_PROFILE=1.11) prints, from the facts files in shared/reference.
import path from "node:path";

const ROLES = ["zk", "mesos-master", "mesos-slave", "mesos-agent", "mesos-execute", "mesos-executor", "mesos-default-executor"];

let args = process.argv.slice(2);
let role = path.basename(process.argv[1] ?? "").replace(/\.mjs$/, "");
if (ROLES.includes(args[0])) role = args.shift();
// The process is named after its role, as the real binaries are: /proc/PID/comm (what `pkill -x mesos-agent` looks
// for) and /proc/PID/cmdline (what a task beside the agent reads of process 1).
if (role !== "zk") process.title = role;
// Executors get the profile on their command line: the agent builds their environment from scratch.
const prof = args.find((a) => a.startsWith("--standin_profile="));
if (prof) {
  process.env.STANDIN_PROFILE = prof.split("=")[1];
  args = args.filter((a) => a !== prof && !a.startsWith("--launcher_dir="));
}
// An agent that switches users (--switch_user) runs the executor, and so the task, as the task's user: the executor
// drops root before anything else, with the user's groups (what `mesos-containerizer launch` does with --user).
const asUser = args.find((a) => a.startsWith("--standin_user="));
if (asUser) {
  const [user, uid, gid] = asUser.slice("--standin_user=".length).split(":");
  args = args.filter((a) => a !== asUser);
  const posix = /** @type {NodeJS.Process & { initgroups(user: string, group: number): void }} */ (process);
  posix.initgroups(user, Number(gid));
  posix.setgid(Number(gid));
  posix.setuid(Number(uid));
}

switch (role) {
  case "zk": {
    const { runZkServer } = await import("./lib/zk.mjs");
    const { applyKnobs } = await import("./lib/proc.mjs");
    await applyKnobs("zk");
    const port = Number(process.env.ZK_PORT ?? 2181);
    runZkServer({ port });
    // Exhibitor's REST status (port 8080): DC/OS tooling treats code 3 as "serving".
    const http = await import("node:http");
    const os = await import("node:os");
    http
      .createServer((req, res) => {
        const status = [{ code: 3, description: "serving", hostname: os.hostname(), isLeader: true }];
        if (req.url?.startsWith("/exhibitor/v1/cluster/status")) res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(status));
        else res.writeHead(404).end();
      })
      .listen(Number(process.env.EXHIBITOR_PORT ?? 8080), "0.0.0.0");
    process.on("SIGTERM", () => process.exit(0));
    process.on("SIGINT", () => process.exit(0));
    break;
  }
  case "mesos-master":
    await (await import("./lib/master.mjs")).runMaster(args);
    break;
  case "mesos-slave":
  case "mesos-agent":
    await (await import("./lib/agent.mjs")).runAgent(args);
    break;
  case "mesos-execute":
    await (await import("./lib/execute.mjs")).runExecute(args);
    break;
  case "mesos-executor":
  case "mesos-default-executor": {
    const ex = await import("./lib/executor.mjs");
    // The profile is fixed once lib/flags.mjs has loaded; keep it out of the task's inherited environment.
    if (prof) delete process.env.STANDIN_PROFILE;
    await (role === "mesos-executor" ? ex.runCommandExecutor() : ex.runDefaultExecutor());
    break;
  }
  default:
    process.stderr.write(`standin: unknown role '${role}' (expected one of ${ROLES.join(", ")})\n`);
    process.exit(2);
}
