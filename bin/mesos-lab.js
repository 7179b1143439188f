#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (prepare script).
import("../dist/src/cli/main.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/src/cli/main.js")) {
    console.error("mesos-lab is not built yet: run `npm ci` (or `npm run build`) in the mesos-lab folder first.");
    process.exit(70);
  }
  throw err;
});
