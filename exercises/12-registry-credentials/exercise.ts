import { defineExercise } from "../../src/model/exercise.js";
import { SOURCE_111 } from "../_shared/expect.js";

/** Image pulls from the lab registry (source-1.11.md §9). */
const S9 = `${SOURCE_111} §9`;
const DOCKER_CONFIG = "/etc/mesos/docker_config.json";

/**
 * The registry's policy, as the token service applies it (seed 003's RAM policy, one entry per account): the build
 * machine pushes and pulls everywhere; each business line pulls its own namespace only.
 */
const GRANTS = {
  ci: { "*/*": ["pull", "push"] },
  cainiao: { "cainiao/*": ["pull"] },
  alipay: { "alipay/*": ["pull"] },
};

const CAINIAO = "cainiao/a1:v0.1";
const ALIPAY = "alipay/a1:v0.1";

/** The agent pulls task images itself (the Mesos containerizer's Docker image provider), from the lab registry. */
const imageAgent = {
  MESOS_LAUNCHER: "linux",
  MESOS_ISOLATION: "filesystem/linux,docker/runtime",
  MESOS_IMAGE_PROVIDERS: "docker",
  MESOS_DOCKER_REGISTRY: "http://${host.registry}:5000",
};

const WITH_REGISTRY = ["zk", "master", "agent", "registry", "tokens"] as const;
const policy = { roles: ["tokens" as const], path: "/etc/mesos-lab/grants.json", content: `${JSON.stringify(GRANTS, null, 2)}\n`, mode: 0o644 };
const agentHolds = (account: string) => ({ roles: ["agent" as const], path: DOCKER_CONFIG, from: `credentials/docker-config-${account}.json` });

/** The build machine pushes with its own credential (seed 003, scenario 1). Pushing what is there already is a no-op. */
const push = (image: string) => ({ do: "push" as const, id: `push-${image.split("/")[0]}`, image, account: "ci" });
const pushed = (image: string) => ({
  id: `push-${image.split("/")[0]}-201`,
  says: `the build machine (account ci) pushed ${image}: the manifest PUT is 201 Created`,
  source: { http: `push-${image.split("/")[0]}`, part: "status" as const },
  pattern: "^HTTP/1\\.1 201 Created$",
  cite: { at: "registry/handlers/manifests.go:411", ref: S9 },
});

