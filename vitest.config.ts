import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // test/exclusive/ runs `reset --all`, which would remove the other files' running clusters: it runs alone
    // (LAB_EXCLUSIVE=1, second step of `npm test`)
    // test/real/ is the real-Mesos suite (LAB_REAL=1, `npm run test:real`): it builds real images and takes minutes
    include: process.env.LAB_REAL
      ? ["test/real/**/*.test.ts"]
      : process.env.LAB_EXCLUSIVE
        ? ["test/exclusive/**/*.test.ts"]
        : ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // test/podman/ needs a Podman engine behind DOCKER_HOST (`npm run test:podman`): the Docker run leaves it out
    exclude: [
      ...(process.env.LAB_EXCLUSIVE ? [] : ["test/exclusive/**"]),
      ...(process.env.LAB_REAL ? [] : ["test/real/**"]),
      ...(process.env.LAB_RUNTIME === "podman" ? [] : ["test/podman/**"]),
    ],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Docker-backed files share one engine; two at a time keeps a 2-core machine responsive (real Mesos: one)
    maxWorkers: process.env.LAB_REAL ? 1 : 2,
    reporters: ["default", "./test/summary-reporter.ts"],
    // each file's tempDir() folders are removed after it; a run that leaves a mesos-lab-* folder fails
    setupFiles: ["./test/setup/remove-temp-dirs.ts", "./test/setup/stop-cli-runs.ts"],
    globalSetup: ["./test/setup/private-tmpdir.ts"],
  },
});