/** A task of this image; the command does not matter: the image has no program, and the lesson is its pull. */
const task = (name: string, image: string) => ({
  do: "execute" as const,
  id: name,
  args: [`--name=${name}`, `--docker_image=${image}`, "--command=cat /etc/mesos-lab-image"],
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const pulling = (image: string) => ({
  id: `pulling-${image.split("/")[0]}`,
  says: `the agent's image store pulls ${image} for the task`,
  source: { log: "agent" as const },
  pattern: `Pulling image '${esc(image)}'`,
  cite: { at: "src/slave/containerizer/mesos/provisioner/docker/store.cpp:383", ref: S9 },
  example: `store.cpp:383] Pulling image '${image}'`,
});

const cached = (image: string, negate = false) => ({
  id: `${negate ? "not-" : ""}cached-${image.split("/")[0]}`,
  says: negate ? `the agent gets no image ${image}: nothing is cached` : `the agent pulled ${image}: the layers are in its image store`,
  source: { log: "agent" as const },
  pattern: `Caching image '${esc(image)}'`,
  ...(negate ? { negate: true } : {}),
  cite: { at: "src/slave/containerizer/mesos/provisioner/docker/store.cpp:392", ref: S9 },
  example: `store.cpp:392] Caching image '${image}'`,
});

const extracted = (image: string) => ({
  id: `extracted-${image.split("/")[0]}`,
  says: `the agent fetched and extracted ${image}'s layers`,
  source: { log: "agent" as const },
  pattern: `Extracting layers to '\\S+' for image '${esc(image)}'`,
  cite: { at: "src/slave/containerizer/mesos/provisioner/docker/registry_puller.cpp:516", ref: S9 },
  example: `registry_puller.cpp:516] Extracting layers to '/tmp/mesos/store/docker/staging/gOt9kl' for image '${image}'`,
});

/** The agent's error when the pull fails: the container never starts (the fetcher's failure follows the colon). */
const failedToStart = (id: string, says: string, failure: string, executor: string, example: string) => ({
  id,
  says,
  source: { log: "agent" as const },
  pattern: `failed to start: ${failure}`,
  cite: { at: "src/slave/slave.cpp:6980", ref: S9 },
  example: `slave.cpp:6980] Container '817d9ebf-8908-43a0-9588-f8796ceb1b08' for executor '${executor}' of framework 6d15b22a-6ac9-4690-bceb-57b0840f94db-0000 failed to start: ${example}`,
});

/** What the token service granted `account` for a pull of `image` (src/registry/token-service.ts). */
const granted = (account: string, image: string, actions: string) => {
  const repo = image.split(":")[0]!;
  const line = `token-service: account '${account}' asked for repository:${repo}:pull; granted repository:${repo}:${actions}`;
  return {
    id: `token-${account}-${repo.split("/")[0]}`,
    says:
      actions === "(nothing)"
        ? `the token service gives ${account} a token for ${repo} that allows nothing`
        : `the token service gives ${account} a token to pull ${repo}`,
    source: { log: "tokens" as const },
    pattern: `^${esc(line)}$`,
    cite: { at: "src/registry/token-service.ts:122", ref: S9 },
    example: line,
  };
};

/**
 * The attack: a task of the cainiao team's framework runs alipay's image. The registry authorizes the agent's
 * account, never the framework; with the build machine's credential on the agent the pull succeeds, with cainiao's
 * own the token service grants nothing for alipay and the registry refuses the manifest.
 */
const crossNamespacePull = {
  id: "cross-namespace-pull",
  title: "a cainiao task pulls alipay's private image",
  actions: [push(ALIPAY), task("cainiao-job", ALIPAY)],
  works: [pulling(ALIPAY), granted("ci", ALIPAY, "pull"), cached(ALIPAY)],
  blocked: [
    pulling(ALIPAY),
    granted("cainiao", ALIPAY, "(nothing)"),
    {
      id: "insufficient-scope",
      says: "the registry refuses the token for alipay/a1: insufficient scope",
      source: { log: "registry" as const },
      pattern: 'msg="error authorizing context: insufficient scope".*vars\\.name=alipay/a1',
      cite: { at: "registry/auth/token/accesscontroller.go:280", ref: S9 },
      example:
        'time="2026-11-29T11:50:08.306800535Z" level=warning msg="error authorizing context: insufficient scope" go.version=go1.19.8 http.request.host="registry:5000" http.request.id=c3032294-bf8b-40e7-a4ea-27a6ec114567 http.request.method=GET http.request.remoteaddr="172.18.0.6:48116" http.request.uri=/v2/alipay/a1/manifests/v0.1 http.request.useragent=curl/7.88.1 vars.name=alipay/a1 vars.reference=v0.1',
    },
    // the fetcher's failure at src/uri/fetchers/docker.cpp:841-843
    failedToStart(
      "manifest-refused",
      "the agent's pull of the manifest is refused: the container fails to start",
      "Unexpected HTTP response '401 Unauthorized' when trying to get the manifest$",
      "cainiao-job",
      "Unexpected HTTP response '401 Unauthorized' when trying to get the manifest",
    ),
    {
      id: "task-failed-message",
      says: "mesos-execute reports why the task failed",
      source: { execute: "stdout" as const },
      pattern: "^  message: 'Failed to launch container: Unexpected HTTP response '401 Unauthorized' when trying to get the manifest'$",
      cite: { at: "src/slave/slave.cpp:6996", ref: S9 },
      example: "  message: 'Failed to launch container: Unexpected HTTP response '401 Unauthorized' when trying to get the manifest'",
    },
    cached(ALIPAY, true),
  ],
};

/** The agent gives its registry credential away: on /flags (anyone's while the read-only realm is open) and in its log. */
const FLAGS_CREDENTIAL = {
  id: "flags-credential",
  says: "an anonymous GET /flags answers the agent's registry credential",
  source: { http: "flags", part: "body" as const },
  pattern: '"docker_config":"\\{\\\\"auths\\\\":\\{.*\\\\"auth\\\\":\\\\"[A-Za-z0-9+/=]{8,}\\\\"',
  cite: { at: "src/slave/http.cpp:924", ref: S9 },
};
const LOG_CREDENTIAL = {
  id: "log-credential",
  says: "the agent printed its registry credential at startup",
  source: { log: "agent" as const },
  pattern: 'Flags at startup: .*--docker_config="\\{"auths":\\{.*"auth":"[A-Za-z0-9+/=]{8,}"',
  cite: { at: "src/slave/slave.cpp:282", ref: S9 },
  example:
    'slave.cpp:282] Flags at startup: --appc_simple_discovery_uri_prefix="http://" --docker_config="{"auths":{"127.0.0.1:5000":{"auth":"Y2k6c2VjcmV0"},"registry:5000":{"auth":"Y2k6c2VjcmV0"}}}" --docker_registry="http://registry:5000"',
};

export default defineExercise({
  id: "12",
  slug: "registry-credentials",
  title: "Scope the agent's registry credentials",
  summary:
    "A shared private registry authorizes pulls per namespace; the agent pulls for every task with the one credential it holds, so it must hold the narrowest.",
  text: `A company runs one private image registry for several business lines, each in its own namespace: \`cainiao/*\`
and \`alipay/*\`. The registry authorizes every pull with a token, and its token service issues a token only for what
the account asking for it may do. The build machine pushes everywhere; the \`cainiao\` account may pull \`cainiao/*\` and
nothing else. Pulling \`alipay/a1\` with it is refused with \`insufficient_scope\`, as a Kubernetes node with the wrong
role is refused in the seed this exercise comes from.

This lab runs such a registry next to the cluster: the CNCF distribution registry with token authentication, and a
small token service of the lab's own (\`mesos-lab\` makes its signing key and the accounts' secrets in \`ssl/\` and
\`credentials/\`). Its policy, one entry per account:

\`\`\`json
${JSON.stringify(GRANTS, null, 2)}
\`\`\`

On the Mesos side, whoever pulls is **the agent**: the Mesos containerizer's image provider fetches a task's
\`--docker_image\` with the credential of the agent's \`--docker_config\` (a Docker \`config.json\`). Every framework
whose task lands on that agent pulls with it, and the registry never learns which framework asked.

**How the agent runs here.** Images need the Mesos containerizer's \`filesystem/linux\` isolator, so the agent runs
Mesos' Linux launcher in the lab's *capabilities mode* (see exercise 11). The images the build machine pushes hold
one file and no program: every step is about the pull. After a pull the task fails in any case: its command has
nothing to run, and on kernels without \`/proc/sysrq-trigger\` (some CI machines; \`mesos-lab doctor\` says) the
isolator cannot even mount the image's root filesystem. None of the expectations depend on that.`,
  since: "1.11", // written for and run on 1.11
  agentCapabilities: true,
  attacks: [crossNamespacePull],
  steps: [
    {
      id: "agent-credential-is-everyones",
      title: "Attack: a cainiao task pulls alipay's image",
      text: `A common shortcut: give the agents the build machine's credential (\`ci\`, every namespace), so that every
image pulls. The build machine pushes \`${ALIPAY}\`. Then a task named \`cainiao-job\`, from the cainiao team's framework,
runs \`${ALIPAY}\`, and the pull succeeds: the token service sees the agent's account \`ci\`, never the framework.
Whatever the agent holds, every framework that can land a task on it holds too.

And not only frameworks: the agent prints its \`--docker_config\` in its log at startup and answers it on its
\`/flags\` endpoint, which anyone may read while the read-only realm is not authenticated (exercise 06). The \`auth\`
there is base64 of \`account:secret\`, not a hash. (mesos-lab's reports show it as \`******\`.)

The steps that follow give the agent no credential, then the narrowest one; the last replays this pull.`,
      hint: "The registry authorizes the account in the agent's --docker_config, whatever framework launched the task.",
      solution: "agent: MESOS_DOCKER_CONFIG holds credentials/docker-config-ci.json: the lesson is why not to",
      cluster: [...WITH_REGISTRY],
      env: { agent: { ...imageAgent, MESOS_DOCKER_CONFIG: `file://${DOCKER_CONFIG}` } },
      files: [policy, agentHolds("ci")],
      attack: { id: "cross-namespace-pull", expect: "works" },
      actions: [{ do: "http", id: "flags", role: "agent", path: "/flags" }],
      expect: [FLAGS_CREDENTIAL, LOG_CREDENTIAL],
    },
    {
      id: "no-credential",
      title: "Nobody pulls without a credential",
      text: `The build machine pushes \`${CAINIAO}\` and \`${ALIPAY}\` (account \`ci\`). The agent holds no registry
credential. A task of \`${CAINIAO}\`: the registry answers the agent's manifest request \`401\` with a Bearer challenge,
the agent asks the token service without credentials, and the token service refuses: \`401 Unauthorized\`. The task
fails before its container exists.`,
      hint: "The registry and its token service are private: an agent without a --docker_config entry for registry:5000 asks anonymously.",
      cluster: [...WITH_REGISTRY],
      env: { agent: { MESOS_DOCKER_CONFIG: null } },
      files: [{ roles: ["agent"], path: DOCKER_CONFIG, remove: true }],
      actions: [push(CAINIAO), push(ALIPAY), task("cainiao-a1", CAINIAO)],
      expect: [
        pushed(CAINIAO),
        pushed(ALIPAY),
        pulling(CAINIAO),
        // the fetcher's failure at src/uri/fetchers/docker.cpp:1231-1232
        failedToStart(
          "token-refused",
          "the agent gets no token: the token service answers 401, and the container fails to start",
          "Unexpected HTTP response '401 Unauthorized' when trying to GET 'http://\\S+:5001/token\\?service=mesos-lab-registry&scope=repository:cainiao/a1:pull'",
          "cainiao-a1",
          "Unexpected HTTP response '401 Unauthorized' when trying to GET 'http://tokens:5001/token?service=mesos-lab-registry&scope=repository:cainiao/a1:pull'",
        ),
        {
          id: "token-anonymous",
          says: "the token service saw no credential",
          source: { log: "tokens" },
          pattern: "^token-service: 401 for repository:cainiao/a1:pull: no credential",
          cite: { at: "src/registry/token-service.ts:110", ref: S9 },
          example: "token-service: 401 for repository:cainiao/a1:pull: no credential (anonymous pulls are not allowed)",
        },
        {
          id: "task-failed",
          says: "mesos-execute reports the task failed",
          source: { execute: "stdout" },
          pattern: "^Received status update TASK_FAILED for task 'cainiao-a1'",
          cite: { at: "src/cli/execute.cpp:702", ref: `${SOURCE_111} §2` },
          example: "Received status update TASK_FAILED for task 'cainiao-a1'",
        },
        cached(CAINIAO, true),
      ],
    },
    {
      id: "agent-credential",
      title: "The agent pulls with cainiao's credential",
      text: `The agent gets \`cainiao\`'s credential: \`MESOS_DOCKER_CONFIG\` names a Docker \`config.json\` whose \`auths\`
has an entry for \`registry:5000\` (Mesos picks the entry by the image's registry host and port). The agent sends it
to the token service as HTTP Basic, gets a token for \`repository:cainiao/a1:pull\`, and pulls \`${CAINIAO}\`: manifest,
config and layers, into its image store.`,
      hint: "--docker_config takes a file (file:///…) or inline JSON in Docker's config.json format; the key of the auths entry must be the registry's host:port.",
      solution: `agent: + MESOS_DOCKER_CONFIG=file://${DOCKER_CONFIG} (credentials/docker-config-cainiao.json)`,
      cluster: [...WITH_REGISTRY],
      env: { agent: { MESOS_DOCKER_CONFIG: `file://${DOCKER_CONFIG}` } },
      files: [agentHolds("cainiao")],
      actions: [push(CAINIAO), task("cainiao-a1", CAINIAO)],
      expect: [pulling(CAINIAO), granted("cainiao", CAINIAO, "pull"), extracted(CAINIAO), cached(CAINIAO)],
    },
    {
      id: "other-namespace",
      title: "Replay: the cainiao task's pull of alipay's image",
      text: `Same agent, with \`cainiao\`'s credential now, and the attack's task again: \`cainiao-job\` runs \`${ALIPAY}\`. The
token service issues \`cainiao\` a token for \`repository:alipay/a1:pull\` that allows nothing (the policy grants it
\`cainiao/*\` only), and the registry refuses the manifest with it: \`401\`, \`error="insufficient_scope"\` in its
challenge, \`insufficient scope\` in its log. The agent reports \`Unexpected HTTP response '401 Unauthorized' when
trying to get the manifest\`.

So: give each agent the narrowest credential its tenants need, and keep tenants whose images must stay apart on
agents of their own (roles, reservations, attributes). Mesos 1.11 can also take a credential per task, as a secret in
the task's \`Image.Docker.config\`, instead of one per agent. Authenticate \`/flags\`, and rotate a credential that
was exposed.`,
      hint: "A token carries the access the token service granted; the registry checks the repository and action against it.",
      cluster: [...WITH_REGISTRY],
      attack: { id: "cross-namespace-pull", expect: "blocked" },
    },
  ],
});
